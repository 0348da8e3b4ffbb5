#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the DataJoint tests.
#   eval "$(scripts/postgres.sh start)"  start one (or reuse the running one) and
#                                        export DJ_BACKEND DJ_HOST DJ_PORT DJ_USER
#                                        DJ_PASS DJ_USE_TLS (DataJoint 2 settings)
#   scripts/postgres.sh env              print those export lines again
#   scripts/postgres.sh stop             stop it and delete its data (no-op if none)
# The cluster lives in a fresh /tmp directory, listens on a free loopback port only,
# and has one superuser with a random password. PostgreSQL refuses to run as root,
# so as root the server runs as the `postgres` user (created by the Debian package).
# State (the export lines, the data directory) is kept in $NPYSTORE_PG_STATE,
# default <repo>/.tmp/postgres, so `stop` finds what `start` made.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${NPYSTORE_PG_STATE:-$repo/.tmp/postgres}
user=npystore

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir=
for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
  if [ -x "$dir/initdb" ]; then bindir=$dir; break; fi
done
[ -n "$bindir" ] || die "PostgreSQL server not installed: run scripts/setup-system.sh"

# Run a server command as the cluster's owner, from a directory it can read.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

running() {
  [ -f "$state/env" ] && [ -f "$state/dir" ] &&
    as_owner "$bindir/pg_ctl" -D "$(cat "$state/dir")/data" status >/dev/null 2>&1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
  if [ -f "$state/dir" ]; then
    local dir
    dir=$(cat "$state/dir")
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -rf "$state"
}

start() {
  if running; then cat "$state/env"; return; fi
  stop # leftovers of a crashed run
  mkdir -p "$state"
  local dir password port
  dir=$(mktemp -d /tmp/npystore-pg.XXXXXX)
  echo "$dir" >"$state/dir"
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" -E UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/pwfile"
  # A port can be taken between choosing and binding it: try a few.
  local try
  for try in 1 2 3; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      break
    fi
    [ "$try" -eq 3 ] && { cat "$dir/server.log" >&2; die "the server did not start"; }
  done
  # Prove it over TCP with the password, as the tests will connect.
  [ "$(PGPASSWORD=$password psql -h 127.0.0.1 -p "$port" -U "$user" -d postgres -Atqc 'select 1' 2>&1)" = 1 ] ||
    { cat "$dir/server.log" >&2; die "psql cannot connect to 127.0.0.1:$port"; }
  echo "export DJ_BACKEND=postgresql DJ_HOST=127.0.0.1 DJ_PORT=$port DJ_USER=$user DJ_PASS=$password DJ_USE_TLS=false" >"$state/env"
  cat "$state/env"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) running || die "not running (scripts/postgres.sh start)"; cat "$state/env" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
