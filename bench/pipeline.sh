#!/usr/bin/env bash
# ./dev bench pipeline — upload → ready latency of the photo pipeline through the real HTTP API,
# and how a burst of uploads spreads over the workers:
#   1. single photos, one at a time      → the time one job takes (S)
#   2. BENCH_BURST photos uploaded at once → wall time, compared with ceil(BURST / workers) × S
# once per worker count in BENCH_WORKERS. Latencies come from the job rows (upload commit → ready
# commit), so polling does not blur them. Knobs (environment):
#   BENCH_WORKERS ("1 2")  BENCH_BURST (10)  BENCH_SINGLES (3)  BENCH_PHOTO (4032x3024 photo-like JPEG)
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench pipeline sets it)}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORKER_COUNTS=${BENCH_WORKERS:-1 2}
BURST=${BENCH_BURST:-10}
SINGLES=${BENCH_SINGLES:-3}
PY=/usr/bin/python3

# TMP, PIDS (killed on exit), fail, free_port, wait_http: the script tests' helpers.
source "$ROOT/tests/scripts/lib.sh"
now_ms() { $PY -c 'import time; print(int(time.time()*1000))'; }
# wait_done DB N SECONDS: until N jobs are done. One light poller process: polling must not steal
# the workers' CPU.
wait_done() {
  $PY - "$@" <<'PYEOF'
import sqlite3, sys, time
db, n, limit = sys.argv[1], int(sys.argv[2]), time.time() + int(sys.argv[3])
con = sqlite3.connect(db, timeout=5)
while time.time() < limit:
    if con.execute("SELECT COUNT(*) FROM jobs WHERE status = 'done'").fetchone()[0] >= n:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PYEOF
}
source "$ROOT/tests/jobs/pipeline_lib.sh"

PHOTO=${BENCH_PHOTO:-}
if [[ -z $PHOTO ]]; then
  PHOTO=$TMP/photo.jpg
  make_photo "$PHOTO" 4032 3024
fi
PHOTO_BYTES=$(stat -c %s "$PHOTO")

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# stats FILE_OF_MS: "p50 p95 max" in seconds
stats() {
  $PY - "$1" <<'PYEOF'
import sys
v = sorted(int(x) for x in open(sys.argv[1]).read().split())
q = lambda p: v[min(len(v) - 1, max(0, int(round(p * len(v) + 0.5)) - 1))]
print(f"{q(0.50)/1000:.2f} {q(0.95)/1000:.2f} {v[-1]/1000:.2f}")
PYEOF
}

# How many cores this run can actually get: two CPU-bound processes against one (2.0 on an idle
# 2-core machine; about 1 when something else keeps a core busy).
free_cores() {
  $PY - <<'PYEOF'
import multiprocessing as mp, time
def spin(n):
    x = 0
    for i in range(n): x += i
def run(k, n=3_000_000):
    t = time.perf_counter()
    ps = [mp.Process(target=spin, args=(n,)) for _ in range(k)]
    for p in ps: p.start()
    for p in ps: p.join()
    return time.perf_counter() - t
one = min(run(1) for _ in range(2))
two = min(run(2) for _ in range(2))
print(f"{2 * one / two:.2f}")
PYEOF
}

