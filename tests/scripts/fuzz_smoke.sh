#!/usr/bin/env bash
# A bounded libFuzzer run of every target in fuzz/ (default 15 s each; `./dev fuzz` runs longer),
# after replaying fuzz/regressions/. Fails on any crash, sanitizer report, timeout or
# out-of-memory input, or when a target did not really run.
set -euo pipefail
ROOT=${SY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
command -v clang++-14 >/dev/null || { echo "fuzz_smoke: clang-14 is not installed (./dev setup test)"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
SY_FUZZ_BUILD_DIR=$ROOT/build-fuzz bash "$ROOT/fuzz/run.sh" "${SY_FUZZ_SECONDS:-15}" >"$log" 2>&1 || {
  grep -E '^fuzz_.*(crash|fails)|ERROR|SUMMARY' "$log" | head -20 || true  # none found: the build failed; the tail shows it
  tail -n 40 "$log"
  echo "fuzz_smoke: a fuzzer failed (crashing input saved under fuzz/corpus-run/<target>/)"
  exit 1
}
n=0
while read -r target runs; do
  echo "fuzz_smoke: $target: $runs inputs, no crash"
  [[ $runs -ge 100 ]] || { echo "fuzz_smoke: $target ran only $runs inputs"; exit 1; }
  n=$((n + 1))
done < <(awk '/^fuzzing /{t=$2} /^Done [0-9]+ runs/{print t, $2}' "$log")
expected=$(ls "$ROOT"/fuzz/fuzz_*.cpp | wc -l)
[[ $n -eq $expected ]] || { echo "fuzz_smoke: $n of $expected targets reported"; tail -40 "$log"; exit 1; }
