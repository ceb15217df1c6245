#!/usr/bin/env bash
# wapiti_run.sh BASE OUTDIR COOKIE [wapiti options...]: crawls BASE as the session in COOKIE
# ("name=value"), attacks with the xss, permanentxss, redirect, file, exec and crlf modules, and
# exits 1 when the JSON report lists any vulnerability or anomaly (a 500 or a timeout provoked by
# a payload), 0 when it lists none. Time-bounded by --max-scan-time and a hard timeout.
set -euo pipefail
base=$1 out=$2 cookie=$3
shift 3
mkdir -p "$out/home"
set +e
HOME="$out/home" timeout "${WAPITI_TIMEOUT:-300}" /usr/bin/python3 "$(dirname "$0")/wapiti.py" -u "$base/" --scope folder \
  -m "xss,permanentxss,redirect,file,exec,crlf" -H "Cookie: $cookie" --flush-session \
  --store-session "$out/session" --store-config "$out/config" --no-bugreport \
  -d 4 --max-links-per-page 60 --max-scan-time "${WAPITI_SCAN_TIME:-150}" --max-attack-time "${WAPITI_ATTACK_TIME:-40}" \
  -t 10 -v 1 -f json -o "$out/report.json" "$@" >"$out/console.txt" 2>&1
rc=$?
set -e
if ((rc == 124)); then echo "wapiti: hard timeout on $base" >&2; tail -20 "$out/console.txt" >&2; exit 2; fi
[[ -f $out/report.json ]] || { echo "wapiti wrote no report (rc=$rc)" >&2; tail -30 "$out/console.txt" >&2; exit 2; }
/usr/bin/python3 - "$out/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
for section in ("vulnerabilities", "anomalies"):
    for cat, items in (r.get(section) or {}).items():
        for it in items:
            bad.append(f"{section}/{cat}: {it.get('method')} {it.get('path')} {it.get('info')}")
crawled = len(r.get("infos", {}).get("crawled_pages", []) or [])
if bad:
    print("wapiti findings:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
print(f"wapiti: no findings")
PY
