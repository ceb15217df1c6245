#!/usr/bin/env bash
# ./dev bench http — throughput and latency of `schoolyard serve` next to nginx, in one run:
#   1. GET /healthz                         (the HTTP stack alone)
#   2. GET / as a logged-in user            (session lookup + template render, SQLite)
#   3. nginx serving a static file of the same size as that page (the floor to compare with)
# All on loopback with a private data dir and a private nginx prefix; wrk shares the CPU with the
# servers, so the figures are relative to this machine. Knobs (environment):
#   BENCH_DURATION (10s)  BENCH_CONNECTIONS (64)  BENCH_THREADS (2)  BENCH_WARMUP (2s)
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench http sets it)}"
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2s}
PY=/usr/bin/python3
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench http: '$tool' is missing (./dev setup test installs it)" >&2; exit 2; }
done

# TMP, PIDS (killed on exit), free_port, wait_http: the script tests' helpers.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/scripts/lib.sh"
die() { echo "bench http: $*" >&2; exit 1; }

# ---- schoolyard ----
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
export SCHOOLYARD_DATA_DIR="$TMP/data"
SCHOOLYARD_PORT=$PORT SCHOOLYARD_WORKERS=0 "$SY_BINARY" serve >"$TMP/serve.log" 2>&1 &
PIDS+=($!)
wait_http "$BASE/healthz" 30 || { cat "$TMP/serve.log" >&2; die "schoolyard serve did not start"; }

PASSWORD="bench-password-$RANDOM-$RANDOM"
printf '%s\n' "$PASSWORD" | "$SY_BINARY" admin create-user --username bench --role admin \
  --full-name 'Bench Admin' --password-stdin >/dev/null || die "admin create-user failed"
code=$(curl -s -D "$TMP/login.h" -o "$TMP/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session")
[[ $code == 200 ]] || die "POST /api/v1/session answered $code: $(cat "$TMP/login.json")"
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$TMP/login.h" | head -1 | tr -d '\r')
[[ -n $COOKIE ]] || die "login set no cookie"
code=$(curl -s -o "$TMP/home.html" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/")
[[ $code == 200 ]] || die "GET / with the session cookie answered $code"
grep -q 'Bench Admin\|bench' "$TMP/home.html" || die "GET / did not render the logged-in home page"
HOME_BYTES=$(stat -c %s "$TMP/home.html")

# ---- nginx, same bytes as a static file ----
NPORT=$(free_port)
mkdir -p "$TMP/nginx/www" "$TMP/nginx/logs"
cp "$TMP/home.html" "$TMP/nginx/www/home.html"
USER_LINE=""
[[ $(id -u) == 0 ]] && USER_LINE="user root;"
cat >"$TMP/nginx/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log $TMP/nginx/logs/access.log;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server_tokens off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NPORT;
    root $TMP/nginx/www;
  }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$NPORT/home.html" 30 || { cat "$TMP/nginx/logs/error.log" >&2; die "nginx did not start"; }

# ---- wrk ----
# to_ms "1.23ms" | "850.00us" | "1.02s" → milliseconds
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
ROWS=()
run() {  # run NAME URL [header]
  local name=$1 url=$2 hdr=${3:-} out
  local args=(-t"$THREADS" -c"$CONNS" --latency)
  [[ -n $hdr ]] && args+=(-H "$hdr")
  wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk "${args[@]}" -d"$DURATION" "$url")
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { for (i = 3; i <= NF; i += 2) n += $(i + 1) } END { print n + 0 }' \
    <<<"$(sed 's/,//g' <<<"$out")")
  ROWS+=("| $name | $rps | $p50 | $p99 | $errs |")
}
run "schoolyard GET /healthz" "$BASE/healthz"
run "schoolyard GET / (logged in, ${HOME_BYTES} B)" "$BASE/" "Cookie: $COOKIE"
run "nginx static file (${HOME_BYTES} B)" "http://127.0.0.1:$NPORT/home.html"

echo
echo "HTTP benchmark: wrk -t$THREADS -c$CONNS -d$DURATION on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d)"
echo
echo "| target | req/s | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
