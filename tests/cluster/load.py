#!/usr/bin/env python3
"""Load and write probes for the cluster drill (tests/cluster/cluster_test.sh), through nginx.

  load.py load CONFIG.json   logged-in users browse (GET/HEAD only) while one writer thread logs
                             in, changes consent and uploads; runs until CONFIG["stop_file"] exists
                             or CONFIG["max_seconds"] pass; writes CONFIG["out"] (JSON)
  load.py verify CONFIG.json every acknowledged session still works (GET /api/v1/me → 200)
  load.py setup CONFIG.json  as the admin: a class with CONFIG["students"] students (API calls)
  load.py wave CONFIG.json   every student logs in and uploads CONFIG["photo"] at the same moment

Every request is recorded with its time, so the drill can say which fault it fell in. Bounded:
fixed thread counts, a pause between requests, a hard time limit.
"""
import http.client
import json
import os
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit


class Conn:
    """One keep-alive HTTP/1.1 connection to nginx, reopened after an error."""

    def __init__(self, base):
        u = urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.c = None

    def request(self, method, path, body=None, headers=None, timeout=60):
        if self.c is None:
            self.c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            self.c.request(method, path, body=body, headers=headers or {})
            r = self.c.getresponse()
            data = r.read()
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return r.status, r.getheader("Set-Cookie", ""), data
        except Exception:
            self.close()
            raise

    def close(self):
        if self.c is not None:
            self.c.close()
        self.c = None


def login(conn, user):
    body = json.dumps({"username": user["username"], "password": user["password"]})
    status, set_cookie, data = conn.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
    if status != 200:
        return status, None, None
    cookie = set_cookie.split(";", 1)[0]
    return status, cookie, json.loads(data)["csrf_token"]


