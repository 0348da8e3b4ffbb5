#!/usr/bin/env bash
# Install the Debian packages the build and the tests need, when missing.
# Idempotent and quiet; runs apt-get only when something is missing. As root it
# installs; otherwise it names what to install and fails.
#   scripts/setup-system.sh [PACKAGE...]   the list below, plus PACKAGE... (a stage's
#                                          own toolchain, e.g. scripts/setup-windows.sh)
set -euo pipefail

# Extend this list as bindings and tests need more.
packages=(
  build-essential # gcc, g++, make, libc headers
  cmake
  pkg-config
  valgrind
  strace          # counts the system calls of small reads (bindings/c/tests/count_syscalls.sh)
  postgresql      # server for the DataJoint round-trip tests (scripts/postgres.sh)
  postgresql-client
  python3-venv    # scripts/python-env.sh
  octave          # runs the MATLAB binding's tests (octave-cli)
  octave-dev      # mkoctfile --mex and the MEX headers (liboctave-dev is its dummy)
  nodejs          # Azurite (scripts/azurite.sh installs it with npm)
  "$@"            # what the calling script adds
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system.sh: missing Debian packages: ${missing[*]}" >&2
  echo "  install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
  >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup-system.sh: failed to install: ${missing[*]}" >&2
  exit 1
fi
echo "setup-system.sh: installed ${missing[*]}" >&2
