#!/usr/bin/env bash
# Drill: the database restarts while workers are processing. A private mariadbd (own datadir,
# port and socket: the shared test server is never touched) is stopped mid-run and started again
# a few seconds later; the workers must reconnect and finish every job, none dead-lettered, each
# photo ready with one set of derivatives.
source "$(dirname "$0")/lib.sh"
source "${SY_SOURCE_DIR:-$(dirname "$0")/../..}/tests/jobs/pipeline_lib.sh"
source "${SY_SOURCE_DIR:-$(dirname "$0")/../..}/tests/support/mariadb.sh"  # the flags ./dev test uses too
command -v mariadbd >/dev/null || { [[ ${SY_TEST_MODE:-} == quick ]] && exit 0; fail "mariadbd is missing"; }

MDB=$TMP/mariadb
MPORT=$(free_port)
MYSQLD_PID=""
start_mariadb() {
  mariadb_serve "$MDB" "$MPORT" "$MDB/error.log" "$MDB/stderr.log" --innodb-buffer-pool-size=64M
  MYSQLD_PID=$MARIADB_PID
  PIDS+=("$MYSQLD_PID")
  mariadb_wait "$MDB" "$MYSQLD_PID" 30 && return 0
  tail -n 30 "$MDB/stderr.log" "$MDB/error.log" 2>/dev/null
  fail "private mariadbd did not start"
}
stop_mariadb() {
  kill -TERM "$MYSQLD_PID"
  wait "$MYSQLD_PID" 2>/dev/null || true
}

mariadb_install "$MDB/data" "$MDB/install.log" || { cat "$MDB/install.log"; fail "mariadb-install-db"; }
start_mariadb
mariadb --no-defaults -S "$MDB/sock" -uroot -e "CREATE USER 'drill'@'127.0.0.1' IDENTIFIED BY 'drill-pw';
  GRANT ALL PRIVILEGES ON drill.* TO 'drill'@'127.0.0.1'; CREATE DATABASE drill;"

export SCHOOLYARD_DB_URL="mysql://drill:drill-pw@127.0.0.1:$MPORT/drill"
export SCHOOLYARD_DATA_DIR=$TMP/data SCHOOLYARD_STORAGE_URL=file://$TMP/data/objects
export SCHOOLYARD_JOB_LEASE_SECONDS=5 SCHOOLYARD_JOB_MAX_ATTEMPTS=5 SCHOOLYARD_LOG_LEVEL=info
SCHOOLYARD_WORKERS=0 start_server web
make_photo "$TMP/photo.jpg" 4000 3000
N=6
sessions=()
ids=()
for i in $(seq $N); do
  add_student "db$i" "drill-password-$i"
  sessions+=("$(login "db$i" "drill-password-$i")")
  ids+=("$(upload "${sessions[-1]}" "$TMP/photo.jpg")")
done

"$SY_BINARY" worker --workers 2 >"$TMP/worker.log" 2>&1 &
WORKER=$!
PIDS+=("$WORKER")
wait_jobs 'any(j["status"]!="queued" for j in jobs)' 60 || fail "the worker took no job"
stop_mariadb
pass "database stopped while jobs were in progress"
sleep 6
start_mariadb
pass "database started again"

wait_jobs 'all(j["status"] in ("done","dead") for j in jobs)' 120 || { tail -30 "$TMP/worker.log"; jobs_json; fail "jobs did not finish after the restart"; }
[[ $(jobs_field 'sum(j["status"]=="dead" for j in jobs)') == 0 ]] || { jobs_json; fail "a job was dead-lettered"; }
[[ $(jobs_field 'all(j["result"]=="ready" for j in jobs)') == True ]] || { jobs_json; fail "not every job ended ready"; }
grep -qiE "cannot claim|transient|lost|gone|connect" "$TMP/worker.log" || { tail -30 "$TMP/worker.log"; fail "the worker never noticed the outage"; }
for i in $(seq $N); do
  id=${ids[$((i - 1))]}
  body=$(my_photo "${sessions[$((i - 1))]}")
  [[ $body == *'"status":"ready"'* ]] || fail "photo $id: $body"
  [[ $(find "$TMP/data/objects/compressed/$id" -type f | wc -l) == 3 ]] || fail "photo $id: not exactly 3 derivatives"
done
pass "workers reconnected and finished all $N jobs"

kill -TERM "$WORKER"
rc=0
wait "$WORKER" || rc=$?
[[ $rc == 0 ]] || fail "worker exit code $rc after SIGTERM"
stop_mariadb
exit 0
