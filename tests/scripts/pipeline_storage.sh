#!/usr/bin/env bash
# Drill: object storage goes away while a job waits. A private s3rver (own directory and port)
# is stopped; the worker's attempts fail, are retried with backoff and the job is dead-lettered
# with a clear error, the photo reported failed. Storage comes back: nothing was lost, and
# `schoolyard jobs retry` brings the photo to ready.
source "$(dirname "$0")/lib.sh"
SRC=${SY_SOURCE_DIR:-$(dirname "$0")/../..}
source "$SRC/tests/jobs/pipeline_lib.sh"
S3RVER=$SRC/tools/node_modules/s3rver/bin/s3rver.js
if [[ ! -f $S3RVER ]] || ! command -v node >/dev/null; then
  [[ ${SY_TEST_MODE:-} == quick ]] && exit 0
  fail "s3rver is not installed (./dev setup test)"
fi

S3DIR=$TMP/s3
S3PORT=$(free_port)
S3_PID=""
start_s3() {
  node --openssl-legacy-provider "$S3RVER" --directory "$S3DIR" --address 127.0.0.1 --port "$S3PORT" --silent \
    --configure-bucket drill >>"$TMP/s3rver.log" 2>&1 &
  S3_PID=$!
  PIDS+=("$S3_PID")
  wait_http "http://127.0.0.1:$S3PORT/" 30 || { tail -30 "$TMP/s3rver.log"; fail "s3rver did not start (node $(node --version))"; }
}
mkdir -p "$S3DIR"
start_s3

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export SCHOOLYARD_STORAGE_URL="s3://drill?endpoint=http://127.0.0.1:$S3PORT&region=us-east-1&path_style=1&max_attempts=2&connect_timeout=1"
export SCHOOLYARD_DB_URL=sqlite://$TMP/drill.db SCHOOLYARD_DATA_DIR=$TMP/data
export SCHOOLYARD_JOB_MAX_ATTEMPTS=3 SCHOOLYARD_LOG_LEVEL=info
SCHOOLYARD_WORKERS=0 start_server web
make_photo "$TMP/photo.jpg" 1600 1200
add_student outage "drill-password-1"
S=$(login outage "drill-password-1")
ID=$(upload "$S" "$TMP/photo.jpg")
KEY=$(jobs_field 'jobs[0]["event"]["s3"]["object"]["key"]')
JOB=$(jobs_field 'jobs[0]["id"]')

kill -TERM "$S3_PID"
wait "$S3_PID" 2>/dev/null || true
pass "storage stopped with job $JOB queued"
"$SY_BINARY" worker --workers 1 >"$TMP/worker.log" 2>&1 &
WORKER=$!
PIDS+=("$WORKER")
wait_jobs 'jobs[0]["status"]=="dead"' 90 || { tail -20 "$TMP/worker.log"; jobs_json; fail "the job was not dead-lettered"; }
[[ $(jobs_field 'jobs[0]["attempts"]') == 3 ]] || fail "expected 3 attempts: $(jobs_json)"
err=$(jobs_field 'jobs[0]["last_error"]')
[[ $err == *"$KEY"* && ( $err == *onnect* || $err == *refused* ) ]] || fail "dead letter error is not clear: $err"
grep -q "will retry" "$TMP/worker.log" || fail "no retry was logged"
"$SY_BINARY" jobs list --dead | grep -q "^$JOB	dead	3	$ID	$KEY" || { "$SY_BINARY" jobs list --dead; fail "jobs list --dead"; }
body=$(my_photo "$S")
[[ $body == *'"status":"failed"'* && $body == *processing_failed* ]] || fail "photo status: $body"
pass "retried, then dead-lettered with: $err"

start_s3
# Nothing lost: the original is still in the bucket (s3rver keeps <bucket>/<key>._S3rver_object).
cmp -s "$S3DIR/drill/$KEY._S3rver_object" "$TMP/photo.jpg" || fail "original $KEY is not intact in the bucket"
"$SY_BINARY" jobs retry "$JOB" | grep -q "queued again" || fail "jobs retry"
"$SY_BINARY" jobs retry "$JOB" >/dev/null 2>&1 && fail "retrying a queued job must fail"
wait_jobs 'jobs[0]["status"]=="done"' 60 || { tail -20 "$TMP/worker.log"; fail "retried job did not finish"; }
body=$(my_photo "$S")
[[ $body == *'"status":"ready"'* ]] || fail "photo after retry: $body"
code=$(curl -s -o "$TMP/thumb" -w '%{http_code}' -H "Cookie: ${S% *}" "$BASE/api/v1/photos/$ID/thumb")
[[ $code == 200 ]] || fail "thumb after retry: $code"
pass "storage back: retry from the CLI made the photo ready"

kill -TERM "$WORKER"
rc=0
wait "$WORKER" || rc=$?
[[ $rc == 0 ]] || fail "worker exit code $rc after SIGTERM"
exit 0
