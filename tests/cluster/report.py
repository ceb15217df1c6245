#!/usr/bin/env python3
"""The cluster drill's verdict: reads the load record (load.py), the fault times and what the
database and object store hold after the drill; prints the summary table and exits 1 on any loss.

usage: report.py LOAD.json FAULTS.tsv WAVE.json STATE.json
STATE.json: photos {id: [status, done_jobs, other_jobs, variants, is_current, error_code, purged]}, objects [keys],
            variant_keys [keys], original_keys {photo_id: key}, audit {"consent.set sid to=value": n,
            "login.ok username": n}, sessions_lost [usernames]
"""
import collections
import json
import sys

load = json.load(open(sys.argv[1]))
faults = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]  # name, t_fault, t_back
wave = json.load(open(sys.argv[3]))
state = json.load(open(sys.argv[4]))
problems = []

reads, writes, acked = load["reads"], load["writes"], load["acked"]
kinds = collections.Counter(k for *_, k in reads)
failed_reads = [r for r in reads if r[3] != "ok"]
for r in failed_reads[:10]:
    problems.append(f"failed {r[1]} {r[2]} at +{r[0] - reads[0][0]:.1f}s: {r[3]}")
if len(reads) < 100:
    problems.append(f"only {len(reads)} browsing requests were made")

# Per fault: requests and failures from the fault to the next one, and the seconds until the first
# write that was sent after the fault was acknowledged.
t_end = max([r[0] for r in reads] + [w[1] for w in writes])
rows = []
for i, (name, t_fault, t_back) in enumerate(faults):
    t0 = float(t_fault)
    t1 = float(faults[i + 1][1]) if i + 1 < len(faults) else t_end + 1
    rd = [r for r in reads if t0 <= r[0] < t1]
    wr = [w for w in writes if t0 <= w[0] < t1]
    ok_after = [w[1] for w in writes if w[0] >= t0 and w[3] == "ok"]
    recovery = (min(ok_after) - t0) if ok_after else float("nan")
    if not ok_after:
        problems.append(f"{name}: no write was acknowledged after the fault")
    rows.append((name, len(rd), sum(r[3] != "ok" for r in rd), len(wr), sum(w[3] != "ok" for w in wr), recovery,
                 float(t_back) - t0 if t_back else float("nan")))

# Acknowledged uploads: every one has its photos row and exactly one completed job. A student's
# current photo is ready with one set of derivatives whose objects exist; an older one that a newer
# upload replaced is either ready-then-purged (objects deleted on purpose) or failed as superseded.
uploads = {int(v): k for k, v in wave.items()}
uploads.update({int(pid): user for user, pid, _ in acked["uploads"]})
objects = set(state["objects"])
superseded = 0
for pid in sorted(uploads):
    p = state["photos"].get(str(pid))
    if p is None:
        problems.append(f"acknowledged upload {pid} ({uploads[pid]}) has no photos row")
        continue
    status, done, other, variants, current, error_code, purged = p
    if done != 1 or other != 0:
        problems.append(f"photo {pid}: {done} completed job(s), {other} other(s) (want exactly one)")
    if current:
        if status != "ready":
            problems.append(f"photo {pid} is {status} ({error_code}), not ready")
        if variants != 3:
            problems.append(f"photo {pid}: {variants} derivatives (want jpeg, webp, thumb)")
        if state["original_keys"].get(str(pid)) not in objects:
            problems.append(f"photo {pid}: original object missing")
    else:
        superseded += 1
        if not (status == "failed" and error_code == "superseded") and status != "ready":
            problems.append(f"replaced photo {pid} is {status} ({error_code})")
for pid in map(int, wave.values()):
    if not state["photos"].get(str(pid), [0] * 5)[4]:
        problems.append(f"wave photo {pid} is no longer its student's current photo")
variant_keys = set(state["variant_keys"])
derived = {k for k in objects if k.startswith("compressed/")}
if variant_keys - objects:
    problems.append(f"{len(variant_keys - objects)} derivative object(s) missing, e.g. {sorted(variant_keys - objects)[:3]}")
if derived - variant_keys:
    problems.append(f"{len(derived - variant_keys)} stray derivative object(s), e.g. {sorted(derived - variant_keys)[:3]}")

# Acknowledged consent changes and logins each left their audit row; acknowledged sessions still work.
want = collections.Counter(f"consent.set {sid} to={v}" for sid, v, _ in acked["consents"])
want.update(f"login.ok {u}" for u, _ in acked["sessions"])
for key, n in want.items():
    if state["audit"].get(key, 0) < n:
        problems.append(f"audit: {n} acknowledged '{key}' but {state['audit'].get(key, 0)} row(s)")
for u in state["sessions_lost"]:
    problems.append(f"acknowledged session of {u} no longer works")

wkinds = collections.Counter(w[3] for w in writes)
print()
print(f"cluster drill: {len(reads)} browsing requests (GET/HEAD), {len(writes)} writes, "
      f"{len(uploads)} acknowledged uploads ({superseded} replaced by a newer one), {len(acked['sessions'])} sessions, {len(acked['consents'])} consent changes")
print(f"  browsing by outcome: {dict(kinds)}")
print(f"  writes by outcome:   {dict(wkinds)}")
print()
print("| fault | GET/HEAD | failed GET/HEAD | writes | failed writes | first write ack after (s) | recovered / exited after (s) |")
print("|---|---|---|---|---|---|---|")
def secs(x):
    return "–" if x != x else f"{x:.1f}"  # NaN: not measured for this row


for name, nr, fr, nw, fw, rec, back in rows:
    print(f"| {name} | {nr} | {fr} | {nw} | {fw} | {secs(rec)} | {secs(back)} |")
print()
print(f"| lost acknowledged uploads | lost sessions | lost audit rows | photos not exactly once |")
print("|---|---|---|---|")
lost_up = sum(1 for p in problems if "acknowledged upload" in p or "original object" in p)
lost_audit = sum(1 for p in problems if p.startswith("audit:"))
once = sum(1 for p in problems if "completed job" in p)
print(f"| {lost_up} | {len(state['sessions_lost'])} | {lost_audit} | {once} |")
print()
if problems:
    print("FAIL:")
    for p in problems:
        print("  -", p)
    sys.exit(1)
print("cluster drill: no loss, no failed idempotent request")
