#!/usr/bin/env bash
# Azurite (Azure Blob emulator) on loopback for the remote-store tests.
#   eval "$(scripts/azurite.sh start)"  start it (or reuse the running one) with an
#        empty container, and export NPYSTORE_AZURE_CONNECTION_STRING (Azurite's
#        well-known development account, BlobEndpoint on the chosen port),
#        NPYSTORE_AZURE_CONTAINER and AZURITE_BLOB_STORAGE_URL (for
#        `UseDevelopmentStorage=true` connection strings)
#   scripts/azurite.sh stop
# Azurite is installed with npm into <repo>/.tools/azurite (version pinned below) on
# first use; its data lives in a fresh /tmp directory, deleted by `stop`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=$repo/.tmp/azurite
name=azurite.sh
# shellcheck source=scripts/server-lib.sh
. "$repo/scripts/server-lib.sh"
version=3.37.0
tools=$repo/.tools/azurite
container=npystore-test
account=devstoreaccount1
# Azurite's published development key (not a secret).
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

install() {
  if [ "$(cat "$tools/.version" 2>/dev/null)" != "$version" ]; then
    mkdir -p "$tools"
    (cd "$tools" && npm install --no-audit --no-fund --loglevel=error "azurite@$version" >&2)
    echo "$version" >"$tools/.version"
  fi
}

start() {
  if server_running; then cat "$state/env"; return; fi
  server_stop
  install
  local port data endpoint
  port=$(free_port)
  mkdir -p "$state"
  data=$(mktemp -d /tmp/npystore-azurite.XXXXXX)
  echo "$data" >"$state/data"
  server_launch "$port" "$tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 \
    --blobPort "$port" --location "$data" --silent --skipApiVersionCheck
  endpoint="http://127.0.0.1:$port/$account"
  node "$repo/scripts/azure-create-container.js" "$endpoint" "$account" "$key" "$container" ||
    die "cannot create container $container"
  echo "export NPYSTORE_AZURE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=$endpoint;'" \
    "NPYSTORE_AZURE_CONTAINER=$container AZURITE_BLOB_STORAGE_URL=http://127.0.0.1:$port" >"$state/env"
  cat "$state/env"
}

case ${1:-} in
  start) start ;;
  stop) server_stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
