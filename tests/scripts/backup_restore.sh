#!/usr/bin/env bash
# Backup → wipe → restore through the real binary, on SQLite + file:// and (when ./dev test
# provides the servers) MariaDB + s3rver: a school with an approved photo is backed up, the
# database and every object outside backups/ are destroyed, and after `schoolyard restore` the
# yearbook JSON and the photo variants served over HTTP are byte-identical to before. On the way,
# a tampered backup and an unknown id are refused with one clear line, exit 1, nothing changed.
source "$(dirname "$0")/lib.sh"
source "${SY_SOURCE_DIR:-$(dirname "$0")/../..}/tests/jobs/pipeline_lib.sh"

aws_s3() {
  env AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    aws --endpoint-url "$SY_TEST_S3_ENDPOINT" "$@"
}

api() {  # api METHOD PATH [JSON]  (as $WHO, cookie jar per user)
  curl -sf -b "$TMP/jar.$WHO" -c "$TMP/jar.$WHO" -H "X-CSRF-Token: ${CSRF[$WHO]:-}" \
    -H 'Content-Type: application/json' -X "$1" "$BASE$2" ${3:+-d "$3"}
}
declare -A CSRF
session() {  # session USER PASSWORD
  WHO=$1
  rm -f "$TMP/jar.$WHO"
  CSRF[$WHO]=$(api POST /api/v1/session "{\"username\":\"$1\",\"password\":\"$2\"}" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])') || fail "login $1"
}
id_of() { $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

# snapshot LABEL: what a user sees (yearbook JSON, every photo variant) into $TMP/LABEL.*
snapshot() {
  WHO=boss
  api GET "/api/v1/yearbook/$CLASS" >"$TMP/$1.yearbook.json" || fail "yearbook"
  for v in jpeg webp thumb original; do
    api GET "/api/v1/photos/$PHOTO/$v" >"$TMP/$1.$v" || fail "photo variant $v"
  done
}

# store_state: a fingerprint of every object (key + bytes), backups included
store_state() {
  if [[ $STORE == file://* ]]; then
    (cd "${STORE#file://}" && find . -type f ! -path './.sy-meta/*' -print0 | sort -z | xargs -0 sha256sum)
  else
    aws_s3 s3 ls --recursive "s3://$BUCKET/" | awk '{print $3, $4}'
    aws_s3 s3 cp --quiet "s3://$BUCKET/backups/" "$TMP/s3-backups" --recursive
    (cd "$TMP/s3-backups" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    rm -rf "$TMP/s3-backups"
  fi
}

wipe() {
  if [[ $SCHOOLYARD_DB_URL == sqlite://* ]]; then
    rm -f "${SCHOOLYARD_DB_URL#sqlite://}" "${SCHOOLYARD_DB_URL#sqlite://}"-wal "${SCHOOLYARD_DB_URL#sqlite://}"-shm
  else
    drop_mysql_url "$SCHOOLYARD_DB_URL"
    fresh_mysql_url "$SCHOOLYARD_DB_URL" "${SCHOOLYARD_DB_URL##*/}" >/dev/null
  fi
  if [[ $STORE == file://* ]]; then
    find "${STORE#file://}" -mindepth 1 -maxdepth 1 ! -name backups ! -name .sy-meta -exec rm -rf {} +
    find "${STORE#file://}/.sy-meta" -mindepth 1 -maxdepth 1 ! -name backups -exec rm -rf {} +
  else
    aws_s3 s3 rm --quiet --recursive "s3://$BUCKET/" --exclude 'backups/*'
  fi
}

# flip_byte KEY: damages one byte of a stored object in place (as bit rot or an attacker would)
flip_byte() {
  local f
  if [[ $STORE == file://* ]]; then
    f="${STORE#file://}/$1"
  else
    f=$TMP/flip
    aws_s3 s3 cp --quiet "s3://$BUCKET/$1" "$f"
  fi
  $PY -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(100); b=f.read(1); f.seek(100); f.write(bytes([b[0]^1]))' "$f"
  [[ $STORE == file://* ]] || aws_s3 s3 cp --quiet "$f" "s3://$BUCKET/$1"
}

run_case() {
  local label=$1
  export SCHOOLYARD_DB_URL=$2 SCHOOLYARD_STORAGE_URL=$3 SCHOOLYARD_DATA_DIR=$TMP/$label
  STORE=$3
  mkdir -p "$SCHOOLYARD_DATA_DIR"
  "$SY_BINARY" migrate >/dev/null
  printf 'admin password 123\n' | "$SY_BINARY" admin create-user --username boss --role admin --password-stdin >/dev/null
  start_server "$label" SCHOOLYARD_DATA_DIR="$SCHOOLYARD_DATA_DIR"
  session boss 'admin password 123'
  local T S
  T=$(api POST /api/v1/users '{"username":"ms.lee","role":"teacher","full_name":"Ms Lee","password":"teacher password 1"}' | id_of)
  S=$(api POST /api/v1/users '{"username":"ana.b","role":"student","full_name":"Ana Bell","password":"student password 1"}' | id_of)
  CLASS=$(api POST /api/v1/classes '{"name":"7B","year":2026}' | id_of)
  api POST "/api/v1/classes/$CLASS/students" "{\"student_id\":$S}" >/dev/null
  api POST "/api/v1/classes/$CLASS/teachers" "{\"teacher_id\":$T,\"subject\":\"Form\"}" >/dev/null
  api PUT "/api/v1/students/$S/consent" '{"consent":"yearbook"}' >/dev/null
  make_photo "$TMP/photo.jpg" 1200 900 3
  local student
  student=$(login ana.b 'student password 1')
  PHOTO=$(upload "$student" "$TMP/photo.jpg")
  for _ in $(seq 300); do
    [[ $(my_photo "$student") == *'"status":"ready"'* ]] && break
    sleep 0.1
  done
  [[ $(my_photo "$student") == *'"status":"ready"'* ]] || { tail -5 "$LOG"; fail "$label: photo not ready"; }
  session ms.lee 'teacher password 1'
  api POST "/api/v1/photos/$PHOTO/approve" '{}' >/dev/null || fail "$label: approve"
  snapshot "$label.before"
  grep -q "\"student_id\":$S" "$TMP/$label.before.yearbook.json" || fail "$label: photo not on the yearbook"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

  local id
  id=$("$SY_BINARY" backup 2>"$TMP/$label.backup.err") || { cat "$TMP/$label.backup.err"; fail "$label: backup"; }
  [[ $id =~ ^[0-9]{8}t[0-9]{6}z-[0-9a-f]{8}$ ]] || fail "$label: backup printed '$id'"
  "$SY_BINARY" backup list | grep -q "^$id" || fail "$label: backup list lacks $id"
  wipe

  # Refusals: one line, exit 1, the store and the (empty) database untouched.
  local before after out rc
  before=$(store_state)
  set +e
  out=$("$SY_BINARY" restore 20200101t000000z-00000000 2>&1); rc=$?
  set -e
  [[ $rc == 1 && $out == "restore refused: no backup 20200101t000000z-00000000"* && $(wc -l <<<"$out") == 1 ]] ||
    fail "$label: unknown id gave rc=$rc: $out"
  local copy
  copy=$(store_state | grep -o 'backups/objects/[0-9a-f]\{64\}' | head -1)
  flip_byte "$copy"
  before=$(store_state)
  set +e
  out=$("$SY_BINARY" restore "$id" 2>&1); rc=$?
  set -e
  [[ $rc == 1 && $out == "restore refused: backup $id is damaged: "*"fails its SHA-256 check"* && $(wc -l <<<"$out") == 1 ]] ||
    fail "$label: tampered backup gave rc=$rc: $out"
  after=$(store_state)
  [[ $before == "$after" ]] || fail "$label: a refused restore changed the store"
  [[ $("$SY_BINARY" admin list-users 2>&1 | grep -c boss || true) == 0 ]] || fail "$label: a refused restore wrote the database"
  flip_byte "$copy"  # undo
  pass "$label: unknown and tampered backups refused, nothing changed"

  "$SY_BINARY" restore "$id" 2>"$TMP/$label.restore.err" || { cat "$TMP/$label.restore.err"; fail "$label: restore"; }
  start_server "$label-restored" SCHOOLYARD_DATA_DIR="$SCHOOLYARD_DATA_DIR"
  session boss 'admin password 123'
  snapshot "$label.after"
  for f in yearbook.json jpeg webp thumb original; do
    cmp -s "$TMP/$label.before.$f" "$TMP/$label.after.$f" || fail "$label: $f differs after restore"
  done
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  pass "$label: backup → wipe → restore: yearbook JSON and photos byte-identical"
}

run_case sqlite "sqlite://$TMP/sqlite/schoolyard.db" "file://$TMP/sqlite/objects"

if [[ -n ${SY_TEST_MYSQL_URL:-} && -n ${SY_TEST_S3_URL:-} ]]; then
  BUCKET=sy-backup-script-$$-$RANDOM
  aws_s3 s3api create-bucket --bucket "$BUCKET" >/dev/null
  MYSQL=$(fresh_mysql_url "$SY_TEST_MYSQL_URL" "sy_backup_$$_$RANDOM")
  run_case mariadb-s3 "$MYSQL" "s3://$BUCKET${SY_TEST_S3_URL#*sy-test}"
  drop_mysql_url "$MYSQL"
elif [[ ${SY_TEST_MODE:-} == full ]]; then
  fail "SY_TEST_MYSQL_URL and SY_TEST_S3_URL must be set in full mode"
fi
