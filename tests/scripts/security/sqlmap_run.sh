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
  --technique="${SQLMAP_TECHNIQUE:-BT}" --time-sec=2 --timeout=10 --retries=1 --threads=1 \
  --ignore-stdin --drop-set-cookie --skip-waf --disable-coloring --output-dir="$out/out" --results-file="$out/results.csv" \
  --answers="process it=Y,custom injection=Y,skip further tests=N,extending provided=N,other DBMSes=Y,test this=Y" \
  "$@" >"$out/console.txt" 2>&1
rc=$?
set -e
if ((rc == 124)); then echo "sqlmap: time budget exceeded on $log" >&2; tail -20 "$out/console.txt" >&2; exit 2; fi
tested=$(grep -c "testing for SQL injection on" "$out/console.txt" || true)
# sqlmap re-checks every candidate with extra boolean tests and marks the ones that fail them
# "false positive or unexploitable" (a response that changed for another reason, e.g. a list that
# another request grew meanwhile); those are reported, not failed. Anything it confirmed fails.
confirmed=() unconfirmed=()
if [[ -f $out/results.csv ]]; then
  while IFS= read -r line; do
    [[ $line == "Target URL,"* || -z $line ]] && continue
    if [[ $line == *"false positive"* ]]; then unconfirmed+=("$line"); else confirmed+=("$line"); fi
  done <"$out/results.csv"
fi
identified=$(grep -a "identified the following injection point" "$out/console.txt" || true)
for u in "${unconfirmed[@]}"; do echo "sqlmap: candidate rejected by its own false-positive check: $u"; done
if ((${#confirmed[@]})) || [[ -n $identified ]]; then
  echo "sqlmap found injectable parameters in $log:" >&2
  printf '  %s\n' "${confirmed[@]}" >&2
  grep -a -A12 "identified the following injection point" "$out/console.txt" >&2 || true
  exit 1
fi
if ((rc != 0)); then echo "sqlmap exited $rc on $log" >&2; tail -30 "$out/console.txt" >&2; exit 2; fi
echo "sqlmap: no injection in $(basename "$log"): $tested parameters tested in ${SECONDS}s"
