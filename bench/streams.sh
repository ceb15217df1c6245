#!/usr/bin/env bash
# ./dev bench streams — what open live-update streams (server-sent events) cost `schoolyard serve`:
# BENCH_STREAMS (900) streams of GET /api/v1/events/photo by one student (per-user limit raised for
# the run) on 4 HTTP threads; reports the server's threads and RSS before and after, the time to
# open them all and receive each one's first event, /healthz latency while they are open, and how
# long SIGTERM takes to end them all and exit. Loopback, private data dir.
set -euo pipefail
: "${SY_BINARY:?SY_BINARY must point at the built schoolyard binary (./dev bench streams sets it)}"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/scripts/lib.sh"
N=${BENCH_STREAMS:-900}
export SCHOOLYARD_DATA_DIR="$TMP/data"
printf 'a long password 123\n' | "$SY_BINARY" admin create-user --username ana --role student --password-stdin >/dev/null 2>&1
PORT=$(free_port)
SCHOOLYARD_PORT=$PORT SCHOOLYARD_WORKERS=0 SCHOOLYARD_HTTP_THREADS=4 SCHOOLYARD_SSE_MAX_STREAMS_PER_USER=$N \
  SCHOOLYARD_HTTP_MAX_CONNECTIONS_PER_IP=0 "$SY_BINARY" serve >"$TMP/serve.log" 2>&1 &
PID=$!
PIDS+=("$PID")
wait_http "http://127.0.0.1:$PORT/healthz" 30 || { cat "$TMP/serve.log" >&2; exit 1; }
/usr/bin/python3 - "$PORT" "$PID" "$N" <<'PY'
import http.client, json, resource, socket, sys, time
port, pid, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 256, n + 256))
def stat():
    d = dict(l.split(":\t", 1) for l in open(f"/proc/{pid}/status").read().splitlines() if ":\t" in l)
    return int(d["Threads"]), int(d["VmRSS"].split()[0]) // 1024
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("POST", "/api/v1/session", json.dumps({"username": "ana", "password": "a long password 123"}),
          {"Content-Type": "application/json"})
r = c.getresponse(); cookie = r.getheader("Set-Cookie").split(";")[0]; r.read()
t0, rss0 = stat()
start = time.time()
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET /api/v1/events/photo HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
    socks.append(s)
for s in socks:
    s.settimeout(30); buf = b""
    while b"event: photo" not in buf:
        chunk = s.recv(4096)
        if not chunk: raise SystemExit("a stream ended early")
        buf += chunk
opened = time.time() - start
time.sleep(2)
t1, rss1 = stat()
lat = []
for _ in range(50):
    a = time.time(); h = http.client.HTTPConnection("127.0.0.1", port); h.request("GET", "/healthz"); h.getresponse().read()
    lat.append(time.time() - a)
lat.sort()
print(f"{n} streams open with their first event in {opened:.2f} s; server threads {t0} -> {t1}; "
      f"RSS {rss0} -> {rss1} MB; /healthz p50 {lat[25]*1000:.1f} ms, p98 {lat[48]*1000:.1f} ms meanwhile")
PY
t=$(date +%s%N)
kill -TERM "$PID"
wait "$PID" || true
echo "SIGTERM with $N streams open: exited in $(( ($(date +%s%N) - t) / 1000000 )) ms"
