#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers with libFuzzer (fuzz/, cargo-fuzz layout).
#
#   scripts/fuzz.sh                      every target for 60 s each
#   scripts/fuzz.sh -t 600 header json   those targets for 600 s each
#   scripts/fuzz.sh -n 10000000          every target for 10 million executions each
#
# Built on the STABLE toolchain with the flags cargo-fuzz passes (SanitizerCoverage
# via -Cpasses=sancov-module, --cfg fuzzing, debug assertions, overflow checks); no
# nightly and no cargo-fuzz needed. No AddressSanitizer by default: the code fuzzed is
# safe Rust, where a bug is a panic, which libFuzzer reports as a crash. Set
# NPYSTORE_FUZZ_ASAN=1 to add -Zsanitizer=address (unstable flag, enabled on stable
# through RUSTC_BOOTSTRAP=1; the stable toolchain ships the ASan runtime).
#
# Corpora grow in $NPYSTORE_BUILD_DIR/fuzz/corpus/<target>, seeded from
# fuzz/seeds/<target> (numpy-written, made by fuzz/make_seeds.py); findings land in
# .../fuzz/artifacts/<target>/ and make the script fail. A finding must become a
# regression test in tests/fuzz_regressions.rs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
build=${NPYSTORE_BUILD_DIR:-$repo/build}/fuzz
all_targets=(header dtype json config)

seconds=60
runs=
while getopts "t:n:" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    n) runs=$OPTARG ;;
    *) echo "usage: $0 [-t seconds | -n executions] [target...] (${all_targets[*]})" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

triple=$(rustc -vV | sed -n 's/^host: //p')
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
flags+=" -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares"
flags+=" --cfg fuzzing -Cdebug-assertions -Coverflow-checks -Cforce-frame-pointers"
if [ -n "${NPYSTORE_FUZZ_ASAN:-}" ]; then
  flags+=" -Zsanitizer=address"
  export RUSTC_BOOTSTRAP=1
fi
# --target keeps RUSTFLAGS off build scripts and proc macros, as cargo-fuzz does.
RUSTFLAGS="$flags" cargo build --quiet --release --locked --manifest-path fuzz/Cargo.toml \
  --target "$triple" --target-dir "$build/target" --bins

failed=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t artifacts=$build/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  cp -n fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  limit=(-max_total_time="$seconds")
  [ -z "$runs" ] || limit=(-runs="$runs")
  log=$build/$t.log
  echo "fuzz $t: ${limit[0]#-}, log $log"
  rc=0
  nice "$build/target/$triple/release/$t" "${limit[@]}" -max_len=8192 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  found=$(find "$artifacts" -type f | wc -l)
  echo "fuzz $t: ${execs:-?} executions in ${secs:-?} s, corpus $(ls "$corpus" | wc -l) inputs, findings $found, exit $rc"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    tail -40 "$log" >&2
    failed=1
  fi
done
exit "$failed"
