#!/usr/bin/env bash
# Two real `schoolyard serve` processes on one SQLite file: each keeps its own in-memory cache of
# the yearbook page (issue 12). A change made through A (reject, approve, consent withdrawn) must
# show on the very next request through B, whose cache already holds the page from before.
# (Both dialects and every kind of change: tests/api/shared_pages_test.cpp.)
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (apt-get install sqlite3)"

DATA="$TMP/shared-data"
export SCHOOLYARD_DATA_DIR=$DATA
for u in boss:admin teach:teacher; do
  printf 'a password 12345\n' | "$SY_BINARY" admin create-user --username "${u%%:*}" --role "${u#*:}" \
    --password-stdin >/dev/null
done
start_server a SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0; A=$BASE
start_server b SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0; B=$BASE

now=$(date +%s)
sqlite3 "$DATA/schoolyard.db" <<SQL
INSERT INTO classes (name, year, created_at) VALUES ('7A', 2026, $now);
INSERT INTO users (username, password_hash, role, full_name, active, created_at, updated_at)
  VALUES ('ann', 'x', 'student', 'Ann Example', 1, $now, $now);
INSERT INTO class_teachers (class_id, teacher_id, created_at)
  SELECT c.id, u.id, $now FROM classes c, users u WHERE u.username = 'teach';
INSERT INTO class_students (class_id, student_id, created_at)
  SELECT c.id, u.id, $now FROM classes c, users u WHERE u.username = 'ann';
INSERT INTO student_consent (student_id, consent, updated_at) SELECT id, 'yearbook', $now FROM users WHERE username = 'ann';
INSERT INTO photos (student_id, status, moderation, quote, original_key, original_sha256, original_size, source_type,
                    is_current, created_at, updated_at, ready_at)
  SELECT id, 'ready', 'approved', 'hi', 'uploads/x', 'x', 1, 'jpeg', 1, $now, $now, $now FROM users WHERE username = 'ann';
SQL
CLASS=$(sqlite3 "$DATA/schoolyard.db" "SELECT id FROM classes")
ANN=$(sqlite3 "$DATA/schoolyard.db" "SELECT id FROM users WHERE username = 'ann'")
PHOTO=$(sqlite3 "$DATA/schoolyard.db" "SELECT id FROM photos")

login() {  # login USER → "cookie csrf"
  local h="$TMP/$1.h" body
  body=$(curl -s -D "$h" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"a password 12345\"}" \
    "$A/api/v1/session")
  echo "$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$h" | head -1 | tr -d '\r')" \
    "$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$body")"
}
read -r TCOOKIE TCSRF < <(login teach)
read -r ACOOKIE ACSRF < <(login boss)
[[ -n $TCOOKIE && -n $ACOOKIE ]] || fail "login failed"

page_b() { curl -s -H "Cookie: $TCOOKIE" "$B/yearbook/$CLASS"; }
shows() { page_b | grep -q "/api/v1/photos/$PHOTO/thumb"; }
through_a() {  # through_a COOKIE CSRF METHOD PATH BODY
  local code
  code=$(curl -s -o "$TMP/out" -w '%{http_code}' -X "$3" -H "Cookie: $1" -H "X-CSRF-Token: $2" \
    -H 'Content-Type: application/json' -d "$5" "$A$4")
  [[ $code == 200 ]] || fail "$3 $4 through A answered $code: $(cat "$TMP/out")"
}

shows || fail "B does not show the approved photo at first"
shows || fail "B's cached page lost the photo"
pass "B renders and serves the page from its cache"

through_a "$TCOOKIE" "$TCSRF" POST "/api/v1/photos/$PHOTO/reject" '{"reason":"blurry"}'
shows && fail "a rejection through A is not seen on the next request through B"
pass "reject through A: gone through B"

through_a "$TCOOKIE" "$TCSRF" POST "/api/v1/photos/$PHOTO/approve" '{}'
shows || fail "an approval through A is not seen on the next request through B"
pass "approve through A: back through B"

through_a "$ACOOKIE" "$ACSRF" PUT "/api/v1/students/$ANN/consent" '{"consent":"none"}'
shows && fail "a withdrawn consent through A is not seen on the next request through B"
page_b | grep -q 'Ann Example' || fail "the student is no longer listed after consent none"
pass "consent withdrawn through A: photo gone through B, name still listed"

# ETag: B answers 304 to its own ETag, 200 after a change through A.
etag=$(curl -s -D - -o /dev/null -H "Cookie: $TCOOKIE" "$B/yearbook/$CLASS" | sed -n 's/^[Ee][Tt]ag: //p' | tr -d '\r')
[[ -n $etag ]] || fail "no ETag on the yearbook page"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $TCOOKIE" -H "If-None-Match: $etag" "$B/yearbook/$CLASS")
[[ $code == 304 ]] || fail "If-None-Match with the current ETag answered $code"
through_a "$ACOOKIE" "$ACSRF" PUT "/api/v1/students/$ANN/consent" '{"consent":"yearbook"}'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $TCOOKIE" -H "If-None-Match: $etag" "$B/yearbook/$CLASS")
[[ $code == 200 ]] || fail "after a consent change through A, B answered $code to the old ETag"
shows || fail "consent given again through A is not seen through B"
pass "ETag: 304 while unchanged, 200 after a change through the other instance"
