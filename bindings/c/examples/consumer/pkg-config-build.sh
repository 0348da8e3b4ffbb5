#!/usr/bin/env bash
# Build consumer.c the way a Makefile user would, with pkg-config and a plain cc
# command, then run it. PKG_CONFIG_PATH must point at the installed .pc file.
#   pkg-config-build.sh shared|static OUTDIR
set -euo pipefail
mode=$1 out=$2
src=$(dirname "$0")/consumer.c
cc=${CC:-cc}
mkdir -p "$out"
libdir=$(pkg-config --variable=libdir npystore)
case $mode in
  shared)
    # The rpath lets the program find libnpystore.so.0 without LD_LIBRARY_PATH.
    # shellcheck disable=SC2046
    "$cc" -Wall -Werror -o "$out/consumer-pc" "$src" $(pkg-config --cflags --libs npystore) \
      -Wl,-rpath,"$libdir"
    "$out/consumer-pc" --shared-from "$libdir"
    ;;
  static)
    # --static adds Libs.private; -l:libnpystore.a makes the linker take the
    # archive although libnpystore.so sits beside it.
    # shellcheck disable=SC2046
    "$cc" -Wall -Werror -o "$out/consumer-pc-static" "$src" $(pkg-config --cflags npystore) \
      $(pkg-config --static --libs npystore | sed 's/-lnpystore\b/-l:libnpystore.a/')
    "$out/consumer-pc-static" --static
    ;;
  *) echo "usage: $0 shared|static OUTDIR" >&2; exit 2 ;;
esac
