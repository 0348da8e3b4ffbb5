#!/usr/bin/env bash
# Cross-build npystore for Windows x64 and run the C quickstart under Wine (issue 15).
# The windows stage of scripts/test.sh; needs scripts/setup-windows.sh's packages.
#   scripts/windows.sh      build the DLL, run quickstart.exe, compare with Linux,
#                           the C tests, the .def/.lib, the CMake consumer, the MEX
#                           compile, the unit and integration tests (file, S3 on moto),
#                           and cross-reads with the Linux build
# Output in $NPYSTORE_BUILD_DIR/windows (default build/windows): the executables,
# npystore.dll beside them, libnpystore.dll.a, libnpystore.a, npystore.def and the
# MSVC-format npystore.lib, the CMake install (prefix/) and consumer build
# (consumer/), the MEX objects (mex/), the test-only bcryptprimitives.dll
# (tests/windows/processprng.c), and a private Wine prefix (wineprefix/).
# Environment: NPYSTORE_PYTHON (numpy), when set, also reads the Windows-written file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
build=${NPYSTORE_BUILD_DIR:-$repo/build}
out=$build/windows
triple=x86_64-pc-windows-gnu
lib=${CARGO_TARGET_DIR:-target}/$triple/release
mingw=x86_64-w64-mingw32-gcc
mkdir -p "$out"

step() { echo "==> $*" >&2; }
timed() { # label command...
  local t=$SECONDS
  "${@:2}"
  echo "    $1: $((SECONDS - t)) s" >&2
}

# Debian's rustc (not rustup's) builds std for the target from its sources. With
# panic_unwind, as on Linux: the C API's guards catch a panic before it reaches C,
# and the test harness needs it (the library and its tests share one build of std
# and of every dependency).
cross_cargo() { # build|test args...
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 nice -n 10 cargo "$1" --release --locked \
    -Zbuild-std=std,panic_unwind --target "$triple" "${@:2}"
}
step "cargo build --lib --target $triple ($(/usr/bin/rustc --version))"
timed "cross-build" cross_cargo build --lib --quiet
for f in npystore.dll libnpystore.dll.a libnpystore.a; do
  [ -f "$lib/$f" ] || { echo "windows.sh: $lib/$f was not built" >&2; exit 1; }
done
cp "$lib/npystore.dll" "$out/"

step "$mingw tests/windows/processprng.c (test-only bcryptprimitives.dll for Wine 8.0)"
"$mingw" -shared -O2 -Wall -Wextra -Werror -o "$out/bcryptprimitives.dll" \
  tests/windows/processprng.c -ladvapi32 -Wl,--kill-at

step "$mingw bindings/c/examples/quickstart.c"
"$mingw" -std=c11 -Wall -Wextra -Werror -O2 -Iinclude -o "$out/quickstart.exe" \
  bindings/c/examples/quickstart.c -L"$lib" -l:libnpystore.dll.a

# Wine with a prefix of its own, quiet, and stopped when this script ends (only the
# wineserver of this prefix).
export WINEPREFIX=$out/wineprefix WINEDEBUG=-all
stop_wine() { wineserver -k 2>/dev/null || true; }
store=$(mktemp -d "${TMPDIR:-/tmp}/npystore-windows.XXXXXX")
trap 'stop_wine; rm -rf "$store"' EXIT
step "wineboot ($WINEPREFIX)"
boot() { wine wineboot --init >/dev/null 2>&1; }
timed "wine prefix" boot

# The object's random token differs from run to run; everything else must match. Its
# alphabet is DataJoint's (src/path/token.rs TOKEN_ALPHABET): letters, digits, - and _.
normalise() { sed -E 's/_[A-Za-z0-9_-]{8}\.npy/_<token>.npy/'; }

