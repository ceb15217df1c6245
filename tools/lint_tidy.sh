#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy) over every source file of src/, two at a time.
# Needs the build's compile_commands.json: SY_BINARY's folder is the build folder.
set -euo pipefail
root="${SY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
build="${SY_BUILD_DIR:-$(dirname "${SY_BINARY:?SY_BINARY must point at the built binary}")}"
tidy=$(command -v clang-tidy-14 || true)
[[ -n $tidy ]] || { echo "FAIL: clang-tidy-14 is not installed (./dev setup test installs it)" >&2; exit 1; }
[[ -f $build/compile_commands.json ]] || { echo "FAIL: no $build/compile_commands.json" >&2; exit 1; }
cd "$root"
log=$(mktemp); trap 'rm -f "$log"' EXIT
# A file's findings are errors (WarningsAsErrors); xargs exits non-zero when any file failed.
if ! git ls-files 'src/*.cpp' | xargs -P "${SY_LINT_JOBS:-2}" -n 4 "$tidy" -p "$build" --quiet >"$log" 2>&1; then
  grep -E "error:|warning:" "$log" | grep -v "warnings generated" | head -50 >&2 || cat "$log" | tail -50 >&2
  echo "FAIL: clang-tidy found problems (see above; ./dev lint runs the same)" >&2
  exit 1
fi
echo "ok: clang-tidy clean over $(git ls-files 'src/*.cpp' | wc -l) files"
