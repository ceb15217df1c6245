#!/usr/bin/env bash
# ./dev bench compress — `schoolyard compress` against Pillow and vipsthumbnail on the same photos.
#
# Corpus: 22 real photographs of 4-13 MP from Debian's wallpaper packages (fetched once with
# apt-get download, cached in bench/.cache/, never committed) plus a 64 MP JPEG made from one of
# them for the memory test. Every tool makes a JPEG with long edge 1600, quality 80, optimised
# Huffman tables. Each tool runs BENCH_RUNS times (default 3), interleaved so they share the
# machine's noise; the table shows medians.
#   images/s per core = images / CPU seconds (user+sys) of a one-job run
#   SSIM = against a Lanczos resize of the fully decoded original (bench/compress_ssim.py)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SY_BINARY:-$ROOT/build/schoolyard}
RUNS=${BENCH_RUNS:-3}
CACHE=$ROOT/bench/.cache
CORPUS=$CACHE/corpus
BIG=$CACHE/big64.jpg
PY=/usr/bin/python3  # Debian's, with python3-pil and python3-skimage
EDGE=1600
Q=80

LOMIRI=(Bridge_by_Sander_Klootwijk Dragonfly_by_Bolly Picture_0B_by_freespace Wine_by_Jakkub_Mede
  aitzgorri_by_Aitzol_Berasategi free_by_Peter_Nerlich friends_by_Aitzol_Berasategi greentock_by_Peter_Nerlich
  life_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi sunset_by_Aitzol_Berasategi)
PLASMA=(BytheWater ColdRipple ColorfulCups DarkestHour EveningGlow FallenLeaf Grey Kite OneStandsOut Path summer_1am)

fetch_corpus() {
  [[ -f $CORPUS/.done && -f $BIG ]] && return
  echo "fetching the photo corpus (Debian packages lomiri-wallpapers-16.04, plasma-workspace-wallpapers)" >&2
  mkdir -p "$CACHE/debs" "$CACHE/x" "$CORPUS"
  local p
  for p in lomiri-wallpapers-16.04 plasma-workspace-wallpapers; do
    if ! ls "$CACHE/debs/${p}"_*.deb >/dev/null 2>&1; then
      (cd "$CACHE/debs" && { apt-get download "$p" >/dev/null 2>&1 || { apt-get update -qq && apt-get download "$p" >/dev/null; }; })
    fi
    dpkg-deb -x "$CACHE/debs/${p}"_*.deb "$CACHE/x"
  done
  local n
  for n in "${LOMIRI[@]}"; do cp "$CACHE/x/usr/share/backgrounds/$n.jpg" "$CORPUS/$n.jpg"; done
  for n in "${PLASMA[@]}"; do cp "$CACHE/x/usr/share/wallpapers/$n/contents/images/2560x1600.jpg" "$CORPUS/$n.jpg"; done
  # 64 MP (9238 x 6928), baseline, for peak memory.
  vips resize "$CORPUS/Dragonfly_by_Bolly.jpg" "$BIG[Q=90,strip]" 2.187 --kernel linear
  rm -rf "$CACHE/x"
  touch "$CORPUS/.done"
}

