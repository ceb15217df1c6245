#!/usr/bin/env bash
# Two stateless instances behind a real nginx: a session made through one is honoured by the
# other; X-Forwarded-Proto from the trusted proxy makes cookies Secure; from an untrusted peer it
# is ignored.
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || fail "nginx is not installed"

DATA="$TMP/shared-data"
export SCHOOLYARD_DATA_DIR=$DATA
printf 'admin password 123\n' | "$SY_BINARY" admin create-user --username boss --role admin --password-stdin >/dev/null
start_server a SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0; A=$PORT
start_server b SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0; B=$PORT

NPORT=$(free_port)
nginx_conf "$TMP/nginx" <<CONF
  client_max_body_size 26m;
  upstream app { server 127.0.0.1:$A; server 127.0.0.1:$B; }
  server {
    listen 127.0.0.1:$NPORT;
    location / {
      proxy_pass http://app;
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;  # as a TLS-terminating proxy would
    }
  }
CONF
start_nginx "$TMP/nginx"
NG="http://127.0.0.1:$NPORT"
wait_http "$NG/healthz" 20 || { cat "$TMP/nginx/logs/error.log"; fail "nginx did not start"; }

curl -s -c "$TMP/jar" -D "$TMP/h" -o "$TMP/s.json" -H 'Content-Type: application/json' \
  -d '{"username":"boss","password":"admin password 123"}' "$NG/api/v1/session"
grep -qi '^set-cookie: __Host-sy_session=.*Secure.*SameSite=Lax' "$TMP/h" || { cat "$TMP/h"; fail "cookie not Secure behind the proxy"; }
grep -qi '^strict-transport-security:' "$TMP/h" || fail "no HSTS behind HTTPS proxy"
# curl will not send a Secure cookie over http://, so pass it by hand.
COOKIE=$(grep -i '^set-cookie: __Host-sy_session=' "$TMP/h" | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
for i in $(seq 6); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$NG/api/v1/me") == 200 ]] || fail "request $i lost the session"
done
grep -q . "$TMP/nginx/logs/access.log" || fail "nothing went through nginx"
pass "session honoured across instances behind nginx"

# The access log of both instances saw traffic (round robin).
grep -q '"path":"/api/v1/me"' "$TMP/a.log" || fail "instance a saw no /me"
grep -q '"path":"/api/v1/me"' "$TMP/b.log" || fail "instance b saw no /me"
pass "both instances served"

# The client's address comes from X-Forwarded-For (trusted proxy): recorded in the audit log.
curl -s -H "Cookie: $COOKIE" "$NG/api/v1/audit?action=login.ok" | grep -q '"ip":"127.0.0.1"' || fail "audit ip"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$NG/api/v1/nope") == 404 ]] || fail "404 through nginx"

# An untrusted peer's X-Forwarded-Proto is ignored.
start_server c SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=0 SCHOOLYARD_TRUSTED_PROXIES=10.9.9.9
curl -s -D "$TMP/h3" -o /dev/null -H 'X-Forwarded-Proto: https' -H 'Content-Type: application/json' \
  -d '{"username":"boss","password":"admin password 123"}' "$BASE/api/v1/session"
grep -qi '^set-cookie: sy_session=' "$TMP/h3" || { cat "$TMP/h3"; fail "untrusted proxy header believed"; }
grep -qi 'Secure' "$TMP/h3" && fail "Secure cookie from an untrusted header"
pass "untrusted X-Forwarded-Proto ignored"
echo "nginx_proxy: all passed"
