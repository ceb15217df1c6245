#!/usr/bin/env bash
# Results in headless Chromium on a phone (issue #11): the teacher enters marks in the grid with the
# keyboard, the admin finalises the assessment and schedules the publication for a minute ahead on
# /admin/results; at that instant (not before) the student and the guardian see the result page
# and download the report-card PDF, whose text (pdftotext) carries the student's name in Cyrillic.
# The school itself is set up through the JSON API (the school-day test does it through pages).
source "$(dirname "$0")/lib.sh"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed (./dev setup test)"
command -v pdftotext >/dev/null || fail "pdftotext is missing (apt-get install poppler-utils)"
TOOLS="$SY_SOURCE_DIR/tools"
[[ -d $TOOLS/node_modules/playwright-core ]] || fail "playwright-core missing (cd tools && npm ci)"
too_old=$(/usr/bin/python3 "$TOOLS/node_engines.py" "$TOOLS" 2>&1) || fail "node $(node --version) cannot run the tools: $too_old"

DATA="$TMP/results-data"
printf 'admin password 123\n' |
  SCHOOLYARD_DATA_DIR="$DATA" "$SY_BINARY" admin create-user --username office --role admin --password-stdin >/dev/null
start_server results SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=1

api() {  # api METHOD PATH [JSON]: the admin's session; fails the test on an HTTP error
  local out
  out=$(curl -sS -b "$TMP/jar" -c "$TMP/jar" -H "X-CSRF-Token: ${CSRF:-}" -H 'Content-Type: application/json' \
    -w '\n%{http_code}' -X "$1" "$BASE$2" ${3:+-d "$3"}) || fail "$1 $2: curl failed"
  local code=${out##*$'\n'}
  [[ $code == 2* ]] || fail "$1 $2 → $code: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
CSRF=$(api POST /api/v1/session '{"username":"office","password":"admin password 123"}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
id_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

read -r TODAY START END YEAR < <(/usr/bin/python3 -c '
import datetime as d
t = d.datetime.now(d.timezone.utc).date()
s = t - d.timedelta(days=90)
print(t, s, t + d.timedelta(days=270), s.year)')
Y=$(api POST /api/v1/years "{\"year\":$YEAR,\"start_date\":\"$START\",\"end_date\":\"$END\"}" | id_of)
TERM=$(api POST "/api/v1/years/$Y/terms" "{\"name\":\"Autumn\",\"start_date\":\"$START\",\"end_date\":\"$END\"}" | id_of)
api POST /api/v1/subjects '{"name":"Mathematics","code":"MATH"}' >/dev/null
T=$(api POST /api/v1/users '{"username":"ms.okafor","role":"teacher","full_name":"Ms Okafor","password":"teacher password 1"}' | id_of)
S1=$(api POST /api/v1/users '{"username":"anna.p","role":"student","full_name":"Анна Петрова","password":"student password 1"}' | id_of)
S2=$(api POST /api/v1/users '{"username":"tom.w","role":"student","full_name":"Tom Walker","password":"student password 2"}' | id_of)
G=$(api POST /api/v1/users '{"username":"olga.p","role":"guardian","full_name":"Ольга Петрова","password":"guardian password 1"}' | id_of)
C=$(api POST /api/v1/classes "{\"name\":\"7A\",\"academic_year_id\":$Y}" | id_of)
api POST "/api/v1/classes/$C/students" "{\"student_id\":$S1}" >/dev/null
api POST "/api/v1/classes/$C/students" "{\"student_id\":$S2}" >/dev/null
api POST "/api/v1/classes/$C/teachers" "{\"teacher_id\":$T,\"subject\":\"Mathematics\"}" >/dev/null
api POST /api/v1/guardians "{\"guardian_id\":$G,\"student_id\":$S1}" >/dev/null
# The assessment the teacher marks (the marks helper's API).
SUBJ=$(api GET '/api/v1/subjects?q=Mathematics' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["subjects"][0]["id"])')
A=$(api POST /api/v1/assessments "{\"term_id\":$TERM,\"class_id\":$C,\"subject_id\":$SUBJ,\"name\":\"Fractions test\",\"held_on\":\"$TODAY\",\"max\":\"20\",\"weight\":100}" | id_of)

cat >"$TMP/setup.json" <<JSON
{"admin": {"username": "office", "password": "admin password 123"},
 "teacher": {"username": "ms.okafor", "password": "teacher password 1"},
 "students": [{"id": $S1, "username": "anna.p", "password": "student password 1", "full_name": "Анна Петрова", "mark": "17.5"},
              {"id": $S2, "username": "tom.w", "password": "student password 2", "full_name": "Tom Walker", "mark": "abs"}],
 "guardian": {"username": "olga.p", "password": "guardian password 1", "child": $S1},
 "term_id": $TERM, "class_id": $C, "assessment_id": $A, "assessment_name": "Fractions test", "work_dir": "$TMP"}
JSON
SHOTS=${SY_E2E_SHOTS:-$TMP/shots}
mkdir -p "$SHOTS"
# Bounded: the scheduled instant is at most ~80 s ahead (a whole minute, as the form's field takes).
DEBUG=pw:browser timeout 170 node "$TOOLS/e2e/results_flow.mjs" "$BASE" "$TMP/setup.json" "$SHOTS" \
  >"$TMP/browser.log" 2>&1 ||
  { echo "--- browser (node $(node --version), playwright-core, Chromium):"; grep -v 'pw:browser' "$TMP/browser.log" | tail -40
    echo "--- server:"; grep -v "\"type\":\"access\"" "$LOG" | tail -20; fail "results flow"; }
grep -v 'pw:browser' "$TMP/browser.log" | grep '^ok:' || true
pass "results on a phone: marks by keyboard → finalise → scheduled publication → page and PDF at the instant"
