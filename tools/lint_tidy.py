#!/usr/bin/env python3
"""clang-tidy (the checks in .clang-tidy) over every C++ source file of src/ and tests/.

clang cannot read the precompiled headers gcc writes for the main build, so this configures a
compile database of its own without them (cmake -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON, configure
only, nothing is built) in <build>/tidy/.

Files are checked in bundles: one generated translation unit that #includes several .cpp files
of the same compile command (the same target). Most of clang-tidy's time goes into parsing and
matching the standard, json, fmt and gtest headers every file includes; a bundle pays that once
for all its files (measured: see the head of .clang-tidy). Files that cannot share a unit
(two anonymous-namespace helpers of one name) are found by a parse-only pass (clang -fsyntax-only)
and moved to a later bundle; a unit that still does not parse is checked file by file. --single
checks every file in its own unit, as plain clang-tidy would.

A clean result is remembered per file under <build>/tidy/cache/, keyed by the file, every project
header it includes (transitively), its compile command, .clang-tidy and the clang-tidy version:
a second run checks only what changed. Exit status 1 when any file has a finding.

  tools/lint_tidy.py --build BUILD_DIR [--jobs N] [--no-cache] [--single] [--bundle N] [FILE...]
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def configure(root, tidy_dir):
    db = os.path.join(tidy_dir, "compile_commands.json")
    lists = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
             if f == "CMakeLists.txt" and "/build" not in d and "/.git" not in d and "node_modules" not in d]
    newest = max(os.path.getmtime(p) for p in lists)
    if os.path.exists(db) and os.path.getmtime(db) >= newest:
        return db
    os.makedirs(tidy_dir, exist_ok=True)
    cmd = ["cmake", "-S", root, "-B", tidy_dir, "-G", "Ninja", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
           "-DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON", "-DCMAKE_BUILD_TYPE=Release"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-3000:])
        sys.exit("FAIL: could not configure the compile database for clang-tidy in " + tidy_dir)
    os.utime(db)
    return db


def project_headers(path, roots, seen):
    """Every project header `path` includes, transitively (system headers do not change under us)."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return
    for inc in INCLUDE_RE.findall(text):
        for base in [os.path.dirname(path)] + roots:
            cand = os.path.normpath(os.path.join(base, inc))
            if os.path.isfile(cand):
                if cand not in seen:
                    seen.add(cand)
                    project_headers(cand, roots, seen)
                break


