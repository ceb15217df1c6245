#!/usr/bin/env bash
# sqlmap against every API operation and HTML form, as anonymous and as each role (session cookie
# + CSRF header/field), level 3 / risk 2, batch mode: any injectable parameter fails the test.
# Bounded: each sqlmap run has its own timeout; the whole script takes a few minutes on 2 cores.
# Target list and seeding: security/scene.py; runner and parsing: security/sqlmap_run.sh.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
command -v sqlmap >/dev/null || fail "sqlmap is not installed (./dev setup test)"

# The login throttle counts failures per client address; behind the trusted loopback "proxy" each
# sqlmap request names its own address (tamper xforwardedfor), so the login forms stay testable
# instead of answering 429 to every payload.
SCHOOLYARD_WORKERS=0 start_server scan SCHOOLYARD_TRUSTED_PROXIES=127.0.0.1/32
ADMIN_PW=$(sed -n 's/^  password: //p' "$LOG" | head -1)
/usr/bin/python3 "$HERE/security/scene.py" seed "$BASE" "$ADMIN_PW" "$TMP"
/usr/bin/python3 "$HERE/security/scene.py" sqlmap "$TMP"

# The session cookie, User-Agent and Referer are attacked once per role (the `headers` run), not
# on every route: the same middleware reads them for every request. _csrf is compared in memory.
common=(--dbms=SQLite)
skip=(--skip="sy_session,user-agent,referer,_csrf")
pids=()
SQLMAP_TIMEOUT=420 bash "$HERE/security/sqlmap_run.sh" "$TMP/sqlmap-a.log" "$TMP/sq-a" "${common[@]}" "${skip[@]}" &
pids+=($!)
SQLMAP_TIMEOUT=420 bash "$HERE/security/sqlmap_run.sh" "$TMP/sqlmap-b.log" "$TMP/sq-b" "${common[@]}" "${skip[@]}" &
pids+=($!)
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
SQLMAP_TIMEOUT=240 bash "$HERE/security/sqlmap_run.sh" "$TMP/sqlmap-headers.log" "$TMP/sq-h" "${common[@]}" --skip=_csrf || rc=1
SQLMAP_TIMEOUT=240 bash "$HERE/security/sqlmap_run.sh" "$TMP/sqlmap-login.log" "$TMP/sq-l" "${common[@]}" --tamper=xforwardedfor || rc=1
((rc == 0)) || fail "sqlmap reported findings or did not finish (see above)"

# Every payload was answered with a clear status, never an internal error.
n500=$(grep -c '"status":5[0-9][0-9]' "$LOG" || true)
((n500 == 0)) || { grep '"status":5[0-9][0-9]' "$LOG" | head -5; fail "$n500 responses with a 5xx status during the scan"; }
pass "sqlmap: no injectable parameter in $(cat "$TMP"/sqlmap-*.log | grep -c '^[A-Z]* /') requests (anonymous + 4 roles)"
