# Sourced by scripts/s3-server.sh, scripts/azurite.sh and scripts/gcs-server.sh: run
# one background server on a free loopback port, keeping its pid, log and export
# lines in $state so that `stop` (and a later `start`, which reuses a live server)
# can find them.
# The caller sets: state (directory), name (for messages).

die() { echo "$name: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True once something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

server_running() {
  [ -f "$state/pid" ] && [ -f "$state/env" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null
}

# server_launch PORT CMD...: start CMD in the background, wait (60 s at most) for PORT.
server_launch() {
  local port=$1 i
  shift
  mkdir -p "$state"
  "$@" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  for i in $(seq 1 600); do
    port_open "$port" && return 0
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { cat "$state/log" >&2; die "the server exited"; }
    sleep 0.1
  done
  cat "$state/log" >&2
  die "nothing listens on 127.0.0.1:$port after 60 s"
}

server_stop() {
  if [ -f "$state/pid" ]; then
    local pid i
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  [ -f "$state/data" ] && rm -rf "$(cat "$state/data")"
  rm -rf "$state"
}
