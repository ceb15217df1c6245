#!/usr/bin/env bash
# The real server with its in-process workers: a student uploads a photo that crashes the decoder
# (the test-only hook, honoured because this server runs with SY_TEST_CRASH_CHILD=1). The crash
# costs one sandboxed child: the job is dead-lettered after one attempt with decoder_crashed, the
# student reads a plain error, and the same server process keeps serving and compressing.
source "$(dirname "$0")/lib.sh"

start_server main SY_TEST_CRASH_CHILD=1 SCHOOLYARD_WORKERS=1
DATA="$TMP/main-data"
printf 'student password 1\n' | SCHOOLYARD_DATA_DIR="$DATA" "$SY_BINARY" admin create-user \
  --username kid --role student --password-stdin >/dev/null

login() {
  curl -s -c "$TMP/jar" -o "$TMP/s.json" -H 'Content-Type: application/json' \
    -d '{"username":"kid","password":"student password 1"}' "$BASE/api/v1/session"
  CSRF=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$TMP/s.json")
}
# A small valid PNG with the hook's marker in a text chunk (MARKER empty: a clean photo).
make_png() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
out, marker = sys.argv[1], sys.argv[2].encode()
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
w, h = 64, 48
raw = b"".join(b"\0" + bytes((x * 4 + y) & 255 for x in range(w) for _ in range(3)) for y in range(h))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
if marker: png += chunk(b"tEXt", b"Comment\0" + marker)
png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(out, "wb").write(png)
PY
}
upload() {
  curl -s -o "$TMP/up.json" -w '%{http_code}' -b "$TMP/jar" -H "X-CSRF-Token: $CSRF" \
    -F "photo=@$1;type=image/png" "$BASE/api/v1/me/photo"
}
# wait_photo STATUS -> leaves the photo JSON in $TMP/photo.json
wait_photo() {
  for _ in $(seq 300); do
    curl -s -b "$TMP/jar" -o "$TMP/photo.json" "$BASE/api/v1/me/photo"
    grep -q "\"status\":\"$1\"" "$TMP/photo.json" && return 0
    sleep 0.1
  done
  cat "$TMP/photo.json"; cat "$LOG" | tail -20
  fail "photo never became $1"
}

login
make_png "$TMP/crash.png" "SY_TEST_CRASH:segv"
[[ $(upload "$TMP/crash.png") == 202 ]] || { cat "$TMP/up.json"; fail "upload"; }
wait_photo failed
grep -q '"code":"decoder_crashed"' "$TMP/photo.json" || { cat "$TMP/photo.json"; fail "error code"; }
grep -q 'SIGSEGV' "$TMP/photo.json" && fail "the student sees a signal name: $(cat "$TMP/photo.json")"
pass "the student sees decoder_crashed with a plain message"

kill -0 "$SERVER_PID" || fail "the server died with its decoder"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz") == 200 ]] || fail "healthz after the crash"
grep -q "decoder_crashed" "$LOG" || fail "the crash is not in the log"
SCHOOLYARD_DATA_DIR="$DATA" "$SY_BINARY" jobs list --dead --json >"$TMP/dead.json"
/usr/bin/python3 - "$TMP/dead.json" <<'PY' || fail "dead letter: $(cat "$TMP/dead.json")"
import json, sys
jobs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
assert len(jobs) == 1, jobs
j = jobs[0]
assert j["attempts"] == 1, j
assert j["result"] == "decoder_crashed", j
assert "SIGSEGV" in j["last_error"], j
PY
pass "dead-lettered after one attempt; the server is alive"

make_png "$TMP/fine.png" ""
[[ $(upload "$TMP/fine.png") == 202 ]] || { cat "$TMP/up.json"; fail "second upload"; }
wait_photo ready
kill -0 "$SERVER_PID" || fail "server gone"
pass "the same server compresses the next photo"