def compile_args(entry):
    """The compiler arguments of an entry without the compiler, its output and its input."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    out, skip = [], False
    for x in args[1:]:
        if skip:
            skip = False
            continue
        if x in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if x in ("-c", "-MD", "-MMD") or os.path.normpath(x) == os.path.normpath(entry["file"]):
            continue
        out.append(x)
    return out


def cache_key(entry, roots, config_hash):
    h = hashlib.sha256(config_hash)
    # The command without its output paths (they differ between build folders, not in meaning).
    args = entry.get("arguments") or shlex.split(entry["command"])
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT"):
            skip = True
            continue
        h.update(a.encode() + b"\0")
    headers = set()
    project_headers(entry["file"], roots, headers)
    for p in [entry["file"]] + sorted(headers):
        h.update(p.encode() + b"\0")
        with open(p, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--build", required=True, help="the main build folder (the tidy database goes in its tidy/)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("SY_LINT_JOBS", "2")))
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--single", action="store_true", help="every file in its own unit (no bundles)")
    ap.add_argument("--bundle", type=int, default=int(os.environ.get("SY_LINT_BUNDLE", "16")),
                    help="at most this many files per unit")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    root = os.path.abspath(a.source)
    tidy = shutil.which("clang-tidy-14")
    if not tidy:
        sys.exit("FAIL: clang-tidy-14 is not installed (./dev setup test installs it)")
    clangxx = shutil.which("clang++-14")
    if not clangxx:
        sys.exit("FAIL: clang++-14 is not installed (it comes with clang-tidy-14's clang-14)")
    tidy_dir = os.path.join(os.path.abspath(a.build), "tidy")
    db = configure(root, tidy_dir)
    entries = {os.path.normpath(e["file"]): e for e in json.load(open(db))}

    if a.files:
        wanted = [os.path.normpath(os.path.join(root, f)) for f in a.files]
    else:
        listed = subprocess.run(["git", "-C", root, "ls-files", "src/*.cpp", "tests/*.cpp"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.split()
        wanted = [os.path.join(root, f) for f in listed]
    files = [f for f in wanted if f in entries]
    missing = [f for f in wanted if f not in entries]
    if a.files and missing:
        sys.exit("FAIL: not in the compile database: " + " ".join(missing))

    version = subprocess.run([tidy, "--version"], stdout=subprocess.PIPE, text=True).stdout
    config_hash = hashlib.sha256(open(os.path.join(root, ".clang-tidy"), "rb").read() + version.encode()).digest()
    roots = [os.path.join(root, "src"), os.path.join(root, "tests")]
    cache_dir = os.path.join(tidy_dir, "cache")
    os.makedirs(cache_dir, exist_ok=True)

    todo = []
    for f in files:
        key = cache_key(entries[f], roots, config_hash)
        if a.no_cache or not os.path.exists(os.path.join(cache_dir, key)):
            todo.append((f, key))

    def run_tidy(path, args=None):
        cmd = [tidy, "--quiet", "--config-file=" + os.path.join(root, ".clang-tidy")]
        if args is None:
            cmd += ["-p", tidy_dir, path]
        else:  # a bundle: diagnostics in the bundled .cpp files too (they are "headers" of the unit);
            # its own #include "x.cpp" lines are what it is for (suspicious-include runs per file).
            cmd += ["--header-filter=^" + re.escape(root) + "/(src|tests)/", "--checks=-bugprone-suspicious-include",
                    path, "--"] + args
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root)
        findings = [ln for ln in r.stdout.splitlines() if re.search(r"(error|warning): ", ln)]
        return r.returncode == 0 and not findings, r.stdout

    def mark_clean(items):
        for _, key in items:
            open(os.path.join(cache_dir, key), "w").close()

    def run_single(item):
        ok, out = run_tidy(item[0])
        if ok:
            mark_clean([item])
            return []
        return [(item[0], out)]

    bundle_dir = os.path.join(tidy_dir, "bundles")
    os.makedirs(bundle_dir, exist_ok=True)

    def write_bundle(items):
        text = "".join('#include "%s"\n' % f for f, _ in items)
        name = os.path.join(bundle_dir, hashlib.sha256(text.encode()).hexdigest()[:16] + ".cpp")
        with open(name, "w") as fh:
            fh.write(text)
        return name

    def run_bundle(group):
        """[(file, key)] of one compile command: check them in as few units as parse."""
        args = compile_args(entries[group[0][0]])
        failed, todo_b = [], list(group)
        while todo_b:
            unit, todo_b = todo_b[: a.bundle], todo_b[a.bundle:]
            for _ in range(8):  # each pass moves the files that clash to the end; bounded
                if len(unit) == 1:
                    break
                bundle = write_bundle(unit)
                r = subprocess.run([clangxx, "-fsyntax-only", "-ferror-limit=0", "-w"] + args + [bundle],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root)
                if r.returncode == 0:
                    break
                where = {os.path.normpath(m) for m in re.findall(r"^(/[^:\n]+\.cpp):\d+:\d+: error:", r.stdout, re.M)}
                clash = [it for it in unit if it[0] in where]
                if not clash or len(clash) == len(unit):
                    clash = unit[1:]  # no culprit named: check them one by one
                unit = [it for it in unit if it not in clash]
                todo_b = clash + todo_b if len(unit) > 1 else todo_b + clash
            if len(unit) == 1:
                failed += run_single(unit[0])
                continue
            ok, out = run_tidy(write_bundle(unit), args)
            if ok:
                mark_clean(unit)
                continue
            # Findings: the files they are in fail; one in a shared header fails the whole unit.
            named = {os.path.normpath(m) for m in re.findall(r"^(/[^:\n]+):\d+:\d+: (?:error|warning):", out, re.M)}
            hit = [it for it in unit if it[0] in named]
            mark_clean([it for it in unit if it not in hit] if hit and named <= {f for f, _ in hit} else [])
            failed += [(f, "") for f, _ in (hit or unit)[:-1]] + [((hit or unit)[-1][0], out)]
        return failed

    start = time.monotonic()
    failed = []
    if a.single:
        units = [[it] for it in todo]
    else:
        groups = {}
        for it in todo:
            groups.setdefault(tuple(compile_args(entries[it[0]])), []).append(it)
        # Big groups first, split so that every worker has work until the end.
        units = []
        for g in sorted(groups.values(), key=len, reverse=True):
            n = max(1, -(-len(g) // a.bundle))
            units += [g[i::n] for i in range(n)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for res in pool.map(run_single if a.single else run_bundle, [u[0] for u in units] if a.single else units):
            for f, out in res:
                failed.append(f)
                sys.stderr.write(out)
    took = time.monotonic() - start
    rel = lambda p: os.path.relpath(p, root)  # noqa: E731
    if failed:
        print(f"FAIL: clang-tidy found problems in {len(failed)} of {len(files)} files: "
              + " ".join(rel(f) for f in failed), file=sys.stderr)
        return 1
    print(f"ok: clang-tidy clean over {len(files)} files ({len(todo)} checked in {took:.0f} s, "
          f"{len(files) - len(todo)} unchanged since a clean run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