# A Unix path as Wine's drive Z: sees it, with backslashes as Windows users write them.
winpath() { local p=${1//\//\\}; echo "Z:$p"; }

# The location as a Windows user writes it, Z:\tmp\npystore-windows.XXX\windows: the
# quickstart must escape its backslashes in the JSON config (\t, \n and \w would not
# survive unescaped).
mkdir -p "$store/windows" "$store/linux"
step "wine quickstart.exe $(winpath "$store/windows")"
wine "$out/quickstart.exe" "$(winpath "$store/windows")" | tr -d '\r' >"$out/quickstart-wine.txt"
cat "$out/quickstart-wine.txt"

step "Linux quickstart, for comparison"
lin_out=$build/quickstart
scripts/quickstart.sh >/dev/null 2>&1 || scripts/quickstart.sh # shows why on failure
"$lin_out/quickstart" "$store/linux" >"$out/quickstart-linux.txt"
if ! diff <(normalise <"$out/quickstart-linux.txt") <(normalise <"$out/quickstart-wine.txt"); then
  echo "windows.sh: quickstart.exe under Wine printed other lines than on Linux" >&2
  exit 1
fi
echo "quickstart.exe under Wine prints the same lines as on Linux"

# The file the Windows build wrote is a .npy numpy reads as the quickstart's array.
if [ -n "${NPYSTORE_PYTHON:-}" ]; then
  written=$(find "$store/windows" -name '*.npy')
  "$NPYSTORE_PYTHON" - "$written" <<'PY'
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.float32 and a.tolist() == [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], a
print("numpy reads the Windows-written", sys.argv[1].split("/")[-1])
PY
fi

# The C tests of bindings/c/tests, built with mingw (the warnings of the Linux build,
# no sanitizers) and run under Wine, each with its own NPY_TEST_TMPDIR. test_bad_inputs
# runs its S3 rows only when NPYSTORE_S3_* name a server (the c stage's moto).
skipped=()
failed=()
ran=0
c_test() { # name exe: run one test executable under Wine, keep its log
  local name=$1 exe=$2 t=$SECONDS rc=0
  rm -rf "$out/tmp/$name" && mkdir -p "$out/tmp/$name"
  NPY_TEST_TMPDIR="Z:$out/tmp/$name" timeout 600 wine "$exe" >"$out/$name.log" 2>&1 || rc=$?
  ran=$((ran + 1))
  echo "$name.exe: $(tail -n 1 "$out/$name.log" | tr -d '\r') (exit $rc, $((SECONDS - t)) s)"
  if [ "$rc" -ne 0 ]; then
    tr -d '\r' <"$out/$name.log" >&2
    failed+=("$name")
  fi
}
c_flags=(-std=c11 -g -Wall -Wextra -Wpedantic -Werror -O1 -Iinclude -Ibindings/c/tests)
c_libs=(-static -lpthread -lws2_32)
for src in bindings/c/tests/test_*.c; do
  name=$(basename "$src" .c)
  [[ " ${skipped[*]} " == *" $name "* ]] && continue
  "$mingw" "${c_flags[@]}" -o "$out/$name.exe" "$src" -L"$lib" -l:libnpystore.dll.a "${c_libs[@]}"
  c_test "$name" "$out/$name.exe"
done
grep -h 'link rows not run\|no S3 server' "$out/test_bad_inputs.log" | tr -d '\r' || true
echo "C tests under Wine: $ran run, ${#failed[@]} failed, ${#skipped[@]} skipped${skipped[*]:+ (${skipped[*]})}"
[ ${#failed[@]} -eq 0 ] || { echo "windows.sh: failed under Wine: ${failed[*]}" >&2; exit 1; }

# Packaging for MSVC users: npystore.def lists exactly the npy_ functions of the
# header, each checked to be exported by npystore.dll (bindings/check/windows_def.py),
# and an import library in the format of MSVC's `lib /def:` made from it
# (llvm-dlltool, from scripts/setup-windows.sh). MSVC itself is not run here:
# a C test linked by mingw against npystore.lib runs under Wine instead.
step "npystore.def and npystore.lib"
if [ -z "${NPYSTORE_PYTHON:-}" ]; then NPYSTORE_PYTHON=$(scripts/python-env.sh); fi
"$NPYSTORE_PYTHON" bindings/check/windows_def.py --dll "$out/npystore.dll" --out "$out/npystore.def"
llvm-dlltool -m i386:x86-64 -d "$out/npystore.def" -D npystore.dll -l "$out/npystore.lib"
cp "$lib/libnpystore.dll.a" "$lib/libnpystore.a" "$out/"
"$mingw" "${c_flags[@]}" -o "$out/test_api-lib.exe" bindings/c/tests/test_api.c "$out/npystore.lib" "${c_libs[@]}"
x86_64-w64-mingw32-objdump -p "$out/test_api-lib.exe" | grep 'DLL Name: npystore.dll' >/dev/null ||
  { echo "windows.sh: test_api-lib.exe does not import npystore.dll" >&2; exit 1; }
failed=()
c_test test_api-lib "$out/test_api-lib.exe"
[ ${#failed[@]} -eq 0 ] || { echo "windows.sh: test_api.c linked against npystore.lib failed" >&2; exit 1; }
echo "test_api.c linked against npystore.lib (llvm-dlltool, from npystore.def) passes under Wine"

# The CMake package for Windows: the library's CMake build with the MinGW toolchain
# file (cmake/mingw-w64-x86_64.cmake; its cargo call finds the cross-build above
# fresh), installed into $out/prefix, then the consumer example built against that
# install and run by ctest under Wine (the toolchain file's emulator).
step "CMake with cmake/mingw-w64-x86_64.cmake: install, then the consumer example"
winprefix=$out/prefix
toolchain=(-DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64-x86_64.cmake" --log-level=WARNING)
cmake_log=$out/cmake.log
windows_cmake() {
  cmake -S . -B "$out/cmake" "${toolchain[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$winprefix" "-DNPYSTORE_CARGO_ARGS=--locked;-Zbuild-std=std,panic_unwind" &&
    RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 cmake --build "$out/cmake" &&
    rm -rf "$winprefix" && cmake --install "$out/cmake" &&
    cmake -S bindings/c/examples/consumer -B "$out/consumer" "${toolchain[@]}" \
      -DCMAKE_PREFIX_PATH="$winprefix" &&
    cmake --build "$out/consumer"
}
timed "cmake install and consumer build" windows_cmake >"$cmake_log" 2>&1 ||
  { cat "$cmake_log" >&2; echo "windows.sh: the Windows CMake build failed" >&2; exit 1; }
for f in bin/npystore.dll lib/libnpystore.dll.a lib/libnpystore.a include/npystore.h \
  lib/cmake/npystore/npystoreConfig.cmake; do
  [ -f "$winprefix/$f" ] || { echo "windows.sh: $winprefix/$f was not installed" >&2; exit 1; }
done
cp "$out/bcryptprimitives.dll" "$out/consumer/" # Wine's missing DLL, beside the programs
ctest --test-dir "$out/consumer" --output-on-failure --no-tests=error

# The MATLAB MEX sources compiled for Windows with mingw against Octave's mex.h (the
# matlab stage installs Octave's headers), with the warnings as errors; Octave's
# mex.h defines HAVE_OCTAVE, so this is the Octave build, C++ file included. Then
# linked as a Windows DLL (npystore_mex.mexw64) against libnpystore.dll.a and a
# stand-in import library for the host's symbols, made from the symbols the objects
# leave undefined: it shows that nothing else is missing on Windows, not that MATLAB
# or Octave on Windows loads it (neither is here).
mex_h=$(find /usr/include -path '*octave*' -name mex.h -print -quit 2>/dev/null || true)
if [ -z "$mex_h" ]; then
  echo "windows.sh: no Octave mex.h under /usr/include (scripts/setup-system.sh installs it)" >&2
  exit 1
fi
step "$mingw bindings/matlab/mex/*.c and *.cc against $mex_h"
mexdir=$out/mex
rm -rf "$mexdir" && mkdir -p "$mexdir"
octinc=$(dirname "$(dirname "$mex_h")")
mex_flags=(-c -O2 -Wall -Wextra -Werror -DMX_HAS_INTERLEAVED_COMPLEX=1 -DNPYSTORE_HAVE_WRITER
  -I"$octinc" -I"$(dirname "$mex_h")" -Iinclude -Ibindings/matlab/mex)
objs=()
for src in bindings/matlab/mex/*.c bindings/matlab/mex/*.cc; do
  obj=$mexdir/$(basename "$src").o
  case $src in
    *.cc) x86_64-w64-mingw32-g++ "${mex_flags[@]}" -o "$obj" "$src" ;; # Octave's C++ (nsm_feval.cc)
    *) "$mingw" "${mex_flags[@]}" -o "$obj" "$src" ;;
  esac
  objs+=("$obj")
done
# The host's functions and data: mx*/mex*, and Octave's interrupt state and C++
# interrupt exception that the progress callback reads (nsm_progress.c, nsm_feval.cc).
host_symbols=$(x86_64-w64-mingw32-nm -u "${objs[@]}" |
  awk '$2 ~ /^mex|^mx|^octave_|^_Z[A-Z]*N6octave/ {print $2}' | sort -u)
{ echo "LIBRARY liboctinterp.dll"; echo "EXPORTS"; echo "$host_symbols"; } >"$mexdir/host.def"
x86_64-w64-mingw32-dlltool -d "$mexdir/host.def" -l "$mexdir/libhost.dll.a"
x86_64-w64-mingw32-g++ -shared -static-libgcc -static-libstdc++ -o "$mexdir/npystore_mex.mexw64" \
  "${objs[@]}" -L"$lib" -l:libnpystore.dll.a "$mexdir/libhost.dll.a"
echo "MEX: ${#objs[@]} sources compiled for Windows (-Wall -Wextra -Werror), linked as" \
  "npystore_mex.mexw64 with $(echo "$host_symbols" | wc -l) host functions and data left to the host"

# The library's unit tests and the integration suites (tests/*.rs), cross-built in
# one cargo run (one build of the library and its dependencies for both) and run
# under Wine (the Unix-only tests are not compiled for Windows; the Windows file
# store's own are). The suites reach the host's numpy and boto3 through
# tests/windows/oracle_relay.py (a Windows process under Wine cannot run a Linux
# program and learn its exit status), and S3 through moto on loopback: the one
# scripts/test.sh started (NPYSTORE_S3_*), else one started here and stopped at exit.
step "cargo test --lib --tests --no-run --target $triple"
test_log=$out/test-build.log
test_build() { cross_cargo test --lib --tests --no-run >"$test_log" 2>&1 || { cat "$test_log" >&2; return 1; }; }
timed "test build" test_build
# "Executable unittests src/lib.rs (path)" and "Executable tests/x.rs (path)".
mapfile -t suites < <(sed -nE 's/^ *Executable (unittests src\/lib\.rs|tests\/[a-z0-9_]+\.rs) \((.*)\)$/\1|\2/p' "$test_log")
[ "${#suites[@]}" -gt 1 ] || { cat "$test_log" >&2; echo "windows.sh: no test executables" >&2; exit 1; }
mkdir -p "$out/tests"
cp "$out/bcryptprimitives.dll" "$out/tests/"

servers_here=()
stop_servers() {
  local s
  for s in "${servers_here[@]}"; do
    case $s in
      relay) kill "$relay_pid" 2>/dev/null || true ;;
      s3) scripts/s3-server.sh stop moto || true ;;
    esac
  done
}
trap 'stop_servers; stop_wine; rm -rf "$store"' EXIT
if [ -z "${NPYSTORE_S3_ENDPOINT:-}" ]; then
  step "scripts/s3-server.sh start moto"
  servers_here+=(s3)
  eval "$(scripts/s3-server.sh start moto)"
fi
: "${NPYSTORE_PYTHON:?windows.sh: NPYSTORE_PYTHON (numpy) must be set for the oracles}"
rm -f "$out/relay.port"
python3 tests/windows/oracle_relay.py "$out/relay.port" 2>"$out/relay.log" &
relay_pid=$!
servers_here+=(relay)
for _ in $(seq 1 100); do [ -s "$out/relay.port" ] && break; sleep 0.1; done
[ -s "$out/relay.port" ] || { cat "$out/relay.log" >&2; echo "windows.sh: the oracle relay did not start" >&2; exit 1; }
export NPYSTORE_ORACLE_RELAY=127.0.0.1:$(cat "$out/relay.port")
# Only S3 is served here: the remote suites must run against it, not skip it.
export NPYSTORE_REMOTE_REQUIRED=1

# One suite under Wine, from the repository (the tests find their fixtures by the
# compile-time repository path, which Wine resolves on drive Z:). Prints its counts.
total_run=0 total_passed=0 total_ignored=0
failed=()
run_suite() { # name exe
  local name=$1 exe=$out/tests/$1.exe rc=0 t=$SECONDS counts passed failed_n ignored
  ln -f "$2" "$exe" 2>/dev/null || cp "$2" "$exe"
  timeout 900 wine "$exe" --test-threads=2 >"$out/tests/$name.log" 2>&1 || rc=$?
  tr -d '\r' <"$out/tests/$name.log" >"$out/tests/$name.txt"
  counts=$(grep -E '^test result' "$out/tests/$name.txt" | tail -n 1)
  passed=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$counts")
  failed_n=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$counts")
  ignored=$(sed -nE 's/.* ([0-9]+) ignored.*/\1/p' <<<"$counts")
  passed=${passed:-0} failed_n=${failed_n:-0} ignored=${ignored:-0}
  total_run=$((total_run + passed + failed_n))
  total_passed=$((total_passed + passed))
  total_ignored=$((total_ignored + ignored))
  printf '%-18s %3d run, %3d passed, %2d skipped (exit %d, %d s)\n' \
    "$name" $((passed + failed_n)) "$passed" "$ignored" "$rc" $((SECONDS - t))
  # Why each skipped group is skipped: the reason of its #[ignore = "..."].
  sed -nE 's/^test .* \.\.\. ignored, (.*)$/\1/p' "$out/tests/$name.txt" | sort | uniq -c |
    sed -E 's/^ *([0-9]+) (.*)$/    skipped \1: \2/'
  if [ "$rc" -ne 0 ] || [ -z "$counts" ]; then
    cat "$out/tests/$name.txt" >&2
    failed+=("$name")
  fi
}
# Suites not run here, with why; their tests count as skipped.
declare -A not_here=(
  [remote_gcs]="needs fake-gcs-server, which this stage does not start (the remote stage runs it)"
  [db_postgres]="needs PostgreSQL with DataJoint's tables, which this stage does not start (the db stage runs it)"
)
skip_suite() { # name exe
  local n exe=$out/tests/$1.exe
  ln -f "$2" "$exe" 2>/dev/null || cp "$2" "$exe"
  n=$(wine "$exe" --list 2>/dev/null | tr -d '\r' | grep -c ': test$' || true)
  total_ignored=$((total_ignored + n))
  printf '%-18s %3d run, %3d passed, %2d skipped\n    skipped %d: %s\n' "$1" 0 0 "$n" "$n" "${not_here[$1]}"
}
step "the test executables under Wine (${#suites[@]})"
for line in "${suites[@]}"; do
  src=${line%%|*}
  case $src in
    unittests*) name=npystore-unit ;;
    *) name=$(basename "$src" .rs) ;;
  esac
  if [ -n "${not_here[$name]:-}" ]; then
    skip_suite "$name" "${line#*|}"
  else
    run_suite "$name" "${line#*|}"
  fi
done
echo "Rust tests under Wine: ${#suites[@]} executables, $total_run run, $total_passed passed," \
  "$total_ignored skipped, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
[ ${#failed[@]} -eq 0 ] || { echo "windows.sh: failed under Wine: ${failed[*]}" >&2; exit 1; }

# Cross-read (issue 15): what the Windows build puts, the Linux build and numpy read,
# and the other way round, on one file store (the same folder: Z: under Wine) and on
# S3 (moto): the roles cross_put and cross_get of tests/cross_read.rs, and
# tests/oracles/cross_check.py.
step "cargo test --test cross_read --no-run (Linux)"
cross_log=$out/cross-linux-build.log
nice -n 10 cargo test --release --locked --test cross_read --no-run >"$cross_log" 2>&1 ||
  { cat "$cross_log" >&2; exit 1; }
linux_cross=$(sed -nE 's/^ *Executable tests\/cross_read\.rs \((.*)\)$/\1/p' "$cross_log")
[ -x "$linux_cross" ] || { cat "$cross_log" >&2; echo "windows.sh: no Linux cross_read" >&2; exit 1; }
cross_role() { # windows|linux put|get STORE SIDE
  local log=$out/cross-$1-$2.log rc=0
  local cmd=("$linux_cross")
  [ "$1" = windows ] && cmd=(wine "$out/tests/cross_read.exe")
  NPYSTORE_CROSS_STORE=$3 NPYSTORE_CROSS_SIDE=$4 \
    "${cmd[@]}" --ignored --exact "cross_$2" --nocapture --test-threads=1 >"$log" 2>&1 || rc=$?
  tr -d '\r' <"$log" | grep -E '^(put|read) ' | sed -E "s/^/    $1 /" || true
  [ "$rc" -eq 0 ] || { tr -d '\r' <"$log" >&2; echo "windows.sh: cross_$2 on $1 failed ($3)" >&2; exit 1; }
}
cross_dir=$store/cross
mkdir -p "$cross_dir"
cross_location=cross-$$-$RANDOM
for kind in file s3; do
  if [ "$kind" = file ]; then
    linux_spec=file:$cross_dir win_spec="file:Z:${cross_dir//\//\\}" where=$cross_dir
  else
    linux_spec=s3:$cross_location win_spec=s3:$cross_location where=$cross_location
  fi
  step "cross-read on a $kind store: Windows puts, Linux and numpy read"
  cross_role windows put "$win_spec" windows
  cross_role linux get "$linux_spec" windows
  "$NPYSTORE_PYTHON" tests/oracles/cross_check.py "$kind" "$where" windows
  step "cross-read on a $kind store: Linux puts, Windows and numpy read"
  cross_role linux put "$linux_spec" linux
  cross_role windows get "$win_spec" linux
  "$NPYSTORE_PYTHON" tests/oracles/cross_check.py "$kind" "$where" linux
done
echo "cross-read: Windows and Linux builds and numpy agree on 3 arrays each way, file and S3"
