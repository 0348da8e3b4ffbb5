#!/usr/bin/env bash
# Install the cargo-installed tools the build and tests use, when missing or at
# another version: cbindgen (tests/header_fresh.rs regenerates the header with it).
set -euo pipefail
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

cbindgen_version=0.29.4
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $cbindgen_version" ]; then
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! cargo install --quiet --locked "cbindgen@$cbindgen_version" >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-tools.sh: cargo install cbindgen@$cbindgen_version failed" >&2
    exit 1
  fi
fi
