"""Live updates through the real server (and nginx with the shipped settings): events are read off
the wire as a browser's EventSource would. argv: app base URL, nginx base URL, photo file."""
import json
import sys
import time

from sse_client import Session, Stream

BASE, NGINX, PHOTO = sys.argv[1], sys.argv[2], sys.argv[3]
PW = "a long password 123"


def ok(msg):
    print("ok:", msg, flush=True)


admin = Session(BASE).login("boss", "admin password 123")


def make_user(name, role):
    st, j = admin.call("POST", "/api/v1/users", {"username": name, "role": role, "full_name": name.title(), "password": PW})
    assert st == 201, (st, j)
    return j["id"]


T, S, S2 = make_user("ms.lee", "teacher"), make_user("ana.b", "student"), make_user("ben.c", "student")
st, c = admin.call("POST", "/api/v1/classes", {"name": "7B", "year": 2026})
C = c["id"]
assert admin.call("POST", f"/api/v1/classes/{C}/students", {"student_id": S})[0] in (200, 201)
assert admin.call("POST", f"/api/v1/classes/{C}/teachers", {"teacher_id": T, "subject": "Form"})[0] in (200, 201)
assert admin.call("PUT", f"/api/v1/students/{S}/consent", {"consent": "yearbook"})[0] == 200
student = Session(BASE).login("ana.b", PW)
teacher = Session(BASE).login("ms.lee", PW)
outsider = Session(BASE).login("ben.c", PW)

# The student's status stream: open at once with the current state, then every change.
photo = Stream(student, "/api/v1/events/photo")
assert photo.status == 200, photo.status
assert photo.headers["content-type"].startswith("text/event-stream"), photo.headers
assert photo.headers.get("x-accel-buffering") == "no"
name, data = photo.next()
assert name == "photo" and json.loads(data)["state"] == "none", (name, data)
ok("photo stream opens with the current state (none)")

book = Stream(teacher, f"/api/v1/events/yearbook/{C}")
assert book.status == 200
name, data = book.next()
assert name == "yearbook" and json.loads(data)["class_id"] == C
assert admin.call("GET", f"/api/v1/yearbook/{C}/state")[1] == json.loads(data), "polling twin differs"
ok("yearbook stream opens with the version the polling endpoint reports")

with open(PHOTO, "rb") as f:
    st, up = student.upload("/api/v1/me/photo", f.read())
assert st == 202, (st, up)
seen = photo.wait_for(lambda n, j: j["state"] == "pending")
states = [j["state"] for _, j in seen]
assert set(states) <= {"processing", "pending"}, states
pending = seen[-1][1]
assert pending["photo_id"] == up["photo_id"] and pending["thumb"].endswith("/thumb"), pending
st, polled = student.call("GET", "/api/v1/me/photo/status")
assert st == 200 and polled == pending, (polled, pending)
ok(f"status went live {' → '.join(states)} after the upload; polling returns the same state")

def version():
    return admin.call("GET", f"/api/v1/yearbook/{C}/state")[1]["version"]


before = version()
st, _ = teacher.call("POST", f"/api/v1/photos/{up['photo_id']}/approve", {})
assert st == 200, st
photo.wait_for(lambda n, j: j["state"] == "published")
_, j = book.wait_for(lambda n, j: j["version"] > before)[-1]
assert j["version"] == version()
ok("approval: the student's stream says published, the yearbook stream has the new version")

before = version()
assert admin.call("PUT", f"/api/v1/students/{S}/consent", {"consent": "none"})[0] == 200
_, j = book.wait_for(lambda n, j: j["version"] > before)[-1]
assert j["version"] == version()
ok("consent withdrawn: the yearbook stream has the new version")

# Another class's student may not follow this yearbook: an ordinary 403, no stream.
idor = Stream(outsider, f"/api/v1/events/yearbook/{C}")
assert idor.status == 403 and json.loads(idor.body)["error"]["code"], (idor.status, idor.body)
assert Stream(teacher, "/api/v1/events/photo").status == 403
ok("no stream for another class's yearbook (403) or for a non-student's photo status")

# Four streams per user (SCHOOLYARD_SSE_MAX_STREAMS_PER_USER); the fifth is refused, clearly.
more = [Stream(student, "/api/v1/events/photo") for _ in range(3)]
assert all(s.status == 200 for s in more)
fifth = Stream(student, "/api/v1/events/photo")
assert fifth.status == 429, fifth.status
err = json.loads(fifth.body)["error"]
assert err["code"] == "too_many_streams" and "limit 4" in err["message"], err
for s in more:
    s.close()
# The heartbeat (1 s here) notices the clients that left and frees their slots.
for _ in range(40):
    again = Stream(student, "/api/v1/events/photo")
    if again.status == 200:
        break
    time.sleep(0.25)
assert again.status == 200, again.status
assert photo.pings > 0, "no heartbeat seen"
ok("streams are bounded per user (429 too_many_streams, limit named) and freed when clients leave; heartbeats seen")

# Behind nginx with the shipped settings: the first event arrives at once, not when a buffer fills.
viaproxy = Session(NGINX)
viaproxy.cookie, viaproxy.csrf = teacher.cookie, teacher.csrf
t0 = time.time()
proxied = Stream(viaproxy, f"/api/v1/events/yearbook/{C}")
assert proxied.status == 200, proxied.status
name, data = proxied.next(timeout=3)
assert name == "yearbook" and time.time() - t0 < 3
ok("through nginx (deploy/nginx settings) the stream is unbuffered")

# Hand the remaining streams to the shell, which stops the server and checks they end cleanly.
print("STREAMS_OPEN", flush=True)
sys.stdin.readline()
t0 = time.time()
for s in (photo, book, again):
    assert s.ended.wait(10), "a stream did not end when the server stopped"
ok(f"server stop ended every stream within {time.time() - t0:.1f} s")
