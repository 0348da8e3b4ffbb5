/* A test-only stand-in for bcryptprimitives.dll, which Wine 8.0 lacks.
 *
 * Rust's standard library on Windows (1.78 and later) imports ProcessPrng from
 * bcryptprimitives.dll for its random numbers (HashMap keys, getrandom). Windows 10
 * and 11 ship that DLL; Wine 8.0 does not, so every Rust-built .exe or DLL fails to
 * load under it (exit code 53). scripts/windows.sh builds this file into
 * bcryptprimitives.dll and places it beside the test executables only. It is never
 * installed or shipped: on Windows the system DLL is used.
 *
 * Built with: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *               processprng.c -ladvapi32 -Wl,--kill-at
 */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 as SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Fill `data` with `len` random bytes; always TRUE, like the real one. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
