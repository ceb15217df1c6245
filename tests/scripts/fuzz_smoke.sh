#!/usr/bin/env bash
# A bounded libFuzzer run over the compressor's entry point (default 60 s; `./dev fuzz` runs
# longer). Fails on any crash, sanitizer report, timeout or out-of-memory input.
set -euo pipefail
ROOT=${SY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
command -v clang++-14 >/dev/null || { echo "fuzz_smoke: clang-14 is not installed (./dev setup test)"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
SY_FUZZ_BUILD_DIR=$ROOT/build-fuzz bash "$ROOT/fuzz/run.sh" "${SY_FUZZ_SECONDS:-60}" >"$log" 2>&1 || {
  tail -n 40 "$log"
  echo "fuzz_smoke: the fuzzer failed (crashing input saved under fuzz/corpus-run/)"
  exit 1
}
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
echo "fuzz_smoke: ${runs:-0} inputs, no crash"
[[ ${runs:-0} -ge 100 ]]  # it really ran
