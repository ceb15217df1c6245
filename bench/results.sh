#!/usr/bin/env bash
# ./dev bench results — result day (issue 11): STUDENTS students with marks in 3 subjects, one
# publication built by the results.build job and visible; every student logged in (a session cookie
# each); wrk with CONNS connections and a Lua script that rotates the cookies per request, each
# request asking for that student's own result page. In the same run nginx serves one result page's
# bytes as a static file. Interleaved rounds, medians (bench/lib.sh).
# Knobs: BENCH_STUDENTS (1000) BENCH_DURATION (10s) BENCH_WARMUP (2s) BENCH_ROUNDS (3)
#        BENCH_CONNECTIONS (500) BENCH_THREADS (2)
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench results sets it)}"
STUDENTS=${BENCH_STUDENTS:-1000}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-500}
THREADS=${BENCH_THREADS:-2}
for tool in wrk nginx curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench results: '$tool' is missing (apt-get install wrk nginx curl sqlite3)" >&2; exit 2; }
done
# TMP, PIDS (killed on exit), free_port, wait_http: the script tests' helpers.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/scripts/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # add, run_rounds, print_table, idx, ratio
die() { echo "bench results: $*" >&2; exit 1; }
# wrk opens CONNS sockets, the server as many: make sure this shell may.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DIR="$TMP/sy"
mkdir -p "$DIR"
# Loopback is a trusted proxy by default (SCHOOLYARD_TRUSTED_PROXIES), so the per-address
# connection cap (SCHOOLYARD_HTTP_MAX_CONNECTIONS_PER_IP, 200) does not apply to wrk's 500
# connections; the server-wide cap (http::ServerOptions::max_connections) is 1000.
SCHOOLYARD_DATA_DIR="$DIR/data" SCHOOLYARD_PORT=$PORT SCHOOLYARD_WORKERS=2 SCHOOLYARD_LOG_LEVEL=warn \
  "$SY_BINARY" serve >"$DIR/serve.log" 2>&1 &
PIDS+=($!)
wait_http "$BASE/healthz" 60 || { cat "$DIR/serve.log" >&2; die "schoolyard serve did not start"; }

PASSWORD="bench-password-$RANDOM-$RANDOM"
for u in boss:admin template:student; do
  printf '%s\n' "$PASSWORD" | SCHOOLYARD_DATA_DIR="$DIR/data" "$SY_BINARY" admin create-user --username "${u%%:*}" \
    --role "${u#*:}" --full-name "Bench ${u%%:*}" --password-stdin >/dev/null || die "admin create-user ${u%%:*} failed"
done

# The school, straight into the database (the build reads rows; 1,000 API calls would only slow the
# set-up): classes of 30, three final assessments per class (Maths with rank, English, Science),
# a mark for every student (some absent), and every student with the template's password hash.
DB="$DIR/data/schoolyard.db"
now=$(date +%s)
{
  echo "BEGIN;"
  echo "INSERT INTO academic_years (year, name, start_date, end_date, created_at) VALUES (2026, 'Bench 2026', '2026-09-01', '2027-07-31', $now);"
  echo "INSERT INTO terms (academic_year_id, name, start_date, end_date, created_at)
        SELECT id, 'Autumn', '2026-09-01', '2026-12-20', $now FROM academic_years WHERE name = 'Bench 2026';"
  for s in Maths English Science; do
    echo "INSERT OR IGNORE INTO subjects (name, code, created_at) VALUES ('$s', '', $now);"
  done
  classes=$(((STUDENTS + 29) / 30))
  for c in $(seq 1 "$classes"); do
    echo "INSERT INTO classes (name, year, created_at, academic_year_id)
          SELECT 'B$c', 2026, $now, id FROM academic_years WHERE name = 'Bench 2026';"
    for s in Maths English Science; do
      rank=0; [[ $s == Maths ]] && rank=1
      echo "INSERT INTO assessments (term_id, class_id, subject_id, name, max_x100, weight_pct, show_rank, status, created_at, updated_at)
            SELECT t.id, c.id, s.id, 'Exam', 10000, 100, $rank, 'final', $now, $now FROM terms t, classes c, subjects s
            WHERE t.name = 'Autumn' AND c.name = 'B$c' AND s.name = '$s';"
    done
  done
  echo "INSERT INTO users (username, password_hash, role, full_name, active, created_at, updated_at)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $STUDENTS)
        SELECT 's' || i, (SELECT password_hash FROM users WHERE username = 'template'), 'student',
               CASE WHEN i % 3 = 0 THEN 'Ірина Шевченко ' || i WHEN i % 3 = 1 THEN '李小龍 ' || i ELSE 'Student ' || i END,
               1, $now, $now FROM n;"
  echo "INSERT INTO class_students (class_id, student_id, created_at)
        SELECT c.id, u.id, $now FROM users u JOIN classes c ON c.name = 'B' || ((CAST(substr(u.username, 2) AS INTEGER) - 1) / 30 + 1)
        WHERE u.username GLOB 's[0-9]*';"
  echo "INSERT INTO marks (assessment_id, student_id, score_x100, code, updated_at)
        SELECT a.id, cs.student_id, CASE WHEN (cs.student_id + a.id) % 17 = 0 THEN NULL ELSE ((cs.student_id * 37 + a.id * 11) % 10001) END,
               CASE WHEN (cs.student_id + a.id) % 17 = 0 THEN 'absent' ELSE '' END, $now
        FROM assessments a JOIN class_students cs ON cs.class_id = a.class_id;"
  echo "INSERT INTO report_comments (term_id, student_id, subject_id, comment, updated_at)
        SELECT t.id, cs.student_id, 0, 'A good term: keep reading every day.', $now FROM terms t, class_students cs WHERE t.name = 'Autumn';"
  echo "COMMIT;"
} | sqlite3 "$DB"
TERM_ID=$(sqlite3 "$DB" "SELECT id FROM terms WHERE name = 'Autumn'")