ROWS=()
PHASES=()
for W in $WORKER_COUNTS; do
  free=$(free_cores)
  D=$TMP/w$W
  mkdir -p "$D"
  export SCHOOLYARD_DATA_DIR=$D SCHOOLYARD_DB_URL=sqlite://$D/schoolyard.db SCHOOLYARD_STORAGE_URL=file://$D/objects
  export SCHOOLYARD_LOG_LEVEL=info
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  SCHOOLYARD_PORT=$PORT SCHOOLYARD_WORKERS=$W "$SY_BINARY" serve >"$D/serve.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  wait_http "$BASE/healthz" 30 || { cat "$D/serve.log" >&2; fail "serve did not start"; }
  n=$((SINGLES + BURST))
  sessions=()
  for i in $(seq "$n"); do
    add_student "bench$i" "bench-password-$i"
    sessions+=("$(login "bench$i" "bench-password-$i")")
  done

  # 1. One at a time.
  scpu0=$(cpu_ticks "$SERVER")
  for i in $(seq "$SINGLES"); do
    upload "${sessions[$((i - 1))]}" "$PHOTO" >/dev/null
    wait_done "$D/schoolyard.db" "$i" 120 || fail "single photo $i not ready"
  done
  jobs_field '"\n".join(str(j["finished_at_ms"]-j["created_at_ms"]) for j in jobs)' >"$D/single.ms"
  read -r s50 s95 smax <<<"$(stats "$D/single.ms")"
  per_photo=$($PY -c "print(f'{($(cpu_ticks "$SERVER") - $scpu0) / $TICKS / $SINGLES:.2f}')")

  # 2. A burst: every upload at once.
  cpu0=$(cpu_ticks "$SERVER")
  t0=$(now_ms)
  for i in $(seq "$BURST"); do
    upload "${sessions[$((SINGLES + i - 1))]}" "$PHOTO" >"$D/up$i" &
  done
  wait_ups=0
  for p in $(jobs -p); do [[ $p == "$SERVER" ]] || wait "$p" || wait_ups=1; done
  ((wait_ups == 0)) || fail "an upload of the burst failed"
  t_uploaded=$(now_ms)
  wait_done "$D/schoolyard.db" "$n" 600 || fail "burst not ready"
  jobs_field "\"\\n\".join(str(j['finished_at_ms']-j['created_at_ms']) for j in jobs[:$BURST])" >"$D/burst.ms"
  cpu1=$(cpu_ticks "$SERVER")
  t_last=$(jobs_field "max(j['finished_at_ms'] for j in jobs[:$BURST])")
  span=$(jobs_field "f\"{(max(j['finished_at_ms'] for j in jobs[:$BURST]) - min(j['started_at_ms'] for j in jobs[:$BURST])) / 1000:.2f}\"")
  # Most jobs running at the same moment (from the job rows' start and finish times).
  conc=$(jobs_field "max(sum(1 for k in jobs[:$BURST] if k['started_at_ms'] <= j['started_at_ms'] < k['finished_at_ms']) for j in jobs[:$BURST])")
  cores=$($PY -c "print(f'{($cpu1 - $cpu0) / $TICKS / (($t_last - $t0) / 1000):.2f}')")
  read -r b50 b95 bmax <<<"$(stats "$D/burst.ms")"
  wall=$($PY -c "print(f'{($t_last - $t0)/1000:.2f}')")
  up=$($PY -c "print(f'{($t_uploaded - $t0)/1000:.2f}')")
  predicted=$($PY -c "import math; print(f'{math.ceil($BURST/$W) * $s50:.2f}')")
  serial=$($PY -c "print(f'{$BURST * $s50:.2f}')")
  ROWS+=("| $W | $free | $s50 | $per_photo | $b50 | $b95 | $up | $wall | **$span** | $predicted | $serial | $conc | $cores |")
  # Where a job's time goes (worker log: read, compress, write, record in ms), burst jobs only.
  PHASES+=("| $W | $(grep -o '→ ready in .*' "$D/serve.log" | tail -n "$BURST" | $PY -c '
import re, sys
rows = [list(map(int, re.findall(r"\d+", l))) for l in sys.stdin]
print(" | ".join(f"{sum(r[i] for r in rows) / len(rows) / 1000:.2f}" for i in range(5)))') |")
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
done

echo
echo "Pipeline benchmark: $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d); photo $(( PHOTO_BYTES / 1024 )) KiB JPEG;"
echo "SQLite + file store; $SINGLES single uploads, then a burst of $BURST at once. Seconds; latencies are"
echo "upload commit → ready commit from the job rows; wall is burst start → last ready; processing is"
echo "first job start → last job ready (what the workers took for the burst); CPU per photo"
echo "is the server's CPU time per single upload (HTTP + compression); cores used = CPU ÷ wall in the burst;"
echo "free cores = speed-up of two CPU-bound processes over one just before (2.0 on an idle 2-core machine)."
echo
echo "| workers | free cores | single p50 | CPU per photo | burst p50 | burst p95 | burst upload | burst wall | burst processing | ceil($BURST/workers) × single | $BURST × single | jobs at once | cores used |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Mean time per burst job inside the worker (seconds):"
echo
echo "| workers | job | read original | compress | write derivatives | record |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${PHASES[@]}"
