#!/usr/bin/env bash
# Every C++ file in the tree is as clang-format (the repo's .clang-format) would write it.
set -euo pipefail
cd "${SY_SOURCE_DIR:-$(dirname "$0")/../..}"
CF=$(command -v clang-format-14 || command -v clang-format || true)
[[ -n $CF ]] || { echo "FAIL: clang-format-14 is not installed (./dev setup test installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files -- '*.cpp' '*.h' | grep -v '^deploy/')
"$CF" --dry-run --Werror "${files[@]}" || { echo "FAIL: run: $CF -i <files above>  (or ./dev format)" >&2; exit 1; }
echo "ok: ${#files[@]} files formatted"
