#!/usr/bin/env bash
# THE test command (README; .ci/run calls it): prepares the machine, then builds and
# tests everything. Stops at the first failing stage and exits non-zero.
#   scripts/test.sh            all stages
#   scripts/test.sh c consumer only those stages (each needs what earlier ones made)
# Stages: see `all_stages` below; add one by writing stage_<name> and listing it.
# The library is built once (cargo test --release); CMake reuses that build.
# Environment: NPYSTORE_BUILD_DIR (default <repo>/build), NPYSTORE_VENV (python-env.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
build=${NPYSTORE_BUILD_DIR:-$repo/build}
prefix=$build/prefix
jobs=$(nproc 2>/dev/null || echo 2)

all_stages=(system tools python rust remote cmake c consumer windows header-check matlab db pytest fuzz)

# Run a command with its output kept back, shown only when it fails.
quiet() {
  local log rc=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || cat "$log" >&2
  rm -f "$log"
  return "$rc"
}

ensure_python() {
  if [ -z "${NPYSTORE_PYTHON:-}" ]; then
    NPYSTORE_PYTHON=$(scripts/python-env.sh)
    export NPYSTORE_PYTHON
  fi
}

# Configure, build and run the ctest project in $1 against the installed prefix.
ctest_project() {
  local src=$1 bin=$2
  quiet cmake -S "$src" -B "$bin" -DCMAKE_PREFIX_PATH="$prefix" --log-level=WARNING
  quiet cmake --build "$bin" -j "$jobs"
  ctest --test-dir "$bin" --output-on-failure --no-tests=error -j "$jobs"
}

stage_system() { scripts/setup-system.sh; }
stage_tools() { scripts/install-tools.sh; }
stage_python() { ensure_python; echo "NPYSTORE_PYTHON=$NPYSTORE_PYTHON"; }

stage_rust() {
  ensure_python # Rust tests compare against numpy through $NPYSTORE_PYTHON
  # src/ffi denies unwrap/expect/panic/indexing (a panic there must never reach C);
  # only such denied lints fail here.
  cargo clippy --release --locked --lib
  cargo test --release --locked
  # The portable POSIX path that macOS and the BSDs take (no openat2, no /proc), made
  # the Linux build's by the test-only portable-posix feature (issue 15): the unit
  # tests (file store, maps) and the file-store integration tests again. The feature
  # rebuilds only npystore itself, not its dependencies.
  local t=$SECONDS
  cargo test --release --locked --features portable-posix --lib --test store_file --test mmap_hazard
  echo "portable-posix run: $((SECONDS - t)) s"
}

stage_cmake() {
  quiet cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    --log-level=WARNING
  quiet cmake --build "$build" -j "$jobs"
  rm -rf "$prefix" # no stale files from earlier installs
  quiet cmake --install "$build"
  echo "installed into $prefix"
}

stage_c() {
  start_server s3 # test_bulk.c and test_bad_inputs.c run their S3 parts when it is set
  ctest_project bindings/c/tests "$build/c-tests"
}
stage_consumer() { ctest_project bindings/c/examples/consumer "$build/consumer"; }
# Windows x64 (issue 15): Debian's rustc, mingw-w64 and Wine from the project's setup
# script, then the cross-built DLL and the C programs run under Wine (scripts/windows.sh).
stage_windows() {
  ensure_python # numpy reads what the Windows build wrote
  start_server s3 # the S3 suites and the cross-read under Wine (scripts/windows.sh)
  scripts/setup-windows.sh
  scripts/windows.sh
}
# The wrappers that declare C calls by hand, checked against the header without
# running them: the Julia package's ccalls (no Julia binary here; docs/julia.md) and
# the parity suite's ctypes declarations (tests/parity/check_ctypes.py). The pytest
# stage runs both checkers' self-tests (test_julia_bindings.py, test_ctypes_header.py).
stage_header-check() {
  ensure_python
  "$NPYSTORE_PYTHON" bindings/julia/check/check_ccalls.py --header include/npystore.h
  "$NPYSTORE_PYTHON" tests/parity/check_ctypes.py --header include/npystore.h
}