def multipart(field, filename, payload):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def run_load(cfg):
    base, stop_file = cfg["base"], cfg["stop_file"]
    deadline = time.time() + cfg["max_seconds"]
    lock = threading.Lock()
    reads = []   # (t, method, path, kind) kind = "ok" | "http_NNN" | "conn" | "logged_out"
    writes = []  # (t_start, t_end, what, kind, detail)
    acked = {"sessions": [], "consents": [], "uploads": []}

    def running():
        return time.time() < deadline and not os.path.exists(stop_file)

    def browser(user):
        conn = Conn(base)
        for _ in range(100):  # bounded: log in, retrying while the cluster settles
            try:
                status, cookie, _ = login(conn, user)
                if status == 200:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        else:
            with lock:
                reads.append((time.time(), "POST", "/api/v1/session", "login_failed"))
            return
        cid = cfg["class_id"]
        paths = [("GET", "/api/v1/me"), ("GET", f"/api/v1/yearbook/{cid}"), ("GET", f"/yearbook/{cid}"),
                 ("HEAD", f"/yearbook/{cid}"), ("GET", "/api/v1/classes")]
        i = 0
        while running():
            method, path = paths[i % len(paths)]
            i += 1
            t = time.time()
            try:
                status, _, _ = conn.request(method, path, headers={"Cookie": cookie}, timeout=30)
                kind = "ok" if 200 <= status < 300 else ("logged_out" if status == 401 else f"http_{status}")
            except Exception:
                kind = "conn"
            with lock:
                reads.append((t, method, path, kind))
            time.sleep(0.05)

    def writer():
        conn = Conn(base)
        admin = cfg["admin"]
        photo = open(cfg["photo"], "rb").read()
        admin_cookie = csrf = None
        uploader_sessions = {}
        last_upload = 0.0
        i = 0
        while running():
            i += 1
            step = i % 3
            t0 = time.time()
            if step == 2 and t0 - last_upload < 2.0:
                step = 0  # at most one upload every 2 s: the workers must keep up on 2 cores
            elif step == 2:
                last_upload = t0
            what, kind, detail = "", "ok", ""
            try:
                if step == 0:  # a new session (a sessions row and a login.ok audit row)
                    what = "session"
                    user = cfg["probes"][i % len(cfg["probes"])]
                    status, cookie, _ = login(conn, user)
                    if status == 200:
                        with lock:
                            acked["sessions"].append([user["username"], cookie])
                    else:
                        kind = f"http_{status}"
                elif step == 1:  # consent change (a student_consent row and a consent.set audit row)
                    what = "consent"
                    if admin_cookie is None:
                        status, admin_cookie, csrf = login(conn, admin)
                        if status != 200:
                            admin_cookie = None
                            raise RuntimeError(f"admin login {status}")
                    sid = cfg["consent_students"][i % len(cfg["consent_students"])]
                    value = "yearbook" if (i // 3) % 2 else "print"
                    status, _, data = conn.request(
                        "PUT", f"/api/v1/students/{sid}/consent", json.dumps({"consent": value}),
                        {"Content-Type": "application/json", "Cookie": admin_cookie, "X-CSRF-Token": csrf})
                    if status == 200:
                        with lock:
                            acked["consents"].append([sid, value, t0])
                    else:
                        kind = f"http_{status}"
                else:  # an upload (a photos row, its job, its original object)
                    what = "upload"
                    user = cfg["uploaders"][(i // 3) % len(cfg["uploaders"])]
                    if user["username"] not in uploader_sessions:
                        status, cookie, tok = login(conn, user)
                        if status != 200:
                            raise RuntimeError(f"uploader login {status}")
                        uploader_sessions[user["username"]] = (cookie, tok)
                    cookie, tok = uploader_sessions[user["username"]]
                    body, ctype = multipart("photo", "probe.jpg", photo)
                    status, _, data = conn.request("POST", "/api/v1/me/photo", body,
                                                   {"Content-Type": ctype, "Cookie": cookie, "X-CSRF-Token": tok})
                    if status == 202:
                        with lock:
                            acked["uploads"].append([user["username"], json.loads(data)["photo_id"], t0])
                    else:
                        kind = f"http_{status}"
            except Exception as e:  # noqa: BLE001 - every failure is recorded, none is fatal
                kind, detail = "conn" if isinstance(e, (OSError, http.client.HTTPException)) else "error", str(e)[:200]
            with lock:
                writes.append((t0, time.time(), what, kind, detail))
            time.sleep(0.3)

    threads = [threading.Thread(target=browser, args=(u,)) for u in cfg["browsers"]]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump({"reads": reads, "writes": writes, "acked": acked}, open(cfg["out"], "w"))


def verify(cfg):
    data = json.load(open(cfg["out"]))
    conn = Conn(cfg["base"])
    lost = []
    for username, cookie in data["acked"]["sessions"]:
        status, _, body = conn.request("GET", "/api/v1/me", headers={"Cookie": cookie})
        if status != 200 or json.loads(body)["username"] != username:
            lost.append(username)
    print(json.dumps({"sessions_checked": len(data["acked"]["sessions"]), "sessions_lost": lost}))
    return 1 if lost else 0


def admin_call(conn, cookie, csrf, method, path, payload):
    status, _, data = conn.request(method, path, json.dumps(payload),
                                   {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf})
    if status not in (200, 201):
        raise SystemExit(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data) if data else {}


def setup(cfg):
    conn = Conn(cfg["base"])
    status, cookie, csrf = login(conn, cfg["admin"])
    if status != 200:
        raise SystemExit(f"admin login: {status}")
    cls = admin_call(conn, cookie, csrf, "POST", "/api/v1/classes", {"name": "Drill 9C", "year": 2026})
    students = [{"username": f"s{i:02d}", "password": f"drill password {i:02d}"} for i in range(1, cfg["students"] + 1)]

    def create(chunk):
        c = Conn(cfg["base"])
        for st in chunk:
            u = admin_call(c, cookie, csrf, "POST", "/api/v1/users",
                           {"username": st["username"], "password": st["password"], "role": "student",
                            "full_name": "Student " + st["username"]})
            st["id"] = u["id"]
            admin_call(c, cookie, csrf, "POST", f"/api/v1/classes/{cls['id']}/students", {"student_id": u["id"]})

    threads = [threading.Thread(target=create, args=(students[k::6],)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any("id" not in st for st in students):
        raise SystemExit("some students were not created")
    json.dump({"class_id": cls["id"], "students": students}, open(cfg["out"], "w"))


def wave(cfg):
    photo = open(cfg["photo"], "rb").read()
    students = cfg["students"]
    barrier = threading.Barrier(len(students))
    results = {}

    def one(st):
        conn = Conn(cfg["base"])
        status, cookie, tok = login(conn, st)
        barrier.wait(timeout=120)
        if status != 200:
            results[st["username"]] = f"login {status}"
            return
        body, ctype = multipart("photo", "wave.jpg", photo)
        try:
            status, _, data = conn.request("POST", "/api/v1/me/photo", body,
                                           {"Content-Type": ctype, "Cookie": cookie, "X-CSRF-Token": tok}, timeout=120)
            results[st["username"]] = json.loads(data)["photo_id"] if status == 202 else f"upload {status}"
        except Exception as e:  # noqa: BLE001
            results[st["username"]] = f"upload error {e}"

    threads = [threading.Thread(target=one, args=(st,)) for st in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump(results, open(cfg["out"], "w"))
    bad = {k: v for k, v in results.items() if not isinstance(v, int)}
    if bad:
        raise SystemExit(f"uploads not acknowledged: {bad}")


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    cfg = json.load(open(path))
    modes = {"load": run_load, "verify": verify, "setup": setup, "wave": wave}
    sys.exit(modes[mode](cfg) or 0)
