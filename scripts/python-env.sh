#!/usr/bin/env bash
# Create (or reuse) the test virtualenv and print its python's path on stdout.
# Location: $NPYSTORE_VENV, default <repo>/.venv. Idempotent: reinstalls only when
# the requirements ($NPYSTORE_VENV_REQUIREMENTS, default requirements-test.txt)
# changed since the last successful install.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${NPYSTORE_VENV:-$repo/.venv}
req=${NPYSTORE_VENV_REQUIREMENTS:-$repo/scripts/requirements-test.txt}
stamp=$venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
