#!/usr/bin/env bash
# THE first command of the README: build the library (release), then compile and
# run bindings/c/examples/quickstart.c against a file store in a fresh temp dir.
# Needs only cargo and a C compiler: no CMake, no services, no install.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cc=${CC:-cc}

echo "==> cargo build --release --lib" >&2
cargo build --release --lib --quiet
lib=$(realpath -m "${CARGO_TARGET_DIR:-target}/release/libnpystore.so")
[ -f "$lib" ] || { echo "quickstart.sh: $lib was not built" >&2; exit 1; }

# The library's SONAME is libnpystore.so.<N>; give the program that name beside it
# and an $ORIGIN rpath, so it runs without LD_LIBRARY_PATH or an install.
out=build/quickstart
mkdir -p "$out/lib"
soname=$(objdump -p "$lib" 2>/dev/null | awk '$1 == "SONAME" { print $2 }')
ln -sfn "$lib" "$out/lib/libnpystore.so"
[ -z "$soname" ] || ln -sfn "$lib" "$out/lib/$soname"

echo "==> $cc bindings/c/examples/quickstart.c" >&2
# shellcheck disable=SC2016 # $ORIGIN is for the dynamic loader, not the shell
"$cc" -std=c11 -Wall -Wextra -O2 -Iinclude -o "$out/quickstart" bindings/c/examples/quickstart.c \
  -L"$out/lib" -lnpystore -Wl,-rpath,'$ORIGIN/lib'

store=$(mktemp -d "${TMPDIR:-/tmp}/npystore-quickstart.XXXXXX")
trap 'rm -rf "$store"' EXIT
echo "==> $out/quickstart $store" >&2
"$out/quickstart" "$store"
