#!/usr/bin/env bash
# `schoolyard compress` as CONTRACT.md states it: OUTDIR/<stem>.<ext>, one "FILE: rejected:
# <reason>" line per rejected file, exit 0 / 1 / 2, never a crash on any input.
set -euo pipefail
BIN=${SY_BINARY:?set SY_BINARY}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "compress_cli: $*" >&2; exit 1; }

# Inputs: real images of several formats, and files that only pretend to be images.
vips zone "$T/z.v" 2400 1600
vips linear "$T/z.v" "$T/g.v" 100 128 --uchar
vips bandjoin "$T/g.v $T/g.v $T/g.v" "$T/rgb.v"
vips copy "$T/rgb.v" "$T/srgb.v" --interpretation srgb
mkdir -p "$T/in"
vips copy "$T/srgb.v" "$T/in/photo.jpg[Q=90]"
vips copy "$T/srgb.v" "$T/in/drawing.png"
vips resize "$T/srgb.v" "$T/in/small.webp" 0.25
vips copy "$T/srgb.v" "$T/in/phone.heic[Q=50]"
printf '<html><script>alert(1)</script></html>' >"$T/in/evil.jpg"
head -c 3000 "$T/in/photo.jpg" >"$T/in/cut.jpg"
: >"$T/in/empty.png"

# All good: exit 0, one output per input named after the stem, long edge 1600.
"$BIN" compress -o "$T/out" --jobs 2 "$T/in/photo.jpg" "$T/in/drawing.png" "$T/in/small.webp" "$T/in/phone.heic" \
  >"$T/stdout" 2>"$T/stderr" || fail "exit $? on valid images: $(cat "$T/stderr")"
for s in photo drawing small phone; do [[ -s $T/out/$s.jpg ]] || fail "missing $s.jpg"; done
[[ $(vipsheader -f width "$T/out/photo.jpg") == 1600 ]] || fail "photo not 1600 wide"
[[ $(vipsheader -f width "$T/out/small.jpg") == 600 ]] || fail "small image was upscaled"
[[ ! -s $T/stdout ]] || fail "unexpected stdout: $(cat "$T/stdout")"
grep -q "compressed 4 of 4 files" "$T/stderr" || fail "no summary: $(cat "$T/stderr")"
grep -q "images/s" "$T/stderr" || fail "summary lacks images/s"
grep -q "bytes in" "$T/stderr" || fail "summary lacks bytes"
[[ -z $(ls -A "$T/out" | grep -v '\.jpg$') ]] || fail "stray files in OUTDIR: $(ls -A "$T/out")"

# Some rejected: exit 1, one line each on stdout, the rest still written.
set +e
"$BIN" compress -o "$T/out2" "$T/in/photo.jpg" "$T/in/evil.jpg" "$T/in/cut.jpg" "$T/in/empty.png" \
  >"$T/stdout" 2>"$T/stderr"
rc=$?
set -e
[[ $rc == 1 ]] || fail "exit $rc with rejected files (want 1)"
grep -qx "$T/in/evil.jpg: rejected: unsupported_type" "$T/stdout" || fail "evil.jpg line: $(cat "$T/stdout")"
grep -qx "$T/in/cut.jpg: rejected: corrupt_image" "$T/stdout" || fail "cut.jpg line: $(cat "$T/stdout")"
grep -qx "$T/in/empty.png: rejected: unsupported_type" "$T/stdout" || fail "empty.png line: $(cat "$T/stdout")"
[[ $(wc -l <"$T/stdout") == 3 ]] || fail "want 3 rejection lines: $(cat "$T/stdout")"
[[ -s $T/out2/photo.jpg && ! -e $T/out2/evil.jpg && ! -e $T/out2/cut.jpg ]] || fail "outputs of a mixed run"
grep -q "unsupported_type 2" "$T/stderr" || fail "summary lacks reasons: $(cat "$T/stderr")"

# Options: format, size, quality.
"$BIN" compress -o "$T/out3" --format webp --max-edge 500 --quality 60 "$T/in/photo.jpg" 2>/dev/null
[[ $(head -c 12 "$T/out3/photo.webp" | tail -c 4) == WEBP ]] || fail "--format webp"
[[ $(vipsheader -f width "$T/out3/photo.webp") == 500 ]] || fail "--max-edge 500"
"$BIN" compress -o "$T/out4" --format avif --max-edge 300 "$T/in/drawing.png" 2>/dev/null
[[ -s $T/out4/drawing.avif ]] || fail "--format avif"

# Usage errors: exit 2.
for args in "" "-o $T/x" "$T/in/photo.jpg" "-o $T/x --format bmp $T/in/photo.jpg" "-o $T/x --quality 0 $T/in/photo.jpg" \
  "-o $T/x --jobs 0 $T/in/photo.jpg" "-o $T/x $T/in/nonexistent.jpg"; do
  set +e
  # shellcheck disable=SC2086
  "$BIN" compress $args >/dev/null 2>&1
  rc=$?
  set -e
  [[ $rc == 2 ]] || fail "exit $rc for usage error '$args' (want 2)"
done
cp "$T/in/photo.jpg" "$T/photo.png"
set +e
"$BIN" compress -o "$T/x" "$T/in/photo.jpg" "$T/photo.png" >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 2 ]] || fail "two inputs with one output name: exit $rc (want 2)"

# Biggest files first (so parallel jobs end together): with one job, stderr's per-file lines
# (not a terminal here) follow file size, not the order given.
"$BIN" compress -o "$T/out6" --jobs 1 "$T/in/small.webp" "$T/in/photo.jpg" "$T/in/drawing.png" 2>"$T/order" \
  || fail "ordering run failed: $(cat "$T/order")"
want=$(ls -S "$T/in/small.webp" "$T/in/photo.jpg" "$T/in/drawing.png" | xargs -n1 basename | tr '\n' ' ')
got=$(sed -n 's/^\[[0-9]*\/3\] .*\/\([^/]*\): .*/\1/p' "$T/order" | tr '\n' ' ')
[[ $got == "$want" ]] || fail "processing order '$got', want biggest first '$want'"

# Garbage of every size never crashes the process.
for n in 1 2 3 4 16 100 4096; do
  head -c $n /dev/urandom >"$T/in/r$n.jpg"
  printf '\xFF\xD8\xFF' | cat - "$T/in/r$n.jpg" >"$T/in/j$n.jpg"
  printf 'GIF89a' | cat - "$T/in/r$n.jpg" >"$T/in/g$n.gif"
done
set +e
"$BIN" compress -o "$T/out5" --jobs 2 "$T"/in/r*.jpg "$T"/in/j*.jpg "$T"/in/g*.gif >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 1 ]] || fail "garbage run exit $rc (want 1, no crash)"
echo "compress_cli: ok"
