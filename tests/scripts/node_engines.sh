#!/usr/bin/env bash
# Every npm project in the repository (tools/, deploy/…) and every package it locks declares that it
# runs on Debian 12's Node (18.19 or newer): a pin that needs a newer Node fails here even on a
# machine whose own Node is newer. (Declaring is not running: docs/development.md says how the
# tests were run on Debian's Node 18 itself.)
source "$(dirname "$0")/lib.sh"
SRC=${SY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK="/usr/bin/python3 $SRC/tools/node_engines.py"
DEBIAN12_NODE=18.19.0

# The checker itself: ranges as npm reads them.
/usr/bin/python3 - "$SRC/tools" <<'PY' || fail "node_engines.py reads a range wrongly"
import sys
sys.path.insert(0, sys.argv[1])
from node_engines import satisfies
cases = [("18.20.4", ">=20", False), ("18.20.4", ">=18", True), ("18.20.4", ">= 0.6", True),
         ("18.19.0", "^18.17.0 || >=20.5.0", True), ("18.16.0", "^18.17.0 || >=20.5.0", False),
         ("20.1.0", "^18.17.0 || >=20.5.0", False), ("18.20.4", ">=6 <7 || >=8", True),
         ("18.20.4", "*", True), ("18.20.4", ">=0.6.x", True), ("18.20.4", "18.19", False),
         ("18.20.4", "~18.20", True), ("0.11.0", "^0.10", False), ("19.0.0", "14 - 18", False),
         ("18.20.4", "<=18", True), ("18.20.4", ">18", False), ("18.20.4", "18.x", True)]
bad = [c for c in cases if satisfies(c[0], c[1]) != c[2]]
if bad:
    sys.exit(f"wrong: {bad}")
PY
out=$($CHECK --node 16.20.2 "$SRC/tools" 2>&1) && fail "tools/ claims to run on Node 16"
[[ $out == *"needs node"* ]] || fail "no reason given for Node 16: $out"
pass "node_engines.py reads ranges as npm does"

projects=()
while IFS= read -r f; do projects+=("$SRC/$(dirname "$f")"); done < <(cd "$SRC" && find . -mindepth 1 \( -name node_modules -o -name '.*' -o -name 'build*' \) -prune -o -name package.json -print | sed 's|^\./||' | sort)
((${#projects[@]})) || fail "no npm project found"
for p in "${projects[@]}"; do
  [[ -f $p/package-lock.json ]] || fail "${p#$SRC/}: no package-lock.json (pins must be locked)"
  out=$($CHECK --node $DEBIAN12_NODE "$p" 2>&1) || fail "needs a Node newer than Debian 12's $DEBIAN12_NODE:
$out"
  pass "${p#$SRC/}: every locked package runs on Node $DEBIAN12_NODE"
done
