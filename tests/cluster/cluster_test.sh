#!/usr/bin/env bash
# The cluster drill (`./dev cluster-test`, also ctest `cluster` in `./dev test`): the scaled-out
# deployment of docs/deployment.md on loopback, with real engines, and the faults it must survive.
#
#   MariaDB primary ──binlog/GTID, semi-sync──► MariaDB replica (read_only; SCHOOLYARD_DB_READ_URL)
#        ▲ writer endpoint: tcp_forward.py (the DNS name an Aurora failover moves)
#   nginx (deploy/nginx/schoolyard-proxy.conf) ──► 3 × schoolyard serve (SCHOOLYARD_WORKERS=0)
#   2 × schoolyard worker          s3rver (the object store)
#
# While logged-in users browse through nginx and a writer logs in, changes consent and uploads:
#   1. 50 students upload at once: every photo reaches ready, each exactly once;
#   2. an app instance is SIGKILLed: no failed GET/HEAD, nobody logged out;
#   3. a worker is SIGKILLed mid-job: every photo still completes exactly once;
#   4. the primary is SIGKILLed and the replica promoted, the writer endpoint moved: /readyz goes red
#      then green, writes resume without restarting anything, nothing acknowledged is lost;
#   then one app instance and one worker get SIGTERM and must drain within SCHOOLYARD_DRAIN_SECONDS;
#   5. `schoolyard backup`, the database and every object outside backups/ destroyed, `schoolyard
#      restore`: every table's rows and every object's bytes identical to before the backup.
# Prints a table (report.py) and fails on any loss. Bounded by SY_CLUSTER_SECONDS (default 900).
source "$(dirname "$0")/../scripts/lib.sh"
SRC=${SY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/jobs/pipeline_lib.sh"
HERE=$SRC/tests/cluster
for tool in mariadbd mariadb-install-db mariadb nginx node curl; do
  command -v $tool >/dev/null || { [[ ${SY_TEST_MODE:-} == quick ]] && exit 0; fail "$tool is not installed"; }
done
[[ -d $SRC/tools/node_modules/s3rver ]] || fail "tools/node_modules/s3rver is missing (./dev setup test)"

# Watchdog: the whole drill is bounded, whatever hangs.
LIMIT=${SY_CLUSTER_SECONDS:-900}
# (Its sleep must die with it: a left-over sleep would hold ctest's output pipe open.)
(
  trap 'kill ${sp:-} 2>/dev/null; exit 0' TERM
  sleep "$LIMIT" &
  sp=$!
  wait "$sp"
  echo "FAIL: cluster drill exceeded ${LIMIT}s" >&2
  kill -TERM $$
) &
PIDS+=($!)
now() { date +%s.%N; }
step() { printf '\n== %s (+%ss)\n' "$*" "$(($(date +%s) - T_START))"; }
T_START=$(date +%s)

# ---- MariaDB primary and replica ----
APP_PW=cluster-app-pw REPL_PW=cluster-repl-pw
declare -A MDB_PORT MDB_PID
mdb_sql() { mariadb --no-defaults -S "$TMP/$1/sock" -uroot -N -B -e "$2"; }
mdb_start() {  # mdb_start NAME SERVER_ID [extra mariadbd options...]
  local name=$1 id=$2 d=$TMP/$1
  shift 2
  MDB_PORT[$name]=$(free_port)
  mkdir -p "$d/data"
  mariadb-install-db --no-defaults --user=root --datadir="$d/data" --auth-root-authentication-method=socket \
    --skip-test-db --skip-name-resolve >"$d/install.log" 2>&1 || { cat "$d/install.log"; fail "mariadb-install-db $name"; }
  # Durable commits (the drill counts acknowledged rows); semi-sync: a commit is acknowledged only
  # once the replica has it, so promoting the replica loses nothing that a client was told.
  mariadbd --no-defaults --user=root --datadir="$d/data" --socket="$d/sock" --port="${MDB_PORT[$name]}" \
    --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$d/pid" --log-error="$d/error.log" \
    --server-id="$id" --log-bin="$d/binlog" --binlog-format=ROW --log-slave-updates --gtid-strict-mode=1 \
    --sync-binlog=1 --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=64M --max-connections=400 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --rpl-semi-sync-master-enabled=ON --rpl-semi-sync-master-wait-point=AFTER_SYNC \
    --rpl-semi-sync-master-timeout=15000 --rpl-semi-sync-slave-enabled=ON "$@" >>"$d/stderr.log" 2>&1 &
  MDB_PID[$name]=$!
  PIDS+=($!)
  for _ in $(seq 600); do mdb_sql "$name" 'select 1' >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$d/error.log"
  fail "mariadbd $name did not start"
}

step "starting MariaDB primary and replica"
mdb_start primary 1
mdb_start replica 2 --read-only
# Replication first, so everything after (users, schema, data) reaches the replica through the binlog.
mdb_sql replica "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${MDB_PORT[primary]}, MASTER_USER='repl',
  MASTER_PASSWORD='$REPL_PW', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1"
mdb_sql primary "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '$REPL_PW';
  GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
  CREATE USER 'schoolyard'@'127.0.0.1' IDENTIFIED BY '$APP_PW';
  GRANT ALL PRIVILEGES ON sy.* TO 'schoolyard'@'127.0.0.1';
  CREATE DATABASE sy CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
mdb_sql replica "START SLAVE"
for _ in $(seq 300); do
  [[ $(mdb_sql replica "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='sy'" 2>/dev/null) == 1 ]] && break
  sleep 0.1
done
[[ $(mdb_sql replica "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='sy'") == 1 ]] ||
  { mariadb --no-defaults -S "$TMP/replica/sock" -uroot -e "SHOW SLAVE STATUS\G"; fail "the replica did not replicate"; }
pass "replica replicating (GTID $(mdb_sql replica 'SELECT @@gtid_slave_pos'))"

# The writer endpoint the app connects to: a forwarder whose target we move at failover.
FWD_PORT=$(free_port)
echo "127.0.0.1:${MDB_PORT[primary]}" >"$TMP/writer.target"
/usr/bin/python3 "$HERE/tcp_forward.py" "$FWD_PORT" "$TMP/writer.target" &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$FWD_PORT) 2>/dev/null && break; sleep 0.1; done

