#!/usr/bin/env bash
# Headless Chromium (playwright-core) through the signature flow against the real server.
source "$(dirname "$0")/lib.sh"
[[ -x /usr/bin/chromium ]] || fail "chromium is not installed (./dev setup test)"
TOOLS="$SY_SOURCE_DIR/tools"
[[ -d $TOOLS/node_modules/playwright-core ]] || fail "playwright-core missing (cd tools && npm ci)"
too_old=$(/usr/bin/python3 "$TOOLS/node_engines.py" "$TOOLS" 2>&1) || fail "node $(node --version) cannot run the tools: $too_old"

DATA="$TMP/e2e-data"
export SCHOOLYARD_DATA_DIR=$DATA
printf 'admin password 123\n' | "$SY_BINARY" admin create-user --username boss --role admin --password-stdin >/dev/null
start_server e2e SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=1

api() {  # api METHOD PATH [JSON]
  curl -sf -b "$TMP/jar" -c "$TMP/jar" -H "X-CSRF-Token: ${CSRF:-}" -H 'Content-Type: application/json' \
    -X "$1" "$BASE$2" ${3:+-d "$3"}
}
CSRF=$(api POST /api/v1/session '{"username":"boss","password":"admin password 123"}' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
id_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
T=$(api POST /api/v1/users '{"username":"ms.lee","role":"teacher","full_name":"Ms Lee","password":"teacher password 1"}' | id_of)
S=$(api POST /api/v1/users '{"username":"ana.b","role":"student","full_name":"Ana Bell","password":"student password 1"}' | id_of)
G=$(api POST /api/v1/users '{"username":"mr.bell","role":"guardian","full_name":"Mr Bell","password":"guardian password 1"}' | id_of)
C=$(api POST /api/v1/classes '{"name":"7B","year":2026}' | id_of)
api POST "/api/v1/classes/$C/students" "{\"student_id\":$S}" >/dev/null
api POST "/api/v1/classes/$C/teachers" "{\"teacher_id\":$T,\"subject\":\"Form\"}" >/dev/null
api POST /api/v1/guardians "{\"guardian_id\":$G,\"student_id\":$S}" >/dev/null
api PUT "/api/v1/students/$S/consent" '{"consent":"yearbook"}' >/dev/null
cat >"$TMP/setup.json" <<JSON
{"class_id": $C,
 "student": {"username": "ana.b", "password": "student password 1", "full_name": "Ana Bell"},
 "teacher": {"username": "ms.lee", "password": "teacher password 1"}}
JSON

# A phone-like photo: 3000x4000 JPEG, rotated by EXIF, with GPS.
/usr/bin/python3 - "$TMP/phone.jpg" <<'PY'
import sys
from PIL import Image
g = Image.linear_gradient("L")
im = Image.merge("RGB", (g.resize((4000, 3000)), g.rotate(90).resize((4000, 3000)),
                         Image.radial_gradient("L").resize((4000, 3000))))
exif = Image.Exif()
exif[0x0112] = 6  # rotate 90° CW to view
exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
im.save(sys.argv[1], quality=90, exif=exif.tobytes())
PY

SHOTS=${SY_E2E_SHOTS:-$TMP/shots}
mkdir -p "$SHOTS"
# DEBUG=pw:browser: Chromium's own output goes to the log too, for when it does not start.
DEBUG=pw:browser node "$TOOLS/e2e/yearbook_flow.mjs" "$BASE" "$TMP/setup.json" "$TMP/phone.jpg" "$SHOTS" >"$TMP/browser.log" 2>&1 ||
  { echo "--- browser (node $(node --version), playwright-core, Chromium):"; tail -40 "$TMP/browser.log"
    echo "--- server:"; tail -20 "$LOG"; fail "browser flow"; }

# The served derivative is upright (portrait) and carries no GPS.
PID_PHOTO=$(api GET /api/v1/yearbook/$C | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin)["entries"][0]; print(e["photo"]["jpeg"])')
curl -sf -b "$TMP/jar" "$BASE$PID_PHOTO" -o "$TMP/served.jpg"
/usr/bin/python3 - "$TMP/served.jpg" <<'PY' || fail "served photo check"
import sys
from PIL import Image
im = Image.open(sys.argv[1])
w, h = im.size
assert h > w, f"not upright: {w}x{h}"
assert max(w, h) <= 1600, f"too large: {w}x{h}"
assert 0x8825 not in im.getexif(), "GPS survived"
PY
pass "browser flow: upload → compress → approve → yearbook (node $(node --version))"
