#!/usr/bin/env bash
# wapiti crawl-and-attack (xss, permanentxss, redirect, file, exec, crlf) logged in as each role,
# each against its own server (an admin's attacks deactivating users must not end the other
# scans' sessions): any vulnerability or anomaly (5xx, timeout) in wapiti's report fails the test.
# Bounded by wapiti's --max-scan-time/--max-attack-time and a hard timeout per run.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
# SY_SCAN_KEEP=DIR keeps the reports and consoles for a look afterwards.
[[ -n ${SY_SCAN_KEEP:-} ]] && trap 'rm -rf "$SY_SCAN_KEEP"; cp -r "$TMP" "$SY_SCAN_KEEP" 2>/dev/null; cleanup' EXIT
command -v wapiti >/dev/null || fail "wapiti is not installed (./dev setup test)"

declare -A base_of
for role in admin teacher student guardian; do
  SCHOOLYARD_WORKERS=0 start_server "w-$role"
  pw=$(sed -n 's/^  password: //p' "$LOG" | head -1)
  mkdir -p "$TMP/$role"
  /usr/bin/python3 "$HERE/security/scene.py" seed "$BASE" "$pw" "$TMP/$role"
  base_of[$role]=$BASE
done

pids=() roles=()
for role in admin teacher student guardian; do
  base=${base_of[$role]}
  cookie=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sessions"][sys.argv[2]]["cookie"])' \
    "$TMP/$role/scene.json" "$role")
  # Logging out or resetting one's own password would end the scan's session half-way. Event
  # streams (named in static/live.js) never end, which wapiti would report as timeouts; their
  # parameters are scanned through their polling twins (/api/v1/yearbook/{id}/state, …). The
  # attendance CSV downloads repeat register notes verbatim, as a CSV should: they are served as
  # text/csv attachments with nosniff, which no browser renders, and wapiti's "stored XSS" there
  # is the note it wrote itself. The notes' escaping on every HTML page is still scanned.
  WAPITI_SCAN_TIME=${WAPITI_SCAN_TIME:-120} bash "$HERE/security/wapiti_run.sh" "$base" "$TMP/$role/wapiti" "$cookie" \
    -x "$base/logout" -x "$base/admin/users/*/reset-password" -x "$base/admin/users/*/deactivate" \
    -x "$base/api/v1/events/*" -x "$base/api/v1/classes/*/attendance.csv*" \
    -x "$base/api/v1/students/*/attendance.csv*" &
  pids+=($!) roles+=("$role")
done
rc=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { rc=1; echo "wapiti as ${roles[$i]}: findings or failure" >&2; }
done
((rc == 0)) || fail "wapiti reported findings (see above)"

# The scans really ran logged in: each crawled a page only that role reaches, and enough pages.
declare -A page_of=([admin]=/admin/users [teacher]=/moderation [student]=/me/photo [guardian]=/consent)
for role in admin teacher student guardian; do
  c=$TMP/$role/wapiti/console.txt
  grep -aq "^\[+\] GET ${base_of[$role]}${page_of[$role]} " "$c" || fail "wapiti as $role never reached ${page_of[$role]}"
  n=$(grep -ac '^\[+\] ' "$c" || true)
  ((n >= 10)) || fail "wapiti as $role crawled only $n resources"
  grep -aq 'Launching module xss' "$c" || fail "wapiti as $role did not attack"
done
pass "wapiti: no XSS, open redirect, file disclosure, command execution or CRLF injection as any role"
