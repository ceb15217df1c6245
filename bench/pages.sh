#!/usr/bin/env bash
# ./dev bench pages — logged-in pages next to nginx serving their exact bytes, in one run (issue 12):
#   schoolyard: GET /healthz, GET /api/v1/me, GET / (home), GET /yearbook/<id> (100 students, every
#   one with an approved photo and a quote), all as a logged-in teacher of the class (SQLite);
#   nginx: the home page's and the yearbook page's bytes as static files.
# Targets are run interleaved (round 1: every target, round 2: every target, ...) and the median
# of the rounds is reported, so a burst of load from something else on the machine hits all
# targets alike. Then perf profiles of the yearbook and home loads (BENCH_PERF=0 skips them).
# BENCH_BASELINE=/path/to/an/older/schoolyard runs that binary too (own data dir, same seed),
# interleaved with the current one: before/after under the same load.
# BENCH_ALLOCATORS=1 also runs the current binary with Debian's jemalloc and mimalloc preloaded
# (libjemalloc2, libmimalloc2.0), to see whether either is worth linking.
# Knobs: BENCH_DURATION (5s) BENCH_WARMUP (1s) BENCH_ROUNDS (3) BENCH_CONNECTIONS (64)
#        BENCH_THREADS (2) BENCH_PERF (1) BENCH_PERF_SECONDS (8) BENCH_PERF_PAGES ("yearbook home")
#        BENCH_PERF_KEEP (a directory to keep the perf recordings in)
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench pages sets it)}"
DURATION=${BENCH_DURATION:-5s}
WARMUP=${BENCH_WARMUP:-1s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
PERF=${BENCH_PERF:-1}
PERF_SECONDS=${BENCH_PERF_SECONDS:-8}
for tool in wrk nginx curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench pages: '$tool' is missing (apt-get install wrk nginx curl sqlite3)" >&2; exit 2; }
done
if [[ $PERF == 1 ]] && ! command -v perf >/dev/null; then
  echo "bench pages: perf is missing (apt-get install linux-perf), profiling skipped" >&2
  PERF=0
fi

# TMP, PIDS (killed on exit), free_port, wait_http: the script tests' helpers.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/scripts/lib.sh"
die() { echo "bench pages: $*" >&2; exit 1; }

STUDENTS=100
# seed DB_FILE: a class "Bench 7A" with STUDENTS students (consent yearbook, an approved, processed,
# current photo and a quote each) taught by the account `teacher`. Written straight into the
# database: the page reads rows, not image bytes, and 100 uploads would only slow the setup.
seed() {
  local db=$1 now
  now=$(date +%s)
  {
    echo "BEGIN;"
    echo "INSERT INTO classes (name, year, created_at) VALUES ('Bench 7A', 2026, $now);"
    echo "INSERT INTO class_teachers (class_id, teacher_id, created_at)
          SELECT c.id, u.id, $now FROM classes c, users u WHERE c.name = 'Bench 7A' AND u.username = 'teacher';"
    for i in $(seq 1 $STUDENTS); do
      echo "INSERT INTO users (username, password_hash, role, full_name, active, created_at, updated_at)
            VALUES ('s$i', 'x', 'student', 'Student Number $i', 1, $now, $now);
            INSERT INTO class_students (class_id, student_id, created_at)
              SELECT c.id, u.id, $now FROM classes c, users u WHERE c.name = 'Bench 7A' AND u.username = 's$i';
            INSERT INTO student_consent (student_id, consent, updated_at) SELECT id, 'yearbook', $now FROM users WHERE username = 's$i';
            INSERT INTO photos (student_id, status, moderation, quote, original_key, original_sha256, original_size,
                                source_type, is_current, created_at, updated_at, ready_at)
              SELECT id, 'ready', 'approved', 'Quote of student $i: see you all next year & after <3',
                     'uploads/bench-$i', 'x', 1000, 'jpeg', 1, $now, $now, $now FROM users WHERE username = 's$i';"
    done
    echo "COMMIT;"
  } | sqlite3 "$db"
  sqlite3 "$db" "SELECT id FROM classes WHERE name = 'Bench 7A'"
}

# start NAME BINARY: a server with its own data dir, an admin, a teacher and the seeded class;
# logs the teacher in and keeps the pages' bytes. Sets <NAME>_BASE, <NAME>_PID, <NAME>_COOKIE,
# <NAME>_CLASS.
PASSWORD="bench-password-$RANDOM-$RANDOM"
start() {  # start NAME BINARY [LD_PRELOAD]
  local name=$1 bin=$2 preload=${3:-} port base dir cookie cls code pid
  port=$(free_port)
  base="http://127.0.0.1:$port"
  dir="$TMP/$name"
  mkdir -p "$dir"
  LD_PRELOAD=$preload SCHOOLYARD_DATA_DIR="$dir/data" SCHOOLYARD_PORT=$port SCHOOLYARD_WORKERS=0 \
    SCHOOLYARD_LOG_LEVEL=warn "$bin" serve >"$dir/serve.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "$base/healthz" 60 || { cat "$dir/serve.log" >&2; die "$name: schoolyard serve did not start"; }
  for u in teacher; do
    printf '%s\n' "$PASSWORD" | SCHOOLYARD_DATA_DIR="$dir/data" "$bin" admin create-user --username $u --role teacher \
      --full-name 'Bench Teacher' --password-stdin >/dev/null || die "$name: admin create-user failed"
  done
  cls=$(seed "$dir/data/schoolyard.db")
  code=$(curl -s -D "$dir/login.h" -o "$dir/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"teacher\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session")
  [[ $code == 200 ]] || die "$name: POST /api/v1/session answered $code: $(cat "$dir/login.json")"
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$dir/login.h" | head -1 | tr -d '\r')
  [[ -n $cookie ]] || die "$name: login set no cookie"
  code=$(curl -s -o "$dir/home.html" -w '%{http_code}' -H "Cookie: $cookie" "$base/")
  [[ $code == 200 ]] || die "$name: GET / answered $code"
  code=$(curl -s -o "$dir/yearbook.html" -w '%{http_code}' -H "Cookie: $cookie" "$base/yearbook/$cls")
  [[ $code == 200 ]] || die "$name: GET /yearbook/$cls answered $code"
  local shown
  shown=$(grep -o '/api/v1/photos/[0-9]*/thumb' "$dir/yearbook.html" | sort -u | wc -l)
  [[ $shown == "$STUDENTS" ]] || die "$name: the yearbook shows $shown photos, expected $STUDENTS"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/api/v1/me")
  [[ $code == 200 ]] || die "$name: GET /api/v1/me answered $code"
  printf -v "${name}_BASE" '%s' "$base"
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_COOKIE" '%s' "$cookie"
  printf -v "${name}_CLASS" '%s' "$cls"
}

start cur "$SY_BINARY"
SERVERS=(cur)
if [[ -n ${BENCH_BASELINE:-} ]]; then
  [[ -x $BENCH_BASELINE ]] || die "BENCH_BASELINE=$BENCH_BASELINE is not an executable"
  start base "$BENCH_BASELINE"
  SERVERS=(base cur)
fi
declare -A LABEL=([base]=baseline [cur]=schoolyard [je]=schoolyard+jemalloc [mi]=schoolyard+mimalloc)
if [[ ${BENCH_ALLOCATORS:-0} == 1 ]]; then
  for lib in je:/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 mi:/usr/lib/x86_64-linux-gnu/libmimalloc.so.2; do
    [[ -f ${lib#*:} ]] || die "${lib#*:} is missing (apt-get install libjemalloc2 libmimalloc2.0)"
    start "${lib%%:*}" "$SY_BINARY" "${lib#*:}"
    SERVERS+=("${lib%%:*}")
  done
fi

# ---- nginx: the current server's pages as static files ----
NPORT=$(free_port)
mkdir -p "$TMP/nginx/www" "$TMP/nginx/logs"
cp "$TMP/cur/home.html" "$TMP/nginx/www/home.html"
cp "$TMP/cur/yearbook.html" "$TMP/nginx/www/yearbook.html"
HOME_BYTES=$(stat -c %s "$TMP/cur/home.html")
YB_BYTES=$(stat -c %s "$TMP/cur/yearbook.html")
USER_LINE=""
[[ $(id -u) == 0 ]] && USER_LINE="user root;"
# The same nginx set-up as bench/http.sh (access log on, as a real deployment has it).
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
NGINX="http://127.0.0.1:$NPORT"

# ---- wrk, interleaved rounds ----
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # add, run_rounds, print_table, idx, ratio
for s in "${SERVERS[@]}"; do
  b=${s}_BASE c=${s}_COOKIE k=${s}_CLASS
  label=${LABEL[$s]}
  add "$label GET /healthz" "${!b}/healthz"
  add "$label GET /api/v1/me (logged in)" "${!b}/api/v1/me" "Cookie: ${!c}"
  add "$label GET / (logged in, $HOME_BYTES B)" "${!b}/" "Cookie: ${!c}"
  add "$label GET /yearbook/N (logged in, $STUDENTS students, $YB_BYTES B)" "${!b}/yearbook/${!k}" "Cookie: ${!c}"
done
add "nginx static home page ($HOME_BYTES B)" "$NGINX/home.html"
add "nginx static yearbook page ($YB_BYTES B)" "$NGINX/yearbook.html"

run_rounds

echo
echo "Pages benchmark: wrk -t$THREADS -c$CONNS -d$DURATION, median of $ROUNDS interleaved rounds, on $(nproc) cores ($(uname -m)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
print_table

# Ratios against the targets of issue 12 (current server).
echo
echo "| ratio (current server) | value | target |"
echo "|---|---:|---:|"
echo "| yearbook / nginx static yearbook | $(ratio "${MED[$(idx 'schoolyard GET /yearbook')]}" "${MED[$(idx 'nginx static yearbook')]}") | ≥ 0.5 |"
echo "| home / nginx static home | $(ratio "${MED[$(idx 'schoolyard GET / ')]}" "${MED[$(idx 'nginx static home')]}") | ≥ 0.5 |"
echo "| /api/v1/me / /healthz | $(ratio "${MED[$(idx 'schoolyard GET /api/v1/me')]}" "${MED[$(idx 'schoolyard GET /healthz')]}") | ≥ 0.5 |"

# ---- perf profiles of the page loads ----
profile() {  # profile NAME PAGE (yearbook or home)
  local s=$1 page=$2 b c k pid path
  b=${s}_BASE c=${s}_COOKIE k=${s}_CLASS pid=${s}_PID
  path=/
  [[ $page == yearbook ]] && path=/yearbook/${!k}
  perf record -F 499 -g -o "$TMP/$s.$page.perf.data" -p "${!pid}" -- sleep "$PERF_SECONDS" >/dev/null 2>"$TMP/$s.perf.log" &
  local perf_pid=$!
  wrk -t"$THREADS" -c"$CONNS" -d"${PERF_SECONDS}s" -H "Cookie: ${!c}" "${!b}$path" >/dev/null
  wait "$perf_pid" || { cat "$TMP/$s.perf.log" >&2; echo "bench pages: perf record failed" >&2; return 0; }
  echo
  echo "perf profile of the $page load ($s), self time, top 25 symbols:"
  echo
  echo '```'
  perf report -i "$TMP/$s.$page.perf.data" --no-children -g none --sort dso,symbol --stdio >"$TMP/$s.$page.perf.txt" 2>/dev/null || true
  grep -E '^ +[0-9]' "$TMP/$s.$page.perf.txt" | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//; s/[[:space:]]+$//' |
    cut -c1-160 | head -25 || true
  echo '```'
  # BENCH_PERF_KEEP=DIR keeps the recordings (perf report -i DIR/NAME.PAGE.perf.data for call graphs).
  [[ -n ${BENCH_PERF_KEEP:-} ]] && mkdir -p "$BENCH_PERF_KEEP" && cp "$TMP/$s.$page.perf.data" "$BENCH_PERF_KEEP/" || true
}
if [[ $PERF == 1 ]]; then
  for page in ${BENCH_PERF_PAGES:-yearbook home}; do
    for s in "${SERVERS[@]}"; do profile "$s" "$page"; done
  done
fi
