#!/usr/bin/env bash
# Fuzz the compressor with libFuzzer for <seconds> (default 600): builds build-fuzz with clang,
# makes a seed corpus of small valid images (libvips CLI), keeps what it learns in
# fuzz/corpus-run/ (git-ignored) and any crashing input as fuzz/corpus-run/crash-*.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-600}
BUILD=${SY_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
RUN=$ROOT/fuzz/corpus-run

mkdir -p "$RUN"
if [[ ! -f $BUILD/build.ninja ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DSY_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; exit 1; }
fi
ninja -C "$BUILD" ${SY_JOBS:+-j $SY_JOBS} fuzz_compress >"$RUN/build.log" 2>&1 || { tail -40 "$RUN/build.log"; exit 1; }

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

mkdir -p "$RUN/corpus"
echo "fuzzing fuzz_compress for ${SECS}s (corpus: $RUN/corpus)" >&2
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
  "$BUILD/fuzz/fuzz_compress" "$RUN/corpus" "$SEEDS" -max_total_time="$SECS" -max_len=65536 \
  -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$RUN/"
