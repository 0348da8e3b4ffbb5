// The C header must compile and link as C++ (extern "C", no C-only constructs).
#include <npystore.h>

#include <cstdio>

int main() {
  npy_status ok = NPY_OK;
  std::printf("C++: npystore %s, %s\n", npy_version(), npy_status_name(ok));
  return ok;
}