# The MATLAB binding, built with mkoctfile against the installed library and tested
# in Octave (octave-cli exits non-zero on failure; its "ignoring const
# execution_exception" line at exit is noise of Debian's build).
stage_matlab() {
  ensure_python # the suite checks round trips with numpy
  start_server s3 # tests/test_s3_slices.m counts the bytes r(...) reads from S3
  local mexdir=$build/matlab
  mkdir -p "$mexdir"
  export NPYSTORE_MEX_DIR=$mexdir
  octave-cli --no-gui --norc --eval \
    "addpath('$repo/bindings/matlab'); npystore_build('prefix', '$prefix', 'outdir', '$mexdir');"
  (cd bindings/matlab/tests && octave-cli --no-gui --norc --eval 'exit(run_tests() > 0)')
  # Octave's in-place loader writes into Octave's own arrays: once more under valgrind.
  (cd bindings/matlab/tests && quiet valgrind --error-exitcode=1 octave-cli --no-gui --norc \
    --eval "in_place_smoke('$mexdir')")
}

# S3 (moto), Azure (Azurite) and GCS (fake-gcs-server) servers on loopback, started
# once per run for the stages that need them and stopped by finish(); their export
# lines set NPYSTORE_S3_*, NPYSTORE_AZURE_* and NPYSTORE_GCS_* (scripts/s3-server.sh,
# scripts/azurite.sh, scripts/gcs-server.sh).
servers_started=()
start_server() { # s3 | azurite | gcs
  [[ " ${servers_started[*]} " == *" $1 "* ]] && return 0
  servers_started+=("$1")
  local env_lines
  case $1 in
    s3) env_lines=$(scripts/s3-server.sh start moto) ;;
    azurite) env_lines=$(scripts/azurite.sh start) ;;
    gcs) env_lines=$(scripts/gcs-server.sh start) ;;
  esac
  eval "$env_lines"
}

stage_remote() {
  ensure_python
  start_server s3
  start_server azurite
  start_server gcs
  # The suites with remote stores in their store lists (and the GCS read suite);
  # without a server they skip them in the rust stage, here a missing server fails
  # (tests/common/remote.rs).
  NPYSTORE_REMOTE_REQUIRED=1 cargo test --release --locked --test remote_store \
    --test remote_gcs --test remote_pinned --test remote_faults --test writer_roundtrip \
    --test writer_crash --test put_crash --test stress
}

postgres_started=
# The db layer on tables DataJoint declares in a real PostgreSQL (tests/db_postgres.rs);
# in the rust stage it skips without a server, here a missing server fails. The
# cluster stays up for the pytest stage, and is stopped at exit.
stage_db() {
  ensure_python
  postgres_started=1
  local pg_env
  pg_env=$(scripts/postgres.sh start)
  eval "$pg_env"
  NPYSTORE_DB_REQUIRED=1 cargo test --release --locked --test db_postgres
}

stage_pytest() {
  if ! find tests/parity -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | grep -q .; then
    echo "no Python tests in tests/parity yet"
    return 0
  fi
  ensure_python
  postgres_started=1
  local pg_env
  pg_env=$(scripts/postgres.sh start)
  eval "$pg_env"
  start_server s3 # test_datajoint_s3.py
  export NPYSTORE_PREFIX=$prefix
  local rc=0
  "$NPYSTORE_PYTHON" -m pytest -q tests/parity || rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests"
    rc=0
  fi
  return "$rc"
}

# Coverage-guided fuzzing of the parsers, a minute per target (docs/hardening.md has
# the long runs). Its own build: the targets need coverage instrumentation.
stage_fuzz() { scripts/fuzz.sh -t "${NPYSTORE_FUZZ_SECONDS:-60}"; }

current=
finish() {
  local rc=$?
  if [ -n "$postgres_started" ]; then scripts/postgres.sh stop || true; fi
  local server
  for server in "${servers_started[@]}"; do
    case $server in
      s3) scripts/s3-server.sh stop moto || true ;;
      azurite) scripts/azurite.sh stop || true ;;
      gcs) scripts/gcs-server.sh stop || true ;;
    esac
  done
  if [ "$rc" -ne 0 ]; then
    echo "test.sh: FAILED in stage '${current:-setup}' (exit $rc)" >&2
  fi
}
trap finish EXIT

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=("${all_stages[@]}")
for s in "${stages[@]}"; do
  declare -F "stage_$s" >/dev/null || { echo "test.sh: unknown stage '$s' (${all_stages[*]})" >&2; exit 2; }
done

start_all=$SECONDS
for s in "${stages[@]}"; do
  current=$s
  echo
  echo "==== test.sh: $s ===="
  t=$SECONDS
  "stage_$s"
  echo "---- $s ok ($((SECONDS - t)) s)"
done
current=
echo
echo "test.sh: all ${#stages[@]} stages passed in $((SECONDS - start_all)) s"
