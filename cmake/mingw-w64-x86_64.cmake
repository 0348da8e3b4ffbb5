# CMake toolchain file: cross-build for Windows x64 with Debian's MinGW-w64
# (mingw-w64, scripts/setup-windows.sh), e.g. the library or a program that uses it:
#   cmake -S bindings/c/examples/consumer -B build/windows/consumer \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake -DCMAKE_PREFIX_PATH=<windows prefix>
# With Wine installed, tests added with add_test() run under it (ctest), as the
# windows stage does (scripts/windows.sh). MinGW-w64 on Windows itself needs no
# toolchain file.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_npy_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_npy_mingw}-gcc)
set(CMAKE_CXX_COMPILER ${_npy_mingw}-g++)
set(CMAKE_RC_COMPILER ${_npy_mingw}-windres)

# Headers and libraries from the MinGW sysroot only; programs from the build machine;
# packages (npystoreConfig.cmake) from the sysroot or CMAKE_PREFIX_PATH.
set(CMAKE_FIND_ROOT_PATH /usr/${_npy_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

find_program(NPYSTORE_WINE wine)
if(NPYSTORE_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${NPYSTORE_WINE}")
endif()
unset(_npy_mingw)
