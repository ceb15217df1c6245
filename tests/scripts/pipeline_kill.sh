#!/usr/bin/env bash
# Drill: a `schoolyard worker` killed with SIGKILL in the middle of a job. The job must come back
# only after its lease expires, be finished by another worker exactly once (one set of
# derivatives, attempts = 2), and every photo must end ready. Then SIGTERM stops a worker cleanly.
# Runs on SQLite and (in full mode) MariaDB.
source "$(dirname "$0")/lib.sh"
source "${SY_SOURCE_DIR:-$(dirname "$0")/../..}/tests/jobs/pipeline_lib.sh"

LEASE=5
# busy_worker N LETTER (inside drill): student killN uploads a photo and a new worker takes the
# job; sets WORKER (its pid) and JOB (the running job's id).
busy_worker() {
  local n=$1 letter=$2 session
  add_student "kill$n" "drill-password-$n"
  session=$(login "kill$n" "drill-password-$n")
  upload "$session" "$TMP/photo.jpg" >/dev/null
  "$SY_BINARY" worker --workers 1 >"$TMP/$tag-$letter.log" 2>&1 &
  WORKER=$!
  PIDS+=("$WORKER")
  wait_jobs "any(j['status']=='running' and (j['lease_owner'] or '').endswith(':$WORKER') for j in jobs)" 60 ||
    fail "worker ${letter^^} took no job"
  JOB=$(jobs_field "[j['id'] for j in jobs if j['status']=='running'][0]")
}

drill() {
  local db=$1 tag=$2
  export SCHOOLYARD_DB_URL=$db SCHOOLYARD_DATA_DIR=$TMP/$tag SCHOOLYARD_STORAGE_URL=file://$TMP/$tag/objects
  export SCHOOLYARD_JOB_LEASE_SECONDS=$LEASE SCHOOLYARD_LOG_LEVEL=info
  SCHOOLYARD_WORKERS=0 start_server "$tag"   # uploads only: the workers are separate processes
  local n=4 i sessions=() ids=()
  for i in $(seq $n); do
    add_student "kill$i" "drill-password-$i"
    sessions+=("$(login "kill$i" "drill-password-$i")")
    ids+=("$(upload "${sessions[-1]}" "$TMP/photo.jpg")")
  done
  [[ $(jobs_field 'sum(j["status"]=="queued" for j in jobs)') == "$n" ]] || fail "$n queued jobs expected"

  "$SY_BINARY" worker --workers 1 >"$TMP/$tag-a.log" 2>&1 &
  local a=$!
  PIDS+=("$a")
  # Kill A as soon as it holds a lease, mid-job.
  local victim=""
  for _ in $(seq 600); do
    victim=$(jobs_field "next((j['id'] for j in jobs if j['status']=='running' and (j['lease_owner'] or '').endswith(':$a')), '')")
    [[ -n $victim ]] && break
    sleep 0.02
  done
  [[ -n $victim ]] || { cat "$TMP/$tag-a.log"; fail "worker A never took a job"; }
  kill -9 "$a"
  wait "$a" 2>/dev/null || true
  local killed_ms
  killed_ms=$($PY -c 'import time; print(int(time.time()*1000))')
  # Still leased to the dead worker (it died before recording anything).
  [[ $(jobs_field "[j['status'] for j in jobs if j['id']==$victim][0]") == running ]] ||
    fail "job $victim was not in progress when worker A was killed"

  "$SY_BINARY" worker --workers 1 >"$TMP/$tag-b.log" 2>&1 &
  local b=$!
  PIDS+=("$b")
  wait_jobs 'all(j["status"]=="done" for j in jobs)' 90 || { cat "$TMP/$tag-b.log"; jobs_json; fail "jobs not done"; }

  # The victim: taken over only after the lease, attempted twice, recorded once.
  local v
  v=$(jobs_field "[j for j in jobs if j['id']==$victim][0]")
  $PY - "$v" "$killed_ms" "$LEASE" <<'PYEOF' || fail "victim job: $v"
import ast, sys
j = ast.literal_eval(sys.argv[1]); killed = int(sys.argv[2]); lease = int(sys.argv[3]) * 1000
assert j["status"] == "done" and j["result"] == "ready", j
assert j["attempts"] == 2, ("attempts", j["attempts"])
# Heartbeats renew the lease every lease/3, so it ran out at least 2/3 lease after the kill; the
# second claim cannot come sooner.
assert j["started_at_ms"] >= killed + lease * 2 // 3 - 500, ("taken over before the lease expired", j["started_at_ms"] - killed)
PYEOF
  [[ $(jobs_field 'sum(j["attempts"] for j in jobs)') == $((n + 1)) ]] || fail "only the victim may run twice"
  for i in $(seq $n); do
    local body id=${ids[$((i - 1))]}
    body=$(my_photo "${sessions[$((i - 1))]}")
    [[ $body == *'"status":"ready"'* ]] || fail "photo $id: $body"
    [[ $(find "$TMP/$tag/objects/compressed/$id" -type f | wc -l) == 3 ]] || fail "photo $id: not exactly 3 derivatives"
  done

  # SIGTERM when idle: a clean, quick exit.
  kill -TERM "$b"
  local rc=0
  wait "$b" || rc=$?
  [[ $rc == 0 ]] || fail "worker exit code $rc after SIGTERM"

  # SIGTERM mid-job: the job in hand is finished before the process exits 0.
  local c job
  busy_worker 5 c
  c=$WORKER job=$JOB
  kill -TERM "$c"
  rc=0
  wait "$c" || rc=$?
  [[ $rc == 0 ]] || fail "worker C exit code $rc after SIGTERM"
  [[ $(jobs_field "[j['status'] for j in jobs if j['id']==$job][0]") == done ]] || fail "SIGTERM left job $job unfinished"

  # A second SIGTERM: the lease goes back to the queue at once, the attempt is not used up.
  local d
  busy_worker 6 d
  d=$WORKER job=$JOB
  kill -TERM "$d"
  sleep 0.05
  kill -TERM "$d"
  rc=0
  wait "$d" || rc=$?
  local st
  st=$(jobs_field "[(j['status'], j['attempts']) for j in jobs if j['id']==$job][0]")
  if [[ $st == "('done', 1)" ]]; then
    pass "$tag: (job $job finished before the second signal arrived)"
  else
    [[ $rc == 1 && $st == "('queued', 0)" ]] || fail "second SIGTERM: rc=$rc job=$st"
  fi
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  pass "$tag: killed worker's job finished once by another worker after the lease"
}

make_photo "$TMP/photo.jpg" 5000 3750  # 19 MP: long enough to be killed mid-job
mapfile -t DBS < <(drill_databases)
drill "${DBS[0]}" sqlite
if [[ ${#DBS[@]} -gt 1 ]]; then
  drill "${DBS[1]}" mariadb
  drop_mysql_url "${DBS[1]}"
fi
[[ ${SY_TEST_MODE:-} == full && ${#DBS[@]} -lt 2 ]] && fail "MariaDB drill missing in full mode"
exit 0