# ---- object store ----
S3_PORT=$(free_port)
mkdir -p "$TMP/s3"
node --openssl-legacy-provider "$SRC/tools/node_modules/s3rver/bin/s3rver.js" --directory "$TMP/s3" \
  --address 127.0.0.1 --port "$S3_PORT" --silent --configure-bucket sy-cluster >"$TMP/s3.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$S3_PORT/" 60 || { cat "$TMP/s3.log"; fail "s3rver did not start"; }

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export SCHOOLYARD_DB_URL="mysql://schoolyard:$APP_PW@127.0.0.1:$FWD_PORT/sy"
export SCHOOLYARD_DB_READ_URL="mysql://schoolyard:$APP_PW@127.0.0.1:${MDB_PORT[replica]}/sy"
export SCHOOLYARD_STORAGE_URL="s3://sy-cluster?endpoint=http://127.0.0.1:$S3_PORT&region=us-east-1&path_style=1"
export SCHOOLYARD_DATA_DIR=$TMP/data SCHOOLYARD_AUTO_MIGRATE=0 SCHOOLYARD_TRUSTED_PROXIES=127.0.0.1
export SCHOOLYARD_HTTP_THREADS=6 SCHOOLYARD_DB_POOL_SIZE=10 SCHOOLYARD_JOB_LEASE_SECONDS=10
export SCHOOLYARD_DRAIN_SECONDS=10 SCHOOLYARD_LOG_LEVEL=info

step "migrating, starting 3 app instances, 2 workers and nginx"
"$SY_BINARY" migrate >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log"; fail "migrate"; }
ADMIN_PW="cluster admin password"
printf '%s\n' "$ADMIN_PW" | "$SY_BINARY" admin create-user --username admin --role admin --password-stdin >/dev/null
APP_PORTS=() APP_PIDS=()
for i in 1 2 3; do
  SCHOOLYARD_WORKERS=0 start_server "app$i"
  APP_PORTS+=("$PORT") APP_PIDS+=("$SERVER_PID")
