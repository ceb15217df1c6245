#!/usr/bin/env bash
# ./dev bench sandbox — what decoding each upload in a sandboxed child costs per image.
#
# `schoolyard compress --jobs 1` over the same files with and without `--sandbox` (which runs
# every file through jobs::sandbox::compress, exactly as the upload workers do: posix_spawn of
# the binary, limits, seccomp, the request and the derivatives over pipes), BENCH_RUNS times
# (default 5) interleaved; medians. Two sets:
#   photos: the 22 photographs of `./dev bench compress` (4-13 MP, fetched once into bench/.cache)
#   tiny:   100 copies of a 64x64 PNG, where compression costs next to nothing, so the difference
#           is the sandbox's fixed cost: spawn, dynamic loading, libvips start, limits, pipes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SY_BINARY:-$ROOT/build/schoolyard}
RUNS=${BENCH_RUNS:-5}
PY=/usr/bin/python3
SY_BENCH_FETCH_ONLY=1 SY_BINARY=$BIN bash "$ROOT/bench/compress.sh"
mapfile -t PHOTOS < <(ls "$ROOT"/bench/.cache/corpus/*.jpg)
WORK=$(mktemp -d /tmp/sy-bench-sandbox.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tiny"
vips black "$WORK/t.png" 64 64 --bands 3
for i in $(seq 100); do cp "$WORK/t.png" "$WORK/tiny/t$i.png"; done
TINY=("$WORK"/tiny/*.png)

# measure SET MODE -> appends "wall cpu" to $WORK/SET-MODE
measure() {
  local set=$1 mode=$2 files flag=()
  [[ $set == photos ]] && files=("${PHOTOS[@]}") || files=("${TINY[@]}")
  [[ $mode == sandbox ]] && flag=(--sandbox)
  rm -rf "$WORK/out" && mkdir -p "$WORK/out"
  "$PY" "$ROOT/bench/compress_time.py" "$WORK/time" "$BIN" compress -o "$WORK/out" --jobs 1 "${flag[@]}" "${files[@]}"
  awk '{print $1, $2}' "$WORK/time" >>"$WORK/$set-$mode"
  local n
  n=$(ls "$WORK/out" | wc -l)
  [[ $n -eq ${#files[@]} ]] || { echo "sandbox bench: $set/$mode wrote $n of ${#files[@]} files" >&2; exit 1; }
}
for r in $(seq "$RUNS"); do
  for set in photos tiny; do
    measure $set direct
    measure $set sandbox
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '%-7s %6s | %12s %12s | %12s %12s | %10s %10s\n' set files "direct ms/img" "sandbox ms/img" "direct cpu" "sandbox cpu" "+wall ms" "+wall %"
for set in photos tiny; do
  [[ $set == photos ]] && n=${#PHOTOS[@]} || n=${#TINY[@]}
  dw=$(cut -d' ' -f1 "$WORK/$set-direct" | median)
  sw=$(cut -d' ' -f1 "$WORK/$set-sandbox" | median)
  dc=$(cut -d' ' -f2 "$WORK/$set-direct" | median)
  sc=$(cut -d' ' -f2 "$WORK/$set-sandbox" | median)
  awk -v s=$set -v n=$n -v dw=$dw -v sw=$sw -v dc=$dc -v sc=$sc 'BEGIN {
    printf "%-7s %6d | %12.1f %12.1f | %12.1f %12.1f | %10.1f %9.1f%%\n", s, n, 1000*dw/n, 1000*sw/n, 1000*dc/n, 1000*sc/n,
      1000*(sw-dw)/n, 100*(sw-dw)/dw }'
done
echo "(ms per image, medians of $RUNS runs; cpu = user+sys of the process and its children)"
