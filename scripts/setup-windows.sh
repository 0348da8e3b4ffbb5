#!/usr/bin/env bash
# Install the Debian packages that cross-build npystore for Windows x64 and run the
# results under Wine (issue 15; docs/building.md, "Windows"). Called by the windows
# stage of scripts/test.sh; idempotent, like scripts/setup-system.sh, which it uses.
#
#   rustc-web, rust-web-src, libstd-rust-web-dev  Debian's rustc (1.96 in
#       bookworm-security) with its std sources: the Windows std is built from them
#       (-Zbuild-std), since rustup cannot fetch another target's std here. It
#       installs /usr/bin/rustc; rustup's shims stay first on PATH, so only the
#       Windows build (RUSTC=/usr/bin/rustc) uses it.
#   mingw-w64  x86_64-w64-mingw32-gcc (linker, C compiler for aws-lc-sys and the C
#       programs) and x86_64-w64-mingw32-dlltool (the std build calls it).
#   wine64, wine  Wine 8.0 runs the .exe files.
#   llvm  llvm-dlltool, which makes npystore.lib from npystore.def in the format of
#       MSVC's `lib /def:` (binutils' dlltool makes MinGW's own).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/setup-system.sh" rustc-web rust-web-src libstd-rust-web-dev mingw-w64 wine64 wine llvm
