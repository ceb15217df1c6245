#!/usr/bin/env bash
# Server-sent events through the real server and through nginx with the shipped settings
# (deploy/nginx): live photo status and yearbook versions read off the wire, the polling twins,
# authorisation, the per-user stream limit, heartbeats, and streams ended cleanly on shutdown.
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || fail "nginx is not installed"
DATA="$TMP/live-data"
export SCHOOLYARD_DATA_DIR=$DATA
printf 'admin password 123\n' | "$SY_BINARY" admin create-user --username boss --role admin --password-stdin >/dev/null
start_server live SCHOOLYARD_DATA_DIR="$DATA" SCHOOLYARD_WORKERS=1 SCHOOLYARD_SSE_HEARTBEAT_SECONDS=1 \
  SCHOOLYARD_SSE_MAX_STREAMS_PER_USER=4
APP_PID=$SERVER_PID

NPORT=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $TMP/nginx/logs/error.log;
pid $TMP/nginx/nginx.pid;
events { worker_connections 256; }
http {
  access_log $TMP/nginx/logs/access.log;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream schoolyard { server 127.0.0.1:$PORT; }
  server {
    listen 127.0.0.1:$NPORT;
    location / { include $SY_SOURCE_DIR/deploy/nginx/schoolyard-proxy.conf; }
    location /api/v1/events/ {
      include $SY_SOURCE_DIR/deploy/nginx/schoolyard-proxy.conf;
      include $SY_SOURCE_DIR/deploy/nginx/schoolyard-events.conf;
    }
  }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off; master_process off;' &
PIDS+=($!)
wait_http "http://127.0.0.1:$NPORT/healthz" 20 || { cat "$TMP/nginx/logs/error.log"; fail "nginx did not start"; }

/usr/bin/python3 -c 'from PIL import Image; Image.new("RGB", (800, 600), (200, 120, 40)).save("'"$TMP"'/p.jpg", quality=90)'

# The driver prints STREAMS_OPEN with its streams still open, then waits for a line on stdin.
mkfifo "$TMP/go"
/usr/bin/python3 "$SY_SOURCE_DIR/tests/scripts/live/live_events.py" "$BASE" "http://127.0.0.1:$NPORT" "$TMP/p.jpg" \
  <"$TMP/go" >"$TMP/driver.log" 2>&1 &
DRIVER=$!
exec 3>"$TMP/go"
for _ in $(seq 600); do
  grep -q STREAMS_OPEN "$TMP/driver.log" && break
  kill -0 $DRIVER 2>/dev/null || break
  sleep 0.1
done
grep -q STREAMS_OPEN "$TMP/driver.log" || { cat "$TMP/driver.log"; tail -20 "$LOG"; fail "live driver"; }
t0=$(date +%s)
kill -TERM "$APP_PID"
echo go >&3
wait "$DRIVER" || { cat "$TMP/driver.log"; tail -20 "$LOG"; fail "live driver after stop"; }
wait "$APP_PID" 2>/dev/null || true
(( $(date +%s) - t0 < 8 )) || fail "the server took $(($(date +%s) - t0)) s to stop with streams open"
cat "$TMP/driver.log"
pass "live events: status, yearbook, limits, nginx, shutdown"
