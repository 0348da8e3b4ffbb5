#!/usr/bin/env bash
# An S3 server on loopback for the remote-store tests and benchmarks.
#   eval "$(scripts/s3-server.sh start [moto|s3s])"  start one (or reuse the running
#        one) with an empty bucket, and export NPYSTORE_S3_ENDPOINT, NPYSTORE_S3_BUCKET,
#        NPYSTORE_S3_ACCESS_KEY, NPYSTORE_S3_SECRET_KEY
#   scripts/s3-server.sh stop [moto|s3s]
# moto (default): `moto_server` from its own virtualenv ($NPYSTORE_MOTO_VENV, default
#   <repo>/.venv-moto, pinned by scripts/requirements-moto.txt: moto's pins conflict
#   with datajoint[s3]). Started with INITIAL_NO_AUTH_ACTION_COUNT=3, spent by
#   scripts/moto-credentials.py on an IAM user and key, so it checks credentials and
#   signatures from then on (NPYSTORE_S3_CHECKS_AUTH=1 is exported).
# s3s: `s3s-fs` (benchmarks only; install it with
#   `cargo install s3s-fs@0.14.1 --features binary --locked`), serving a fresh /tmp
#   directory and checking signatures against a random key pair.
# State (pid, log, export lines) lives in <repo>/.tmp/s3-<kind>.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
kind=${2:-moto}
state=$repo/.tmp/s3-$kind
name="s3-server.sh ($kind)"
# shellcheck source=scripts/server-lib.sh
. "$repo/scripts/server-lib.sh"
bucket=npystore-test

start() {
  if server_running; then cat "$state/env"; return; fi
  server_stop
  local port access secret auth= admin=
  port=$(free_port)
  access=npy$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  secret=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  case $kind in
    moto)
      local py
      py=$(NPYSTORE_VENV=${NPYSTORE_MOTO_VENV:-$repo/.venv-moto} \
        NPYSTORE_VENV_REQUIREMENTS=$repo/scripts/requirements-moto.txt "$repo/scripts/python-env.sh")
      server_launch "$port" env INITIAL_NO_AUTH_ACTION_COUNT=3 "$(dirname "$py")/moto_server" -H 127.0.0.1 -p "$port"
      read -r access secret < <("$py" "$repo/scripts/moto-credentials.py" "http://127.0.0.1:$port" "$bucket") ||
        die "cannot create the IAM key and bucket $bucket"
      [ -n "$secret" ] || die "no credentials from moto-credentials.py"
      auth=" NPYSTORE_S3_CHECKS_AUTH=1"
      admin=" NPYSTORE_S3_ADMIN_PYTHON=$py"
      ;;
    s3s)
      local bin data
      auth=" NPYSTORE_S3_CHECKS_AUTH=1"
      bin=$(command -v s3s-fs || echo "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs")
      [ -x "$bin" ] || die "s3s-fs not installed: cargo install s3s-fs@0.14.1 --features binary --locked"
      mkdir -p "$state"
      data=$(mktemp -d /tmp/npystore-s3s.XXXXXX)
      echo "$data" >"$state/data"
      mkdir "$data/$bucket"
      server_launch "$port" "$bin" --host 127.0.0.1 --port "$port" \
        --access-key "$access" --secret-key "$secret" "$data"
      ;;
    *) die "unknown server kind '$kind' (moto|s3s)" ;;
  esac
  echo "export NPYSTORE_S3_ENDPOINT=http://127.0.0.1:$port NPYSTORE_S3_BUCKET=$bucket" \
    "NPYSTORE_S3_ACCESS_KEY=$access NPYSTORE_S3_SECRET_KEY=$secret$auth$admin" >"$state/env"
  cat "$state/env"
}

case $cmd in
  start) start ;;
  stop) server_stop ;;
  *) echo "usage: $0 start|stop [moto|s3s]" >&2; exit 2 ;;
esac