fetch_corpus
[[ ${SY_BENCH_FETCH_ONLY:-0} == 1 ]] && exit 0  # bench/sandbox.sh shares the corpus
mapfile -t FILES < <(ls "$CORPUS"/*.jpg)
N=${#FILES[@]}
WORK=$(mktemp -d /tmp/sy-bench-compress.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# 2-core scaling is a steady-state figure: measured on the corpus three times over (66 files,
# links under new names), so the process start (~60 ms, one core) and the last file (one job
# busy, the other done) weigh less than in a 22-file run.
mkdir -p "$WORK/batch"
for k in 1 2 3; do for f in "${FILES[@]}"; do ln -s "$f" "$WORK/batch/${k}_$(basename "$f")"; done; done
BATCH=("$WORK"/batch/*.jpg)

# run TOOL OUTDIR FILE... -> prints "wall cpu rss_kb"
run() {
  local tool=$1 out=$2
  shift 2
  rm -rf "$out" && mkdir -p "$out"
  local t=$WORK/time m=("$PY" "$ROOT/bench/compress_time.py" "$WORK/time")
  case $tool in
    pillow) "${m[@]}" "$PY" "$ROOT/bench/compress_pillow.py" "$out" $EDGE $Q "$@" ;;
    vipsthumbnail) VIPS_CONCURRENCY=1 "${m[@]}" vipsthumbnail -s ${EDGE}x${EDGE} \
      -o "$out/%s.jpg[Q=$Q,optimize_coding,strip]" "$@" ;;
    schoolyard) "${m[@]}" "$BIN" compress -o "$out" --jobs 1 --max-edge $EDGE --quality $Q "$@" ;;
    schoolyard-2jobs) "${m[@]}" "$BIN" compress -o "$out" --jobs 2 --max-edge $EDGE --quality $Q "$@" ;;
    batch-1job) "${m[@]}" "$BIN" compress -o "$out" --jobs 1 --max-edge $EDGE --quality $Q "${BATCH[@]}" ;;
    batch-2jobs) "${m[@]}" "$BIN" compress -o "$out" --jobs 2 --max-edge $EDGE --quality $Q "${BATCH[@]}" ;;
  esac
  cat "$t"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

TOOLS=(pillow vipsthumbnail schoolyard schoolyard-2jobs batch-1job batch-2jobs)
echo "corpus: $N photos, $(du -cb "${FILES[@]}" | tail -1 | cut -f1) bytes; $RUNS runs per tool; $(nproc) cores" >&2
for r in $(seq "$RUNS"); do
  for tool in "${TOOLS[@]}"; do
    run "$tool" "$WORK/out-$tool" "${FILES[@]}" >>"$WORK/$tool.times"
    echo "  run $r $tool: $(tail -1 "$WORK/$tool.times")" >&2
  done
done

ssim=$($PY "$ROOT/bench/compress_ssim.py" "$CORPUS" pillow="$WORK/out-pillow" \
  vipsthumbnail="$WORK/out-vipsthumbnail" schoolyard="$WORK/out-schoolyard")

declare -A WALL CPU RSS BYTES
for tool in "${TOOLS[@]}"; do
  [[ $tool == batch-* ]] && { WALL[$tool]=$(cut -d' ' -f1 "$WORK/$tool.times" | median); continue; }
  WALL[$tool]=$(cut -d' ' -f1 "$WORK/$tool.times" | median)
  CPU[$tool]=$(cut -d' ' -f2 "$WORK/$tool.times" | median)
  RSS[$tool]=$(cut -d' ' -f3 "$WORK/$tool.times" | sort -g | tail -1)
  BYTES[$tool]=$(cat "$WORK/out-$tool"/*.jpg | wc -c)
done
declare -A BIGRSS
for tool in pillow vipsthumbnail schoolyard; do
  BIGRSS[$tool]=$(run "$tool" "$WORK/big-$tool" "$BIG" | cut -d' ' -f3)
done

echo
echo "| tool | images/s per core | wall images/s | peak RSS (corpus) | peak RSS (64 MP JPEG) | output bytes | SSIM mean | SSIM min |"
echo "|---|---|---|---|---|---|---|---|"
for tool in "${TOOLS[@]}"; do
  [[ $tool == batch-* ]] && continue
  read -r s_mean s_min _ < <(echo "$ssim" | awk -v t="$tool" '$1 == t {print $2, $3, $4}') || true
  [[ $tool == schoolyard-2jobs ]] && s_mean="(same bytes)" s_min=""
  big=${BIGRSS[$tool]:-}
  printf "| %s | %.2f | %.2f | %d MB | %s | %d | %s | %s |\n" "$tool" \
    "$(echo "$N ${CPU[$tool]}" | awk '{print $1 / $2}')" "$(echo "$N ${WALL[$tool]}" | awk '{print $1 / $2}')" \
    $((RSS[$tool] / 1024)) "${big:+$((big / 1024)) MB}" "${BYTES[$tool]}" "$s_mean" "$s_min"
done
echo
ratio=$(echo "${CPU[pillow]} ${CPU[schoolyard]}" | awk '{printf "%.2f", $1 / $2}')
vratio=$(echo "${CPU[vipsthumbnail]} ${CPU[schoolyard]}" | awk '{printf "%.2f", $1 / $2}')
scale=$(echo "${WALL[batch-1job]} ${WALL[batch-2jobs]}" | awk '{printf "%.2f", $1 / $2}')
scale22=$(echo "${WALL[schoolyard]} ${WALL[schoolyard-2jobs]}" | awk '{printf "%.2f", $1 / $2}')
bytes_ok=$([[ ${BYTES[schoolyard]} -le ${BYTES[pillow]} ]] && echo yes || echo no)
ssim_mean=$(echo "$ssim" | awk '$1 == "schoolyard" {print $2}')
echo "throughput per core vs Pillow: ${ratio}x (target >= 3), vs vipsthumbnail: ${vratio}x"
echo "2 jobs vs 1 job (wall, 66 files): ${scale}x (target >= 1.8 on 2 idle cores); on the 22 files: ${scale22}x"
echo "output bytes <= Pillow's: $bytes_ok ($((BYTES[schoolyard])) vs $((BYTES[pillow])))"
echo "mean SSIM: $ssim_mean (target >= 0.97)"
echo "peak RSS, 64 MP JPEG: $((BIGRSS[schoolyard] / 1024)) MB (target <= 250)"
