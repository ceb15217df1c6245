#!/usr/bin/env python3
"""Does a Node.js version satisfy what an npm project and every package it locks declare?

    node_engines.py [--node VERSION] DIR...

Reads DIR/package.json ("engines.node") and DIR/package-lock.json (every locked package's
"engines.node"). VERSION defaults to the `node` on PATH. Prints one line per unsatisfied range
(`DIR: NAME VERSION needs node RANGE`) and exits 1 if there is any, 0 if none, 2 on bad input.
./dev runs it before `npm ci`; tests/scripts/node_engines.sh runs it with Debian 12's Node 18 so a
pin that needs a newer Node fails the tests even on a machine that has one.

Only what `engines` fields use of npm's range grammar: `||`, space-separated comparators,
`< <= > >= =`, `^`, `~`, `x`/`*` wildcards, partial versions and `A - B` ranges.
"""
import json
import os
import re
import subprocess
import sys

PART = re.compile(r"^v?(\d+|[xX*])?(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$")


def parse_partial(text):
    """'18.2' -> ([18, 2], 2 parts given); wildcards end the given parts."""
    m = PART.match(text)
    if not m:
        raise ValueError(f"cannot read version {text!r}")
    nums = []
    for g in m.groups():
        if g is None or g in "xX*":
            break
        nums.append(int(g))
    return nums


def full(nums):
    return tuple(nums + [0] * (3 - len(nums)))


def bump(nums):
    """The first version above every version matching the partial `nums` (1.2 -> 1.3.0)."""
    if not nums:
        return None
    return full(nums[:-1] + [nums[-1] + 1])


def comparator(token):
    """One comparator -> list of (op, version tuple) constraints that must all hold."""
    m = re.match(r"^(<=|>=|<|>|=|\^|~>?|)(.*)$", token)
    op, ver = m.group(1), m.group(2)
    n = parse_partial(ver)
    if not n:  # *, x, or an operator with a wildcard
        return [("<", (0, 0, 0))] if op in ("<", ">") else []
    if op in ("", "="):
        hi = bump(n) if len(n) < 3 else None
        return [(">=", full(n)), ("<", hi)] if hi else [("=", full(n))]
    if op == ">=":
        return [(">=", full(n))]
    if op == ">":
        return [(">=", bump(n))] if len(n) < 3 else [(">", full(n))]
    if op == "<":
        return [("<", full(n))]
    if op == "<=":
        return [("<", bump(n))] if len(n) < 3 else [("<=", full(n))]
    if op.startswith("~"):
        return [(">=", full(n)), ("<", bump(n[:2] if len(n) >= 2 else n))]
    # ^: the leftmost non-zero part given may not change
    upto = next((i for i, v in enumerate(n) if v != 0), len(n) - 1)
    return [(">=", full(n)), ("<", bump(n[: upto + 1]))]


def satisfies(version, rng):
    v = full(parse_partial(version))
    for alt in rng.split("||"):
        alt = re.sub(r"(<=|>=|<|>|=|\^|~>?)\s+", r"\1", alt.strip())
        hy = re.match(r"^(\S+)\s+-\s+(\S+)$", alt)
        tokens = [">=" + hy.group(1), "<=" + hy.group(2)] if hy else alt.split()
        cons = [c for t in tokens for c in comparator(t)]
        ops = {">=": v.__ge__, ">": v.__gt__, "<": v.__lt__, "<=": v.__le__, "=": v.__eq__}
        if all(ops[op](bound) for op, bound in cons):
            return True
    return False


def node_version():
    try:
        out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        sys.exit("node_engines: `node --version` failed (is Node.js installed?)")
    return out.strip()


def main(argv):
    node = None
    if len(argv) >= 2 and argv[0] == "--node":
        node, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    node = (node or node_version()).lstrip("v")
    bad = 0
    try:
        for d in argv:
            manifest = json.load(open(os.path.join(d, "package.json")))
            wanted = [("(package.json)", "", manifest.get("engines", {}).get("node"))]
            lock = os.path.join(d, "package-lock.json")
            if os.path.exists(lock):
                for path, p in json.load(open(lock)).get("packages", {}).items():
                    if path:
                        name = path.split("node_modules/")[-1]
                        eng = p.get("engines")
                        wanted.append((name, p.get("version", ""), eng.get("node") if isinstance(eng, dict) else None))
            for name, ver, rng in wanted:
                if isinstance(rng, str) and rng.strip() and not satisfies(node, rng):
                    print(f"{d}: {name} {ver} needs node {rng}".replace("  ", " "))
                    bad += 1
    except (OSError, ValueError) as e:
        print(f"node_engines: {e}", file=sys.stderr)
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