done
WORKER_PIDS=()
for i in 1 2; do
  "$SY_BINARY" worker --workers 1 >"$TMP/worker$i.log" 2>&1 &
  WORKER_PIDS+=($!)
  PIDS+=($!)
done

NPORT=$(free_port)
UPSTREAMS=""
for p in "${APP_PORTS[@]}"; do UPSTREAMS+="    server 127.0.0.1:$p max_fails=2 fail_timeout=10s;"$'\n'; done
# The shipped proxy settings, verbatim; only the addresses differ from deploy/nginx/schoolyard.conf.
nginx_conf "$TMP/nginx" 1024 <<CONF
  upstream schoolyard {
$UPSTREAMS    keepalive 32;
  }
  server {
    listen 127.0.0.1:$NPORT;
    location / {
      include $SRC/deploy/nginx/schoolyard-proxy.conf;
    }
  }
CONF
nginx -t -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/test.log" 2>&1 ||
  { cat "$TMP/nginx/test.log"; fail "nginx rejects the shipped config"; }
# The shipped site (HTTPS server, redirect, tls.conf) parses too, with a throwaway certificate.
mkdir -p "$TMP/site"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=school.example.org -days 1 -keyout "$TMP/site/key.pem" \
  -out "$TMP/site/cert.pem" 2>/dev/null
cp "$SRC/deploy/nginx/tls.conf" "$TMP/site/tls.conf"
sed -e "s#/etc/ssl/school.pem#$TMP/site/cert.pem#; s#/etc/ssl/school.key#$TMP/site/key.pem#" \
  -e "s#/etc/nginx/schoolyard/tls.conf#$TMP/site/tls.conf#; s#/etc/nginx/schoolyard/#$SRC/deploy/nginx/#" \
  "$SRC/deploy/nginx/schoolyard.conf" >"$TMP/site/site.conf"
printf 'error_log %s/site/e.log;\npid %s/site/p.pid;\nevents {}\nhttp { include %s/site/site.conf; }\n' \
  "$TMP" "$TMP" "$TMP" >"$TMP/site/nginx.conf"
nginx -t -p "$TMP/site" -c "$TMP/site/nginx.conf" >"$TMP/site/test.log" 2>&1 ||
  { cat "$TMP/site/test.log"; fail "nginx rejects deploy/nginx/schoolyard.conf"; }
pass "shipped nginx config (TLS server, proxy settings) parses"
start_nginx "$TMP/nginx"
BASE="http://127.0.0.1:$NPORT"
wait_http "$BASE/readyz" 30 || { cat "$TMP/nginx/logs/error.log"; fail "nginx did not start"; }

