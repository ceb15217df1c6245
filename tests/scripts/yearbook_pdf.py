#!/usr/bin/env python3
"""The printable yearbook and erasure end to end on the real binary (tests/scripts/yearbook_pdf.sh).

yearbook_pdf.py BASE ADMIN_PASSWORD OBJECTS_DIR WORKDIR

Students with Cyrillic, CJK and Greek names upload photos (JPEGs made with PIL), a teacher
approves them, consent is set; GET /yearbook/{class}.pdf answers 202 until the worker has made the
file, then the PDF: pdftotext has the print-consented names and not the others, pdfimages counts
one image per print-consented student with a photo, pdffonts shows every font embedded. Consent
withdrawn: the next answer is never the old file. Erasure of a photo and of a student: the object
store (a file store) is listed before and after.
"""
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from PIL import Image

BASE, ADMIN_PW, OBJECTS, WORK = sys.argv[1:5]
PASSWORD = "correct horse battery staple"


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def call(method, path, body=None, sess=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    if sess:
        req.add_header("Cookie", sess["cookie"])
        req.add_header("X-CSRF-Token", sess["csrf"])
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def must(res, *ok):
    st, _, body = res
    if st not in ok:
        fail(f"expected {ok}, got {st}: {body[:300]!r}")
    return json.loads(body) if body and body[:1] in (b"{", b"[") else body


def login(user, pw=PASSWORD):
    st, hdrs, body = call("POST", "/api/v1/session", {"username": user, "password": pw})
    if st != 200:
        fail(f"login {user}: {st}")
    cookie = next(c.split(";")[0] for c in hdrs.get_all("Set-Cookie") if "sy_session=" in c)
    return {"cookie": cookie, "csrf": json.loads(body)["csrf_token"]}


def jpeg(color):
    buf = io.BytesIO()
    Image.new("RGB", (320, 400), color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def upload(sess, data):
    b = uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"me.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return must(call("POST", "/api/v1/me/photo", raw=body, sess=sess, ctype=f"multipart/form-data; boundary={b}"),
                202)["photo_id"]


def objects():
    out = set()
    for root, dirs, files in os.walk(OBJECTS):
        dirs[:] = [d for d in dirs if d != ".sy-meta"]  # the file store's content types
        for f in files:
            if not f.startswith(".tmp-"):
                out.add(os.path.relpath(os.path.join(root, f), OBJECTS))
    return out


def poppler(tool, pdf, *args):
    path = os.path.join(WORK, "y.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    cmd = [tool, *args, path] + (["-"] if tool == "pdftotext" else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or "Error" in r.stderr:
        fail(f"{tool}: {r.returncode} {r.stderr}")
    return r.stdout


def pdf_when_ready(sess, class_id, limit=90):
    """GET the PDF: 202 (progress page) until the worker has made it; returns (first status, bytes)."""
    first = None
    deadline = time.time() + limit
    while time.time() < deadline:
        st, hdrs, body = call("GET", f"/yearbook/{class_id}.pdf", sess=sess)
        first = first or st
        if st == 200:
            if hdrs.get("Content-Type") != "application/pdf":
                fail("not a PDF: " + str(hdrs.get("Content-Type")))
            return first, body
        if st != 202 or b"page" not in body:
            fail(f"while waiting: {st} {body[:300]!r}")
        time.sleep(0.3)
    fail(f"the PDF was not ready within {limit} s")


adm = login("admin", ADMIN_PW)
people = {"teacher": ("teacher", "Tess Teacher"), "anna": ("student", "Анна Кузнецова"),
          "yui": ("student", "山田 結衣"), "ben": ("student", "Ben Okafor"), "eleni": ("student", "Ελένη Παππά")}
ids = {}
for user, (role, name) in people.items():
    ids[user] = must(call("POST", "/api/v1/users", {"username": user, "password": PASSWORD, "role": role,
                                                    "full_name": name}, adm), 201)["id"]
c = must(call("POST", "/api/v1/classes", {"name": "7A", "year": 2025}, adm), 201)["id"]
must(call("POST", f"/api/v1/classes/{c}/teachers", {"teacher_id": ids["teacher"], "subject": "Art"}, adm), 201)
for s in ("anna", "yui", "ben", "eleni"):
    must(call("POST", f"/api/v1/classes/{c}/students", {"student_id": ids[s]}, adm), 201)
photos = {}
for s, color in (("anna", "red"), ("yui", "blue"), ("ben", "green")):
    sess = login(s)
    photos[s] = upload(sess, jpeg(color))
    deadline = time.time() + 60
    while must(call("GET", "/api/v1/me/photo", sess=sess), 200)["status"] != "ready":
        if time.time() > deadline:
            fail(f"{s}'s photo was not processed")
        time.sleep(0.2)
teacher = login("teacher")
for s, p in photos.items():
    must(call("POST", f"/api/v1/photos/{p}/approve", sess=teacher), 200)
for s, consent in (("anna", "print"), ("yui", "print"), ("ben", "yearbook"), ("eleni", "print")):
    must(call("PUT", f"/api/v1/students/{ids[s]}/consent", {"consent": consent}, adm), 200)
print("ok: scene (3 photos approved; print consent for anna, yui, eleni)")

first, pdf = pdf_when_ready(teacher, c)
if first != 202:
    fail(f"the first answer should be 202 (queued), got {first}")
text = poppler("pdftotext", pdf, "-layout", "-enc", "UTF-8")
for name in ("Анна Кузнецова", "山田 結衣", "Ελένη Παππά", "Yearbook", "7A"):
    if name not in text:
        fail(f"{name} not in the PDF text:\n{text}")
if "Ben Okafor" in text:
    fail("a student without print consent is in the PDF")
images = poppler("pdfimages", pdf, "-list").splitlines()[2:]
if len(images) != 2:
    fail(f"expected 2 images (anna, yui), got {len(images)}:\n" + "\n".join(images))
fonts = poppler("pdffonts", pdf).splitlines()[2:]
if not fonts or any(line[72:75].strip() != "yes" for line in fonts):
    fail("a font is not embedded:\n" + "\n".join(fonts))
pdfs = {k for k in objects() if k.startswith("pdfs/")}
if len(pdfs) != 1:
    fail(f"expected one stored PDF, found {pdfs}")
print("ok: PDF made by the worker: names in Cyrillic, CJK and Greek, 2 images, fonts embedded, no ben")

# Consent withdrawn: the old file is deleted and never served.
must(call("PUT", f"/api/v1/students/{ids['anna']}/consent", {"consent": "none"}, adm), 200)
if any(k.startswith("pdfs/") for k in objects()):
    fail("the PDF showing anna is still stored after her consent was withdrawn")
first, pdf2 = pdf_when_ready(teacher, c)
if first != 202 or pdf2 == pdf:
    fail("the old PDF was served after consent was withdrawn")
text = poppler("pdftotext", pdf2, "-layout", "-enc", "UTF-8")
if "Анна" in text or "山田 結衣" not in text:
    fail("after withdrawal: " + text)
if len(poppler("pdfimages", pdf2, "-list").splitlines()[2:]) != 1:
    fail("after withdrawal: expected 1 image")
print("ok: consent withdrawn → old PDF deleted, the next one is made without her")

# Erasure of yui's photo by yui: original, derivatives and the PDF showing it go; nothing else.
before = objects()
yui_keys = {k for k in before if k.startswith(f"compressed/{photos['yui']}/")}
if len(yui_keys) < 3:
    fail(f"yui's derivatives: {yui_keys}")
r = must(call("DELETE", f"/api/v1/photos/{photos['yui']}", sess=login("yui")), 200)
after = objects()
gone = before - after
pdf_keys = {k for k in before if k.startswith("pdfs/")}
if not yui_keys <= gone or not pdf_keys <= gone or len(gone) != len(yui_keys) + len(pdf_keys) + 1 or after - before:
    fail(f"photo erasure removed {sorted(gone)}, added {sorted(after - before)}")
if not any(k.startswith("uploads/") for k in gone):
    fail("the original was not deleted")
print(f"ok: photo erased: {len(gone)} objects ({r['erased']})")

# Erasure of ben (admin): his photo's objects go, the account is gone.
before = objects()
r = must(call("DELETE", f"/api/v1/users/{ids['ben']}", sess=adm), 200)
gone = before - objects()
if not {k for k in before if k.startswith(f"compressed/{photos['ben']}/")} <= gone or len(gone) < 4:
    fail(f"student erasure removed {sorted(gone)}")
st, _, _ = call("POST", "/api/v1/session", {"username": "ben", "password": PASSWORD})
if st != 401:
    fail(f"ben can still log in: {st}")
must(call("DELETE", f"/api/v1/users/{ids['teacher']}", sess=adm), 404)
print(f"ok: student erased: {len(gone)} objects ({r['erased']}); a teacher is not erased this way")
