#!/usr/bin/env bash
# run.sh [seconds] [target...]: every libFuzzer target (fuzz/fuzz_*.cpp) for <seconds> each
# (default 600): builds build-fuzz with clang, replays fuzz/regressions/<target>/ (every crash
# ever found, kept as a regression test), seeds each from fuzz/seeds/<target>/ (the compressor's
# from small valid images made with the libvips CLI), keeps what it learns in fuzz/corpus-run/
# (git-ignored) and any crashing input as fuzz/corpus-run/<target>/crash-*.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-600}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=($(cd "$ROOT/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//'))
BUILD=${SY_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
RUN=$ROOT/fuzz/corpus-run

mkdir -p "$RUN"
if [[ ! -f $BUILD/build.ninja ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DSY_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; exit 1; }
fi
ninja -C "$BUILD" ${SY_JOBS:+-j $SY_JOBS} "${TARGETS[@]}" >"$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; exit 1; }

# Seeds: every accepted format and the awkward variants, each a few hundred bytes.
SEEDS=$RUN/seeds
if [[ ! -f $SEEDS/.done ]]; then
  mkdir -p "$SEEDS"
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  vips zone "$t/z.v" 48 32
  vips linear "$t/z.v" "$t/g.v" 100 128 --uchar
  vips bandjoin "$t/g.v $t/g.v $t/g.v" "$t/rgb.v"
  vips copy "$t/rgb.v" "$t/srgb.v" --interpretation srgb
  vips bandjoin "$t/srgb.v $t/g.v" "$t/rgba.v"
  vips cast "$t/srgb.v" "$t/rgb16.v" ushort --shift
  vips copy "$t/rgb16.v" "$t/rgb16i.v" --interpretation rgb16
  vips invert "$t/srgb.v" "$t/inv.v"
  vips join "$t/srgb.v" "$t/inv.v" "$t/pages.v" vertical
  vips copy "$t/srgb.v" "$SEEDS/baseline.jpg[Q=70,strip]"
  vips copy "$t/srgb.v" "$SEEDS/progressive.jpg[Q=70,interlace,strip]"
  vips copy "$t/g.v" "$SEEDS/grey.jpg[Q=70,strip]"
  vips icc_export "$t/srgb.v" "$t/cmyk.v" --output-profile cmyk
  vips copy "$t/cmyk.v" "$SEEDS/cmyk.jpg[Q=70,strip]"
  vips copy "$t/srgb.v" "$SEEDS/plain.png"
  vips copy "$t/rgba.v" "$SEEDS/alpha-interlaced.png[interlace]"
  vips copy "$t/rgb16i.v" "$SEEDS/sixteen.png"
  vips copy "$t/srgb.v" "$SEEDS/lossy.webp[Q=50]"
  vips copy "$t/rgba.v" "$SEEDS/lossless.webp[lossless]"
  vips copy "$t/srgb.v" "$SEEDS/image.heic[Q=30]"
  vips copy "$t/srgb.v" "$SEEDS/image.avif[Q=30,compression=av1]"
  vips copy "$t/srgb.v" "$SEEDS/still.gif"
  vips copy "$t/pages.v" "$SEEDS/animated.gif[page-height=32]"
  if command -v exiftool >/dev/null; then
    cp "$SEEDS/baseline.jpg" "$SEEDS/exif.jpg"
    exiftool -q -overwrite_original -Orientation#=6 -GPSLatitude=52.5 -GPSLatitudeRef=N "$SEEDS/exif.jpg"
  fi
  touch "$SEEDS/.done"
fi

rc=0
for tgt in "${TARGETS[@]}"; do
  mkdir -p "$RUN/$tgt/corpus"
  seeds=()
  [[ $tgt == fuzz_compress ]] && seeds+=("$SEEDS")
  [[ -d $ROOT/fuzz/seeds/$tgt ]] && seeds+=("$ROOT/fuzz/seeds/$tgt")
  # Every crash found so far must stay fixed.
  if [[ -d $ROOT/fuzz/regressions/$tgt ]] && ls "$ROOT/fuzz/regressions/$tgt"/* >/dev/null 2>&1; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
      "$BUILD/fuzz/$tgt" -timeout=30 -rss_limit_mb=2048 "$ROOT/fuzz/regressions/$tgt"/* || { echo "$tgt: a regression input fails again" >&2; rc=1; continue; }
  fi
  echo "fuzzing $tgt for ${SECS}s (corpus: $RUN/$tgt/corpus)" >&2
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
    "$BUILD/fuzz/$tgt" "$RUN/$tgt/corpus" "${seeds[@]}" -max_total_time="$SECS" -max_len=65536 \
    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$RUN/$tgt/" || { echo "$tgt: crash (see $RUN/$tgt/)" >&2; rc=1; }
done
exit $rc
