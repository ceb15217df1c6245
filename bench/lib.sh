# Shared by the wrk benchmarks (bench/pages.sh, bench/results.sh): targets, interleaved rounds of
# wrk, medians and the Markdown table. Source it after setting THREADS, CONNS, DURATION, WARMUP and
# ROUNDS. A target is a name, a URL, an optional header and an optional wrk Lua script.

to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
NAMES=()
URLS=()
HDRS=()
SCRIPTS=()
add() { NAMES+=("$1"); URLS+=("$2"); HDRS+=("${3:-}"); SCRIPTS+=("${4:-}"); }

declare -A RPS P50 P99 ERRS
run_one() {  # run_one INDEX ROUND
  local i=$1 r=$2 out
  local args=(-t"$THREADS" -c"$CONNS" --latency)
  [[ -n ${HDRS[$i]} ]] && args+=(-H "${HDRS[$i]}")
  [[ -n ${SCRIPTS[$i]} ]] && args+=(-s "${SCRIPTS[$i]}")
  wrk "${args[@]}" -d"$WARMUP" "${URLS[$i]}" >/dev/null
  out=$(wrk "${args[@]}" -d"$DURATION" "${URLS[$i]}")
  RPS[$i,$r]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  P50[$i,$r]=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  P99[$i,$r]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  ERRS[$i,$r]=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { for (i = 3; i <= NF; i += 2) n += $(i + 1) } END { print n + 0 }' \
    <<<"$(sed 's/,//g' <<<"$out")")
}
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Every target once per round, ROUNDS rounds, so a burst of load from elsewhere hits all alike.
# Sets LOAD_BEFORE and LOAD_AFTER (the load averages).
run_rounds() {
  local r i
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  for ((r = 1; r <= ROUNDS; r++)); do
    for i in "${!NAMES[@]}"; do run_one "$i" "$r"; done
  done
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
}

# The Markdown table of medians; fills MED[index] with the median req/s and MEDP99[index].
declare -A MED MEDP99
print_table() {
  local i r e rs p5 p9
  echo "| target | req/s (median) | req/s per round | p50 ms | p99 ms | errors (all rounds) |"
  echo "|---|---:|---|---:|---:|---:|"
  for i in "${!NAMES[@]}"; do
    rs=() p5=() p9=() e=0
    for ((r = 1; r <= ROUNDS; r++)); do
      rs+=("${RPS[$i,$r]}") p5+=("${P50[$i,$r]}") p9+=("${P99[$i,$r]}")
      e=$((e + ERRS[$i,$r]))
    done
    MED[$i]=$(median "${rs[@]}")
    MEDP99[$i]=$(median "${p9[@]}")
    echo "| ${NAMES[$i]} | ${MED[$i]} | ${rs[*]} | $(median "${p5[@]}") | ${MEDP99[$i]} | $e |"
  done
}
idx() { local n; for n in "${!NAMES[@]}"; do [[ ${NAMES[$n]} == "$1"* ]] && { echo "$n"; return; }; done; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
