#!/usr/bin/env bash
# The layer table in docs/development.md holds: no #include crosses it (tools/check_layers.py).
set -euo pipefail
root="${SY_SOURCE_DIR:-$(dirname "$0")/../..}"
python3 "$root/tools/check_layers.py" "$root"
# The check itself must catch a forbidden edge: plant one in a copy of the tree.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs" "$tmp/src/imaging"
cp "$root/docs/development.md" "$tmp/docs/"
printf '#include "db/database.h"\n' >"$tmp/src/imaging/bad.cpp"
if python3 "$root/tools/check_layers.py" "$tmp" >/dev/null; then echo "FAIL: a planted imaging -> db include was not caught" >&2; exit 1; fi
echo "ok: a planted forbidden include is caught"
