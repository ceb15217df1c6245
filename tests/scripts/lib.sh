# Shared helpers for script tests (sourced). Each test runs the real binary on loopback.
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary}"
TMP=$(mktemp -d "${SY_TEST_TMP:-/tmp}/script.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # wait_http URL [seconds]
  for _ in $(seq $((${2:-20} * 10))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# start_server NAME [env...]: starts `schoolyard serve` with a private data dir; sets PORT, BASE, LOG
start_server() {
  local name=$1; shift
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  LOG="$TMP/$name.log"
  env SCHOOLYARD_DATA_DIR="$TMP/$name-data" SCHOOLYARD_PORT="$PORT" SCHOOLYARD_WORKERS="${SCHOOLYARD_WORKERS:-1}" "$@" \
    "$SY_BINARY" serve >"$LOG" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_http "$BASE/healthz" 30 || { cat "$LOG"; fail "server $name did not start"; }
}
# nginx_conf DIR [WORKER_CONNECTIONS] < HTTP_BLOCK: writes DIR/nginx.conf for an unprivileged nginx
# with its pid, logs (DIR/logs/error.log, access.log) and temp folders inside DIR; standard input
# is what goes inside `http { }` (upstreams and servers).
nginx_conf() {
  local dir=$1
  mkdir -p "$dir/logs"
  {
    printf 'worker_processes 1;\nerror_log %s/logs/error.log;\npid %s/nginx.pid;\n' "$dir" "$dir"
    printf 'events { worker_connections %s; }\nhttp {\n' "${2:-256}"
    printf '  access_log %s/logs/access.log;\n' "$dir"
    printf '  client_body_temp_path %s/body;\n' "$dir"
    local t
    for t in proxy fastcgi uwsgi scgi; do printf '  %s_temp_path %s/%s;\n' "$t" "$dir" "$t"; done
    cat
    printf '}\n'
  } >"$dir/nginx.conf"
}
# start_nginx DIR: runs the nginx DIR/nginx.conf describes (in the foreground, killed by cleanup).
start_nginx() {
  nginx -p "$1" -c "$1/nginx.conf" -g 'daemon off; master_process off;' &
  PIDS+=($!)
}
