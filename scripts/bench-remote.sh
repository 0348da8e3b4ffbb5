#!/usr/bin/env bash
# Remote-store benchmarks (not part of CI): npystore against DataJoint 2.3.5's own
# Python path on the same S3 server in the same run, printed as ratios, on moto and
# on s3s-fs (each started here on loopback and stopped at the end).
#   scripts/bench-remote.sh [moto] [s3s]     default: both
# Needs the release library (built here), the test virtualenv (numpy, datajoint;
# $NPYSTORE_PYTHON or scripts/python-env.sh) and, for s3s, `cargo install s3s-fs@0.14.1
# --features binary --locked`. Environment: NPYSTORE_BENCH_REPEAT (default 3),
# NPYSTORE_BENCH_REFS (default 1000), NPYSTORE_BENCH_SAMPLES (default 100000: the
# partial reads' recording), NPYSTORE_BENCH_SECTIONS=4 (the partial reads only).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cargo build --release --locked --lib
py=${NPYSTORE_PYTHON:-$(scripts/python-env.sh)}
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(moto s3s)
running=
trap '[ -z "$running" ] || scripts/s3-server.sh stop "$running"' EXIT
for kind in "${kinds[@]}"; do
  if [ "$kind" = s3s ] && ! command -v s3s-fs >/dev/null; then
    echo "== s3s: s3s-fs not installed (cargo install s3s-fs@0.14.1 --features binary --locked); skipped"
    continue
  fi
  running=$kind
  env_lines=$(scripts/s3-server.sh start "$kind")
  (
    eval "$env_lines"
    NPYSTORE_BENCH_SERVER=$kind NPYSTORE_LIB=$repo/target/release/libnpystore.so \
      "$py" benches/remote_bench.py
  )
  scripts/s3-server.sh stop "$kind"
  running=
done