login() {  # login USERNAME → the cookie "name=value"
  curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(sy_session=[^;]*\).*/\1/p' | tr -d '\r'
}
curl -s -D "$DIR/admin.h" -o "$DIR/admin.json" -H 'Content-Type: application/json' \
  -d "{\"username\":\"boss\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/session"
ADMIN=$(sed -n 's/^[Ss]et-[Cc]ookie: \(sy_session=[^;]*\).*/\1/p' "$DIR/admin.h" | tr -d '\r')
CSRF=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$DIR/admin.json")
[[ -n $ADMIN && -n $CSRF ]] || die "admin login failed: $(cat "$DIR/admin.json")"

t0=$(date +%s.%N)
PUB=$(curl -s -H "Cookie: $ADMIN" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
  -d "{\"term_id\":$TERM_ID,\"title\":\"Autumn results\"}" "$BASE/api/v1/publications" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
[[ -n $PUB ]] || die "POST /api/v1/publications failed"
for _ in $(seq 1 600); do
  state=$(curl -s -H "Cookie: $ADMIN" "$BASE/api/v1/publications/$PUB")
  [[ $state == *'"status":"ready"'* ]] && break
  [[ $state == *'"status":"failed"'* ]] && die "the build failed: $state"
  sleep 1
done
[[ $state == *'"status":"ready"'* ]] || die "the publication is not ready after 600 s: $state"
BUILD_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# Every student logs in (real logins: Argon2id per student), 4 at a time.
t0=$(date +%s.%N)
export -f login
export BASE PASSWORD
seq 1 "$STUDENTS" | xargs -P 4 -I{} bash -c 'c=$(login s{}); echo "{} $c"' >"$DIR/cookies.txt"
LOGIN_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
got=$(awk 'NF == 2' "$DIR/cookies.txt" | wc -l)
[[ $got == "$STUDENTS" ]] || die "only $got of $STUDENTS students logged in"

# The Lua script: one (path, cookie) per student; each thread starts at its own offset and takes
# the next student on every request.
{
  echo "local paths, cookies = {}, {}"
  while read -r i cookie; do
    id=$(sqlite3 "$DB" "SELECT id FROM users WHERE username = 's$i'")
    echo "paths[#paths + 1] = '/results/$PUB/students/$id'; cookies[#cookies + 1] = '$cookie'"
  done <"$DIR/cookies.txt"
  cat <<'LUA'
local n = #paths
local i = 0
local thread_no = 0
function setup(thread) thread:set("offset", thread_no * 997); thread_no = thread_no + 1 end
function init(args) i = (offset or 0) % n end
function request()
  i = i % n + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = cookies[i] })
end
LUA
} >"$DIR/rotate.lua"

# One student's page, checked, for nginx; and a spot check that each student sees only their own.
first=$(head -1 "$DIR/cookies.txt")
FIRST_ID=$(sqlite3 "$DB" "SELECT id FROM users WHERE username = 's${first%% *}'")
code=$(curl -s -o "$DIR/page.html" -w '%{http_code}' -H "Cookie: ${first#* }" "$BASE/results/$PUB/students/$FIRST_ID")
[[ $code == 200 ]] || die "GET the first student's result page answered $code"
grep -q 'id="report-card"' "$DIR/page.html" || die "the result page has no report card"
other=$((FIRST_ID + 1))
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${first#* }" "$BASE/results/$PUB/students/$other")
[[ $code == 404 ]] || die "a student reading another student's page got $code, not 404"
PAGE_BYTES=$(stat -c %s "$DIR/page.html")

# ---- nginx: the page's bytes as a static file (the same set-up as bench/pages.sh) ----
NPORT=$(free_port)
mkdir -p "$TMP/nginx/www" "$TMP/nginx/logs"
cp "$DIR/page.html" "$TMP/nginx/www/result.html"
USER_LINE=""
[[ $(id -u) == 0 ]] && USER_LINE="user root;"
cat >"$TMP/nginx/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
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
wait_http "http://127.0.0.1:$NPORT/result.html" 30 || { cat "$TMP/nginx/logs/error.log" >&2; die "nginx did not start"; }

add "schoolyard GET /results/P/students/S ($STUDENTS students rotating, $PAGE_BYTES B)" "$BASE/" "" "$DIR/rotate.lua"
add "schoolyard GET /api/v1/me (one student; the session alone, for scale)" "$BASE/api/v1/me" "Cookie: ${first#* }"
add "nginx static result page ($PAGE_BYTES B)" "http://127.0.0.1:$NPORT/result.html"
run_rounds

echo
echo "Results benchmark: wrk -t$THREADS -c$CONNS -d$DURATION, median of $ROUNDS interleaved rounds, on $(nproc) cores ($(uname -m)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "set-up: $STUDENTS report cards (HTML + PDF) built in $BUILD_SECONDS s; $STUDENTS logins in $LOGIN_SECONDS s"
echo
print_table
sy=$(idx 'schoolyard GET /results')
ng=$(idx 'nginx static result')
echo
echo "| check | value | target |"
echo "|---|---:|---:|"
echo "| result page p99 (ms) | ${MEDP99[$sy]} | ≤ 100 |"
echo "| result page / nginx static page (req/s) | $(ratio "${MED[$sy]}" "${MED[$ng]}") | ≥ 0.5 |"
