#!/usr/bin/env python3
"""Every #include "layer/…" in src/ must be an edge the layer table allows.

The table is docs/development.md's "Layout" table, read from there so the two cannot drift: the
"may include" column lists the layers (and third-party libraries) a folder may use. Third-party
headers are checked for the few libraries that must stay behind one layer.
Exit 1 with one line per forbidden include.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1])
LAYERS = ["core", "imaging", "pdf", "storage", "db", "jobs", "http", "services", "api", "web", "cli"]
# Third-party headers allowed in exactly one layer (prefix of the include path -> layer).
THIRD_PARTY = {"restinio/": "http", "asio": "http", "soci/": "db", "vips/": "imaging", "cairo": "pdf", "pango/": "pdf", "fontconfig/": "pdf"}


def table():
    doc = (ROOT / "docs/development.md").read_text()
    allowed = {}
    for line in doc.splitlines():
        m = re.match(r"\|\s*((?:`src/\w+`(?:,\s*)?)+)\s*\|[^|]*\|([^|]*)\|", line)
        if not m:
            continue
        folders = re.findall(r"`src/(\w+)`", m.group(1))
        may = {w for w in re.findall(r"\b(\w+)\b", m.group(2)) if w in LAYERS}
        for f in folders:
            allowed[f] = may | {f}
    missing = [l for l in LAYERS if l not in allowed]
    if missing:
        sys.exit(f"docs/development.md's layer table has no row for: {', '.join(missing)}")
    return allowed


def main():
    allowed = table()
    bad = []
    for path in sorted((ROOT / "src").rglob("*")):
        if path.suffix not in (".cpp", ".h") or path.parent == ROOT / "src":
            continue
        layer = path.relative_to(ROOT / "src").parts[0]
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = re.match(r'\s*#\s*include\s*"(\w+)/', line)
            if m and m.group(1) in LAYERS and m.group(1) not in allowed[layer]:
                bad.append(f"{path.relative_to(ROOT)}:{n}: {layer} may not include {m.group(1)}/ (docs/development.md)")
            m = re.match(r"\s*#\s*include\s*<([^>]+)>", line)
            if m:
                for prefix, owner in THIRD_PARTY.items():
                    if m.group(1).startswith(prefix) and layer != owner:
                        bad.append(f"{path.relative_to(ROOT)}:{n}: <{m.group(1)}> belongs to src/{owner} only")
    for b in bad:
        print(b)
    if bad:
        print(f"FAIL: {len(bad)} include(s) cross the layer table", file=sys.stderr)
        return 1
    print(f"ok: every include in src/ follows the layer table ({len(allowed)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