# The body limit is the app's: one byte over is refused by nginx, exactly at the limit it is not.
LIMIT_BYTES=$((25 * 1048576 + 65536))
grep -q "client_max_body_size $LIMIT_BYTES;" "$SRC/deploy/nginx/schoolyard-proxy.conf" || fail "nginx body limit != app's"
code=$(head -c $((LIMIT_BYTES + 1)) /dev/zero | curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/octet-stream' --data-binary @- "$BASE/api/v1/me/photo")
[[ $code == 413 ]] || fail "a body one byte over the limit answered $code through nginx"
pass "nginx body limit = SCHOOLYARD_MAX_UPLOAD_MB + multipart framing ($LIMIT_BYTES bytes)"

# ---- people and load ----
step "creating 60 students through the admin API (50 for the wave, 10 uploading throughout)"
make_photo "$TMP/photo.jpg" 1200 900 7
cat >"$TMP/setup.json" <<EOF
{"base": "$BASE", "admin": {"username": "admin", "password": "$ADMIN_PW"}, "students": 60, "out": "$TMP/people.json"}
EOF
/usr/bin/python3 "$HERE/load.py" setup "$TMP/setup.json" || fail "setup through the API"
/usr/bin/python3 - "$TMP" "$BASE" "$ADMIN_PW" <<'PYEOF'
import json, sys
tmp, base, admin_pw = sys.argv[1:4]
people = json.load(open(f"{tmp}/people.json"))
st = people["students"]
admin = {"username": "admin", "password": admin_pw}
common = {"base": base, "admin": admin, "class_id": people["class_id"], "photo": f"{tmp}/photo.jpg"}
json.dump(dict(common, browsers=st[:6] + [admin], probes=st[:5], consent_students=[s["id"] for s in st[:10]],
               uploaders=st[50:], stop_file=f"{tmp}/stop", max_seconds=600, out=f"{tmp}/load.out.json"),
          open(f"{tmp}/load.json", "w"))
json.dump(dict(common, students=st[:50], out=f"{tmp}/wave.out.json"), open(f"{tmp}/wave.json", "w"))
PYEOF
/usr/bin/python3 "$HERE/load.py" load "$TMP/load.json" >"$TMP/load.log" 2>&1 &
LOAD_PID=$!
PIDS+=($!)
FAULTS=$TMP/faults.tsv
: >"$FAULTS"
sleep 5
printf 'baseline\t%s\t\n' "$(now)" >>"$FAULTS"
sleep 5

# wsql QUERY: on whichever server is the writer now
writer_name() { [[ $(cat "$TMP/writer.target") == *":${MDB_PORT[primary]}" ]] && echo primary || echo replica; }
wsql() { mdb_sql "$(writer_name)" "USE sy; $1"; }

step "1. 50 students upload at once"
printf 'upload wave\t%s\t\n' "$(now)" >>"$FAULTS"
/usr/bin/python3 "$HERE/load.py" wave "$TMP/wave.json" || fail "the upload wave was not acknowledged"
pass "50 uploads acknowledged (202)"

step "3. a worker is SIGKILLed mid-job"
VICTIM=${WORKER_PIDS[0]}
for _ in $(seq 600); do
  [[ $(wsql "SELECT COUNT(*) FROM jobs WHERE status='running' AND lease_owner LIKE '%:$VICTIM'") -gt 0 ]] && break
  sleep 0.1
done
[[ $(wsql "SELECT COUNT(*) FROM jobs WHERE status='running' AND lease_owner LIKE '%:$VICTIM'") -gt 0 ]] ||
  fail "worker $VICTIM never held a job"
t=$(now)
kill -KILL "$VICTIM"
printf 'worker SIGKILL mid-job\t%s\t\n' "$t" >>"$FAULTS"
pass "worker $VICTIM killed holding job $(wsql "SELECT id FROM jobs WHERE status='running' AND lease_owner LIKE '%:$VICTIM' LIMIT 1")"

step "2. an app instance is SIGKILLed"
sleep 3
t=$(now)
kill -KILL "${APP_PIDS[0]}"
printf 'app instance SIGKILL\t%s\t\n' "$t" >>"$FAULTS"
sleep 8

step "waiting for every photo of the wave to be ready"
for _ in $(seq 300); do
  [[ $(wsql "SELECT COUNT(*) FROM photos WHERE status NOT IN ('ready','failed')") == 0 ]] && break
  sleep 1
done
[[ $(wsql "SELECT COUNT(*) FROM photos WHERE status NOT IN ('ready','failed')") == 0 ]] ||
  fail "photos still processing: $(wsql "SELECT id, status FROM photos WHERE status NOT IN ('ready','failed')" | head)"
pass "all photos processed; $(wsql "SELECT COUNT(*) FROM jobs WHERE attempts > 1") job(s) needed a second attempt"

step "4. the primary dies; the replica is promoted; the writer endpoint moves"
t=$(now)
kill -KILL "${MDB_PID[primary]}"
printf 'primary SIGKILL, replica promoted\t%s\t' "$t" >>"$FAULTS"
red=0
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${APP_PORTS[1]}/readyz") == 503 ]] && { red=1; break; }
  sleep 0.1
done
((red)) || fail "/readyz stayed green with the writer gone"
pass "/readyz red while the writer is unreachable"
# Promote: apply everything the replica received (semi-sync: every acknowledged commit), then
# stop replicating and accept writes.
mdb_sql replica "STOP SLAVE IO_THREAD"
for _ in $(seq 300); do
  mariadb --no-defaults -S "$TMP/replica/sock" -uroot -e "SHOW SLAVE STATUS\G" |
    grep -q 'Slave_SQL_Running_State: Slave has read all relay log' && break
  sleep 0.1
done
# No replica of its own yet: semi-sync would hold each commit for its timeout.
mdb_sql replica "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL rpl_semi_sync_master_enabled = OFF; SET GLOBAL read_only = 0"
echo "127.0.0.1:${MDB_PORT[replica]}" >"$TMP/writer.target.new"
mv "$TMP/writer.target.new" "$TMP/writer.target"
green=0
for _ in $(seq 600); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${APP_PORTS[1]}/readyz") == 200 ]] && { green=1; break; }
  sleep 0.1
done
((green)) || fail "/readyz did not turn green after the promotion"
back=$(now)
printf '%s\n' "$back" >>"$FAULTS"
pass "/readyz green again after $(/usr/bin/python3 -c "print(f'{$back - $t:.1f}')") s, no process restarted"
sleep 12

step "SIGTERM drain: an app instance and a worker stop gracefully under load"
t=$(now)
kill -TERM "${APP_PIDS[2]}" "${WORKER_PIDS[1]}"
printf 'app + worker SIGTERM (drain)\t%s\t' "$t" >>"$FAULTS"
for p in "${APP_PIDS[2]}" "${WORKER_PIDS[1]}"; do
  for _ in $(seq $(((SCHOOLYARD_DRAIN_SECONDS + 20) * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && fail "process $p still running $((SCHOOLYARD_DRAIN_SECONDS + 20)) s after SIGTERM"
done
printf '%s\n' "$(now)" >>"$FAULTS"
pass "app instance and worker exited within the drain deadline"
# A worker to finish what is left (the operator's replacement for the ones that went).
"$SY_BINARY" worker --workers 1 >"$TMP/worker3.log" 2>&1 &
WORKER3=$!
PIDS+=($!)
sleep 5

step "stopping the load; waiting for the last photos"
touch "$TMP/stop"
for _ in $(seq 600); do kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$LOAD_PID" || { cat "$TMP/load.log"; fail "the load script failed"; }
for _ in $(seq 300); do
  [[ $(wsql "SELECT COUNT(*) FROM photos WHERE status NOT IN ('ready','failed')") == 0 ]] && break
  sleep 1
done
/usr/bin/python3 "$HERE/load.py" verify "$TMP/load.json" >"$TMP/verify.json" || true

# ---- what is there now ----
/usr/bin/python3 - "$TMP" "$S3_PORT" <<'PYEOF' || fail "collecting the final state"
import json, subprocess, sys
import botocore.session
tmp, s3_port = sys.argv[1:3]
name = "replica"  # the writer since the promotion
def q(sql):
    out = subprocess.run(["mariadb", "--no-defaults", "-S", f"{tmp}/{name}/sock", "-uroot", "-N", "-B", "sy", "-e", sql],
                         check=True, capture_output=True, text=True).stdout
    return [l.split("\t") for l in out.splitlines() if l]
photos = {}
for pid, status, done, other, variants, current, error_code, purged in q(
        "SELECT p.id, p.status, (SELECT COUNT(*) FROM jobs j WHERE j.photo_id=p.id AND j.status='done'), "
        "(SELECT COUNT(*) FROM jobs j WHERE j.photo_id=p.id AND j.status<>'done'), "
        "(SELECT COUNT(*) FROM photo_variants v WHERE v.photo_id=p.id), p.is_current, p.error_code, "
        "p.purged_at IS NOT NULL FROM photos p"):
    photos[pid] = [status, int(done), int(other), int(variants), int(current), error_code, int(purged)]
audit = {}
for action, target, details, actor, n in q(
        "SELECT action, entity_id, detail, actor_username, COUNT(*) FROM audit_log "
        "WHERE action IN ('consent.set','login.ok') GROUP BY action, entity_id, detail, actor_username"):
    if action == "consent.set":
        key = f"consent.set {target} {details.split(' ')[-1]}"
    else:
        key = f"login.ok {actor}"
    audit[key] = audit.get(key, 0) + int(n)
s3 = botocore.session.get_session().create_client("s3", endpoint_url=f"http://127.0.0.1:{s3_port}", region_name="us-east-1",
                                                  aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER")
objects, token = [], None
while True:
    kw = {"Bucket": "sy-cluster", **({"ContinuationToken": token} if token else {})}
    r = s3.list_objects_v2(**kw)
    objects += [o["Key"] for o in r.get("Contents", [])]
    if not r.get("IsTruncated"):
        break
    token = r["NextContinuationToken"]
verify = json.load(open(f"{tmp}/verify.json"))
state = {"photos": photos, "objects": objects, "variant_keys": [k for (k,) in q("SELECT object_key FROM photo_variants")],
         "original_keys": {pid: k for pid, k in q("SELECT id, original_key FROM photos")}, "audit": audit,
         "sessions_lost": verify["sessions_lost"]}
json.dump(state, open(f"{tmp}/state.json", "w"))
PYEOF

step "5. backup → wipe → restore"
# Everything stops first so that before and after describe one state (a backup taken while serving
# is consistent too, but the drill compares every row).
kill -TERM "${APP_PIDS[1]}" "$WORKER3"
for p in "${APP_PIDS[1]}" "$WORKER3"; do
  for _ in $(seq $(((SCHOOLYARD_DRAIN_SECONDS + 20) * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
fingerprint() {
  /usr/bin/python3 "$HERE/fingerprint.py" "$TMP/replica/sock" sy "http://127.0.0.1:$S3_PORT" sy-cluster "$@"
}
fingerprint >"$TMP/before.txt" || fail "fingerprint"
t=$(now)
id=$("$SY_BINARY" backup 2>"$TMP/backup.err") || { cat "$TMP/backup.err"; fail "schoolyard backup"; }
t_backup=$(now)
mdb_sql replica "DROP DATABASE sy; CREATE DATABASE sy CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
fingerprint wipe
fingerprint >"$TMP/wiped.txt"
grep -q '^object ' "$TMP/wiped.txt" && fail "the wipe left objects behind"
grep -q '^table ' "$TMP/wiped.txt" && fail "the wipe left tables behind"
t_restore=$(now)
"$SY_BINARY" restore "$id" >"$TMP/restore.out" 2>"$TMP/restore.err" || { cat "$TMP/restore.err"; fail "schoolyard restore $id"; }
t_done=$(now)
fingerprint >"$TMP/after.txt"
diff "$TMP/before.txt" "$TMP/after.txt" >"$TMP/restore.diff" || { head -20 "$TMP/restore.diff"; fail "restore differs from the backup"; }
BACKUP_LINE="backup $id: $(grep -c '^table ' "$TMP/before.txt") tables, $(awk '$1=="table"{n+=$3} END{print n}' "$TMP/before.txt") rows, \
$(grep -c '^object ' "$TMP/before.txt") objects; backup $(/usr/bin/python3 -c "print(f'{$t_backup - $t:.1f}')") s, \
restore $(/usr/bin/python3 -c "print(f'{$t_done - $t_restore:.1f}')") s; after restore: every row and object byte-identical"
pass "$BACKUP_LINE"

step "verdict"
/usr/bin/python3 "$HERE/report.py" "$TMP/load.out.json" "$FAULTS" "$TMP/wave.out.json" "$TMP/state.json" |
  tee "${SY_CLUSTER_REPORT:-/dev/null}"
echo "$BACKUP_LINE" | tee -a "${SY_CLUSTER_REPORT:-/dev/null}"
echo "cluster drill: all passed in $(($(date +%s) - T_START)) s"
