#!/usr/bin/env bash
# sqlmap_run.sh LOG OUTDIR [sqlmap options...]: runs sqlmap in batch mode on every request of a
# Burp-style LOG and exits 1 when it reports any injectable parameter (its multi-target CSV has a
# row, or its console names an injection point), 0 when it found none. The same runner is used
# against a deliberately injectable endpoint to prove a finding is seen (docs/security.md).
#
# Level 3 / risk 2: every parameter of the request (query, JSON, form, multipart, `*` path
# markers) with the level-3 payload set. --dbms fixes the dialect so payloads for other engines
# are not sent (the caller picks SQLite or MySQL to match the server); techniques B (boolean
# blind), E (error), U (UNION) and T (time-based, SQLite/MySQL sleep payloads) are used; S
# (stacked) and Q (inline) are skipped: SOCI prepares one statement per call, so neither can
# run where B/T would not already show the flaw, and they double the request count.
set -euo pipefail
log=$1 out=$2
shift 2
mkdir -p "$out/home"
set +e
HOME="$out/home" timeout "${SQLMAP_TIMEOUT:-600}" sqlmap -l "$log" --batch --level=3 --risk=2 \
  --technique="${SQLMAP_TECHNIQUE:-BEUT}" --time-sec=2 --timeout=10 --retries=1 --threads=1 \
  --ignore-stdin --drop-set-cookie --skip-waf --disable-coloring --output-dir="$out/out" --results-file="$out/results.csv" \
  --answers="process it=Y,custom injection=Y,skip further tests=N,extending provided=N,other DBMSes=Y,test this=Y" \
  "$@" >"$out/console.txt" 2>&1
rc=$?
set -e
if ((rc == 124)); then echo "sqlmap: time budget exceeded on $log" >&2; tail -20 "$out/console.txt" >&2; exit 2; fi
tested=$(grep -c "testing URL\|testing '" "$out/console.txt" || true)
findings=$(grep -E "identified the following injection point|is vulnerable|appears to be .* injectable" "$out/console.txt" | grep -v "do not appear" || true)
rows=0
[[ -f $out/results.csv ]] && rows=$(($(grep -c . "$out/results.csv") - 1))
if [[ -n $findings ]] || ((rows > 0)); then
  echo "sqlmap found injectable parameters in $log:" >&2
  [[ -f $out/results.csv ]] && cat "$out/results.csv" >&2
  echo "$findings" >&2
  exit 1
fi
if ((rc != 0)); then echo "sqlmap exited $rc on $log" >&2; tail -30 "$out/console.txt" >&2; exit 2; fi
echo "sqlmap: no injection in $log ($tested tests started)"
