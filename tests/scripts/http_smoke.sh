#!/usr/bin/env bash
# The real binary on a socket: first-run admin, login page and API login, HTTP basics of the
# contract (404, 413, headers, cookies, health), CLI user creation, config errors, SIGTERM.
source "$(dirname "$0")/lib.sh"

# Invalid configuration fails fast with one line naming the variable.
set +e
out=$(SCHOOLYARD_PORT=eighty "$SY_BINARY" migrate 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == *SCHOOLYARD_PORT* ]] || fail "bad config: rc=$rc out=$out"
pass "config error names the variable"

start_server main
grep -q "username: admin" "$LOG" || { cat "$LOG"; fail "first run did not print the admin"; }
ADMIN_PW=$(sed -n 's/^  password: //p' "$LOG" | head -1)
[[ ${#ADMIN_PW} -ge 12 ]] || fail "no admin password printed"
pass "first run printed the admin account"

code=$(curl -s -o "$TMP/login.html" -w '%{http_code}' "$BASE/login")
[[ $code == 200 ]] && grep -q 'action="/login"' "$TMP/login.html" || fail "login page: $code"
hdrs=$(curl -s -D - -o /dev/null "$BASE/login")
for h in "content-security-policy:" "x-content-type-options: nosniff" "referrer-policy:" "x-frame-options: DENY" "x-request-id:"; do
  grep -qi "^$h" <<<"$hdrs" || fail "missing header $h"
done
grep -qi "frame-ancestors 'none'" <<<"$hdrs" || fail "CSP lacks frame-ancestors"
grep -qi "^server:.*[0-9]" <<<"$hdrs" && fail "version banner in Server header"
pass "login page and security headers"

# Unknown routes: 404 (never 501), JSON for the API.
body=$(curl -s -w ' %{http_code}' "$BASE/api/v1/nope")
[[ $body == *'"error"'*'"code":"not_found"'*' 404' ]] || fail "api 404: $body"
[[ $(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$BASE/whatever") == 404 ]] || fail "html 404"
pass "404"

# Over the limit: 413 answered before the body is read.
resp=$(curl -s -w ' %{http_code}' -X POST -H 'Content-Type: application/octet-stream' \
  -H 'Content-Length: 900000000' --max-time 10 "$BASE/api/v1/me/photo" --data-binary 'x' 2>/dev/null || true)
[[ $resp == *413 ]] || fail "413 expected, got: $resp"
head -c $((27 * 1024 * 1024)) /dev/zero >"$TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST -H 'Content-Type: application/octet-stream' \
  --data-binary @"$TMP/big" "$BASE/api/v1/me/photo" || true)
[[ $code == 413 ]] || fail "27 MB body: $code"
pass "413"

# API login as the printed admin: cookie flags, then /me.
curl -s -c "$TMP/jar" -D "$TMP/h" -o "$TMP/s.json" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" "$BASE/api/v1/session"
grep -qi '^set-cookie: sy_session=.*HttpOnly.*SameSite=Lax' "$TMP/h" || { cat "$TMP/h"; fail "cookie flags"; }
CSRF=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$TMP/s.json")
[[ $(curl -s -b "$TMP/jar" "$BASE/api/v1/me") == *'"role":"admin"'* ]] || fail "me"
pass "admin logs in"

# Behind a trusted proxy that says HTTPS, the cookie is Secure with the __Host- prefix.
curl -s -D "$TMP/h2" -o /dev/null -H 'X-Forwarded-Proto: https' -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" "$BASE/api/v1/session"
grep -qi '^set-cookie: __Host-sy_session=.*Secure' "$TMP/h2" || { cat "$TMP/h2"; fail "secure cookie"; }
grep -qi '^strict-transport-security:' "$TMP/h2" || fail "HSTS behind HTTPS"
pass "secure cookie behind a trusted HTTPS proxy"

# CSRF: a write without the token is refused; with it, accepted.
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$TMP/jar" -H 'Content-Type: application/json' \
  -d '{"username":"teach1","role":"teacher"}' "$BASE/api/v1/users") == 403 ]] || fail "csrf not enforced"
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
  -d '{"username":"teach1","role":"teacher"}' "$BASE/api/v1/users") == 201 ]] || fail "create with csrf"
pass "csrf"

# Health, readiness, metrics.
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz") == 200 ]] || fail readyz
curl -s "$BASE/metrics" >"$TMP/metrics"
grep -q '^# TYPE .* histogram' "$TMP/metrics" || fail "metrics lack a histogram"
grep -q 'route="/api/v1/session"' "$TMP/metrics" || fail "metrics lack per-route series"
pass "healthz readyz metrics"

# CLI: create a user with a chosen password; it can log in through the running server.
uid=$(printf 'a chosen password\n' | SCHOOLYARD_DATA_DIR="$TMP/main-data" "$SY_BINARY" admin create-user \
  --username cli.teacher --role teacher --full-name 'Cli Teacher' --password-stdin)
[[ $uid =~ ^[0-9]+$ ]] || fail "create-user printed '$uid'"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"username":"cli.teacher","password":"a chosen password"}' "$BASE/api/v1/session") == 200 ]] || fail "cli user login"
gen=$(SCHOOLYARD_DATA_DIR="$TMP/main-data" "$SY_BINARY" admin create-user --username gen.user --role student)
[[ $gen == *"password: "* ]] || fail "generated password not printed"
pass "admin create-user"

# SIGTERM: graceful stop, exit 0.
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"; rc=$?
set -e
[[ $rc == 0 ]] || { tail -5 "$LOG"; fail "exit after SIGTERM: $rc"; }
pass "graceful shutdown"
echo "http_smoke: all passed"
