#!/usr/bin/env bash
# testssl.sh against nginx running the shipped TLS settings (deploy/nginx/tls.conf) in front of
# the app, with a certificate made here: no SSLv2/3, TLS 1.0/1.1, no NULL/export/low/3DES/RC4 or
# other obsolete ciphers, HSTS present with max-age >= 1 year. Bounded (a few protocol, cipher
# and header checks, a hard timeout).
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || fail "nginx is not installed"
TESTSSL=$(command -v testssl || command -v testssl.sh || true)
[[ -n $TESTSSL ]] || fail "testssl.sh is not installed (./dev setup test)"
SRC=${SY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

SCHOOLYARD_WORKERS=0 start_server app SCHOOLYARD_TRUSTED_PROXIES=127.0.0.1/32
APP=$PORT
mkdir -p "$TMP/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=school.test" \
  -addext "subjectAltName=DNS:school.test,IP:127.0.0.1" \
  -keyout "$TMP/nginx/school.key" -out "$TMP/nginx/school.pem" 2>/dev/null
NPORT=$(free_port)
nginx_conf "$TMP/nginx" <<CONF
  server {
    listen 127.0.0.1:$NPORT ssl http2;
    server_name school.test;
    ssl_certificate $TMP/nginx/school.pem;
    ssl_certificate_key $TMP/nginx/school.key;
    include $SRC/deploy/nginx/tls.conf;
    location / {
      proxy_pass http://127.0.0.1:$APP;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
CONF
start_nginx "$TMP/nginx"
for _ in $(seq 100); do curl -ksf -o /dev/null "https://127.0.0.1:$NPORT/healthz" && break; sleep 0.1; done
curl -ksf -o /dev/null "https://127.0.0.1:$NPORT/healthz" || { cat "$TMP/nginx/logs/error.log"; fail "nginx TLS did not start"; }

# -p protocols, -s cipher categories, -f forward secrecy, -h headers (HSTS); no vulnerability
# probes (they need minutes and test OpenSSL rather than our settings).
set +e
timeout 240 "$TESTSSL" --quiet --color 0 --warnings batch --sneaky --fast -p -s -f -h \
  --jsonfile "$TMP/testssl.json" "127.0.0.1:$NPORT" >"$TMP/testssl.txt" 2>&1
rc=$?
set -e
[[ -s $TMP/testssl.json ]] || { tail -30 "$TMP/testssl.txt"; fail "testssl.sh wrote no result (rc=$rc)"; }
/usr/bin/python3 - "$TMP/testssl.json" <<'PY' || fail "weak TLS settings (see above)"
import json, sys
found = {f["id"]: f for f in json.load(open(sys.argv[1]))}
bad = []
def need(id_, pred, why):
    f = found.get(id_)
    if f is None:
        bad.append(f"{id_}: not reported by testssl.sh")
    elif not pred(f["finding"]):
        bad.append(f"{id_}: {f['finding']} ({why})")
for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    need(p, lambda s: s.startswith("not offered"), "must not be offered")
need("TLS1_2", lambda s: s.startswith("offered"), "TLS 1.2 expected")
need("TLS1_3", lambda s: s.startswith("offered"), "TLS 1.3 expected")
for c in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW", "cipherlist_3DES_IDEA"):
    need(c, lambda s: s.startswith("not offered"), "weak cipher class")
need("cipherlist_AVERAGE", lambda s: s.startswith("not offered"), "obsolete (CBC, no AEAD) ciphers")
need("HSTS_time", lambda s: True, "")
hsts = found.get("HSTS_time", {}).get("finding", "")
import re
m = re.search(r"(\d+) seconds", hsts) or re.search(r"=(\d+)", hsts)
if not m or int(m.group(1)) < 31536000:
    bad.append(f"HSTS_time: {hsts!r} (want max-age >= 1 year)")
for f in found.values():
    if f.get("severity") in ("HIGH", "CRITICAL") and f["id"] not in ("cert_trust", "cert_chain_of_trust", "cert_caIssuers"):
        bad.append(f"{f['id']}: {f['finding']} (severity {f['severity']})")
if bad:
    print("testssl.sh findings:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
print("TLS: " + ", ".join(f"{k}={found[k]['finding']}" for k in ("TLS1_2", "TLS1_3", "HSTS_time")))
PY
pass "testssl.sh: TLS 1.2/1.3 only, no weak ciphers, HSTS (deploy/nginx/tls.conf)"
