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
