#!/usr/bin/env bash
# ./dev bench bombs — time and memory `schoolyard serve` spends refusing each request bomb of
# issue 9 (bench/bombs.py sends them one at a time and reads the server's VmHWM). Loopback only,
# private data dir. Knobs: BENCH_TIMEOUT (60, seconds per bomb before giving up),
# BENCH_BASELINE_BINARY (another schoolyard binary, e.g. a build of an older commit, measured
# first for comparison).
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench bombs sets it)}"
TIMEOUT=${BENCH_TIMEOUT:-60}
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/scripts/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "bench bombs: $*" >&2; exit 1; }

run_one() {  # run_one LABEL BINARY
  local label=$1 bin=$2 port pid
  port=$(free_port)
  mkdir -p "$TMP/$label"
  SCHOOLYARD_DATA_DIR="$TMP/$label" SCHOOLYARD_PORT=$port SCHOOLYARD_WORKERS=0 SCHOOLYARD_HTTP_THREADS=2 \
    "$bin" serve >"$TMP/$label.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/healthz" 30 || { cat "$TMP/$label.log" >&2; die "$label did not start"; }
  echo "### $label ($(basename "$bin"), idle RSS $(awk '/^VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status))"
  /usr/bin/python3 "$HERE/bombs.py" "$port" "$pid" "$TIMEOUT"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo
}

[[ -n ${BENCH_BASELINE_BINARY:-} ]] && run_one baseline "$BENCH_BASELINE_BINARY"
run_one schoolyard "$SY_BINARY"
