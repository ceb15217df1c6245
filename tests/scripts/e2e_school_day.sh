#!/usr/bin/env bash
# The school day in headless Chromium on a phone viewport (issue #10): the admin sets the school up
# through the pages (year, term, subjects, classes, a teacher, a timetable, students with guardians
# by CSV import after a dry run) until the setup checklist is empty; the teacher takes the register
# with one absence; the guardian's absence email arrives at a real SMTP server (aiosmtpd) and the
# absence shows on the child's page; a notice to one class reaches its students only.
# Every component is required: a missing one is a failure, not a skip.
source "$(dirname "$0")/lib.sh"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed (./dev setup test)"
TOOLS="$SY_SOURCE_DIR/tools"
[[ -d $TOOLS/node_modules/playwright-core ]] || fail "playwright-core missing (cd tools && npm ci)"
too_old=$(/usr/bin/python3 "$TOOLS/node_engines.py" "$TOOLS" 2>&1) || fail "node $(node --version) cannot run the tools: $too_old"
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || fail "python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)"

# The SMTP sink prints its port, then stores each message as MAIL/<n>.eml; it stops when its
# standard input closes, so it reads a FIFO this shell holds open until it exits.
MAIL="$TMP/mail"
mkfifo "$TMP/sink.in"
/usr/bin/python3 "$SY_SOURCE_DIR/tests/support/smtp_sink.py" --dir "$MAIL" <"$TMP/sink.in" >"$TMP/sink.port" 2>"$TMP/sink.log" &
PIDS+=($!)
exec 7>"$TMP/sink.in"
for _ in $(seq 100); do [[ -s $TMP/sink.port ]] && break; sleep 0.1; done
SMTP_PORT=$(head -1 "$TMP/sink.port")
[[ $SMTP_PORT =~ ^[0-9]+$ ]] || { cat "$TMP/sink.log"; fail "the SMTP sink did not start"; }

DATA="$TMP/day-data"
printf 'admin password 123\n' |
  SCHOOLYARD_DATA_DIR="$DATA" "$SY_BINARY" admin create-user --username office --role admin --password-stdin >/dev/null
start_server day SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=1 \
  SCHOOLYARD_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" SCHOOLYARD_MAIL_FROM="office@school.test"

cat >"$TMP/setup.json" <<JSON
{"admin": {"username": "office", "password": "admin password 123"}, "mail_dir": "$MAIL"}
JSON
SHOTS=${SY_E2E_SHOTS:-$TMP/shots}
mkdir -p "$SHOTS"
# The whole flow is bounded: a hang is a failure well inside ctest's timeout.
DEBUG=pw:browser timeout 110 node "$TOOLS/e2e/school_day_flow.mjs" "$BASE" "$TMP/setup.json" "$SHOTS" \
  >"$TMP/browser.log" 2>&1 ||
  { echo "--- browser (node $(node --version), playwright-core, Chromium):"; grep -v '^.*pw:browser' "$TMP/browser.log" | tail -40
    echo "--- server:"; tail -20 "$LOG"; fail "school day flow"; }
grep -v 'pw:browser' "$TMP/browser.log" | grep '^ok:' || true
pass "school day on a phone: setup → checklist empty → register → absence email → notice"
