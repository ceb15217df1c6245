#!/usr/bin/env bash
# The marks grid in headless Chromium (tools/e2e/marks_grid.mjs) against the real server: keyboard
# entry, codes, validation, a pasted column, autosave that survives a failed request, finalise.
source "$(dirname "$0")/lib.sh"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed (./dev setup test)"
TOOLS="$SY_SOURCE_DIR/tools"
[[ -d $TOOLS/node_modules/playwright-core ]] || fail "playwright-core missing (cd tools && npm ci)"

DATA="$TMP/marks-data"
export SCHOOLYARD_DATA_DIR=$DATA
printf 'admin password 123\n' | "$SY_BINARY" admin create-user --username boss --role admin --password-stdin >/dev/null
start_server marks SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0

api() {  # api METHOD PATH [JSON]
  curl -sf -b "$TMP/jar" -c "$TMP/jar" -H "X-CSRF-Token: ${CSRF:-}" -H 'Content-Type: application/json' \
    -X "$1" "$BASE$2" ${3:+-d "$3"}
}
py() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
CSRF=$(api POST /api/v1/session '{"username":"boss","password":"admin password 123"}' | py 'd["csrf_token"]')
T=$(api POST /api/v1/users '{"username":"ms.lee","role":"teacher","full_name":"Ms Lee","password":"teacher password 1"}' | py 'd["id"]')
C=$(api POST /api/v1/classes '{"name":"8C","year":2026}' | py 'd["id"]')
S=()
for who in "ana.b:Ana Bell" "ben.c:Ben Chu" "chloe.d:Chloé Dupont"; do
  id=$(api POST /api/v1/users "{\"username\":\"${who%%:*}\",\"role\":\"student\",\"full_name\":\"${who#*:}\",\"password\":\"student password 1\"}" | py 'd["id"]')
  api POST "/api/v1/classes/$C/students" "{\"student_id\":$id}" >/dev/null
  S+=("$id")
done
api POST "/api/v1/classes/$C/teachers" "{\"teacher_id\":$T,\"subject\":\"Maths\"}" >/dev/null
Y=$(api GET /api/v1/years | py '[y["id"] for y in d["years"] if y["year"] == 2026][0]')
TERM=$(api POST "/api/v1/years/$Y/terms" '{"name":"Autumn","start_date":"2026-01-05","end_date":"2026-04-30"}' | py 'd["id"]')
SUBJ=$(api GET '/api/v1/subjects?q=Maths' | py 'd["subjects"][0]["id"]')
A=$(api POST /api/v1/assessments "{\"term_id\":$TERM,\"class_id\":$C,\"subject_id\":$SUBJ,\"name\":\"Fractions test\",\"max\":\"20\"}" | py 'd["id"]')
cat >"$TMP/setup.json" <<JSON
{"assessment_id": $A, "assessment_name": "Fractions test", "students": [${S[0]}, ${S[1]}, ${S[2]}],
 "teacher": {"username": "ms.lee", "password": "teacher password 1"},
 "admin": {"username": "boss", "password": "admin password 123"}}
JSON

SHOTS=${SY_E2E_SHOTS:-$TMP/shots}
mkdir -p "$SHOTS"
timeout 120 node "$TOOLS/e2e/marks_grid.mjs" "$BASE" "$TMP/setup.json" "$SHOTS" >"$TMP/browser.log" 2>&1 ||
  { echo "--- browser:"; tail -40 "$TMP/browser.log"; echo "--- server:"; tail -20 "$LOG"; fail "marks grid"; }
pass "marks grid: keyboard, codes, validation, paste, autosave through a failure, finalise"
