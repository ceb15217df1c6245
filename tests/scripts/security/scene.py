#!/usr/bin/env python3
"""The scene the attack tools run against, and their target lists.

  scene.py seed BASE ADMIN_PASSWORD OUT   users of every role, two classes, a photo; one logged-in
                                           session per role -> OUT/scene.json
  scene.py sqlmap OUT                      one Burp-style request log per run -> OUT/sqlmap-*.log

Every API operation of the OpenAPI file and every HTML form must have a target here (checked:
a new operation without one fails the scan), each with realistic values so that the request
reaches the query it would run; `*` marks path parameters for sqlmap.
"""
import io
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

PASSWORD = "scan password 12345"
ROLES = ["admin", "teacher", "student", "guardian"]


def call(base, method, path, body=None, cookie="", csrf="", ctype="application/json", raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    if cookie:
        req.add_header("Cookie", cookie)
    if csrf:
        req.add_header("X-CSRF-Token", csrf)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def login(base, username, password):
    st, hdrs, body = call(base, "POST", "/api/v1/session", {"username": username, "password": password})
    if st != 200:
        raise SystemExit(f"login {username}: {st} {body[:200]!r}")
    cookie = next(c.split(";")[0] for c in hdrs.get_all("Set-Cookie") if "sy_session=" in c)
    return {"cookie": cookie, "csrf": json.loads(body)["csrf_token"]}


def must(res, *ok):
    st, _, body = res
    if st not in ok:
        raise SystemExit(f"seeding failed: {st} {body[:300]!r}")
    return json.loads(body) if body else {}


def tiny_jpeg():
    from PIL import Image
    b = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(b, "JPEG", quality=80)
    return b.getvalue()


def multipart(fields, boundary):
    out = b""
    for name, (filename, ctype, data) in fields.items():
        out += f"--{boundary}\r\n".encode()
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"Content-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def seed(base, admin_pw, out):
    adm = login(base, "admin", admin_pw)
    ids = {}
    for name, role in [("teacher1", "teacher"), ("teacher2", "teacher"), ("student1", "student"),
                       ("student2", "student"), ("guardian1", "guardian"), ("guardian2", "guardian"),
                       ("victim", "student"), ("erasable", "student")]:
        ids[name] = must(call(base, "POST", "/api/v1/users", {"username": name, "password": PASSWORD, "role": role,
                                                              "full_name": "Full " + name}, **_s(adm)), 201)["id"]
    for cname in ["7A", "7B"]:
        ids[cname] = must(call(base, "POST", "/api/v1/classes", {"name": cname, "year": 2025}, **_s(adm)), 201)["id"]
    for c, t, s, g in [("7A", "teacher1", "student1", "guardian1"), ("7B", "teacher2", "student2", "guardian2")]:
        must(call(base, "POST", f"/api/v1/classes/{ids[c]}/teachers", {"teacher_id": ids[t], "subject": "Maths"}, **_s(adm)), 201)
        must(call(base, "POST", f"/api/v1/classes/{ids[c]}/students", {"student_id": ids[s]}, **_s(adm)), 201)
        must(call(base, "POST", "/api/v1/guardians", {"guardian_id": ids[g], "student_id": ids[s]}, **_s(adm)), 200, 201, 204)
    must(call(base, "POST", f"/api/v1/classes/{ids['7A']}/students", {"student_id": ids["victim"]}, **_s(adm)), 201)
    # School core: the classes' year (2025, current), a later year, a term, and throwaway records
    # for the DELETE targets (deleting them must not change what the other scans reach).
    years = must(call(base, "GET", "/api/v1/years", **_s(adm)), 200)["years"]
    ids["year"] = next(y["id"] for y in years if y["year"] == 2025)
    ids["year2"] = must(call(base, "POST", "/api/v1/years", {"year": 2026, "name": "2026/27", "start_date": "2026-09-01",
                                                            "end_date": "2027-07-15"}, **_s(adm)), 201)["id"]
    ids["term"] = must(call(base, "POST", f"/api/v1/years/{ids['year']}/terms", {"name": "Autumn", "start_date": "2025-01-01",
                                                                             "end_date": "2025-06-30"}, **_s(adm)), 201)["id"]
    ids["term2"] = must(call(base, "POST", f"/api/v1/years/{ids['year']}/terms", {"name": "Spare", "start_date": "2025-07-01",
                                                                              "end_date": "2025-07-31"}, **_s(adm)), 201)["id"]
    ids["subject"] = must(call(base, "GET", "/api/v1/subjects?q=Maths", **_s(adm)), 200)["subjects"][0]["id"]
    ids["assignment"] = must(call(base, "POST", f"/api/v1/classes/{ids['7A']}/assignments",
                                  {"subject_id": None, "teacher_id": ids["teacher2"]}, **_s(adm)), 201)["id"]
    # Marks: an assessment of 7A's Maths and the default grade scale.
    ids["assessment"] = must(call(base, "POST", "/api/v1/assessments", {"term_id": ids["term"], "class_id": ids["7A"],
                                                                        "subject_id": ids["subject"], "name": "Scan test",
                                                                        "max": "20"}, **_s(adm)), 201)["id"]
    ids["scale"] = must(call(base, "GET", "/api/v1/grade-scales", **_s(adm)), 200)["grade_scales"][0]["id"]
    sessions = {"admin": adm}
    for role, user in [("teacher", "teacher1"), ("student", "student1"), ("guardian", "guardian1")]:
        sessions[role] = login(base, user, PASSWORD)
    ids["notice"] = must(call(base, "POST", "/api/v1/notices", {"title": "Trip", "body": "Bring a coat.",
                                                                "targets": [{"class_id": ids["7A"]}]},
                              **_s(sessions["teacher"])), 201)["id"]
    st = sessions["student"]
    b = uuid.uuid4().hex
    body = multipart({"photo": ("me.jpg", "image/jpeg", tiny_jpeg()), "quote": (None, None, b"hello")}, b)
    ids["photo"] = must(call(base, "POST", "/api/v1/me/photo", raw=body, ctype=f"multipart/form-data; boundary={b}",
                             **_s(st)), 202)["photo_id"]
    # The erasure targets get records of their own: the first request of a scan erases them.
    er = login(base, "erasable", PASSWORD)
    b = uuid.uuid4().hex
    body = multipart({"photo": ("me.jpg", "image/jpeg", tiny_jpeg())}, b)
    ids["erasable_photo"] = must(call(base, "POST", "/api/v1/me/photo", raw=body,
                                      ctype=f"multipart/form-data; boundary={b}", **_s(er)), 202)["photo_id"]
    json.dump({"base": base, "ids": ids, "sessions": sessions}, open(os.path.join(out, "scene.json"), "w"), indent=1)


def _s(sess):
    return {"cookie": sess["cookie"], "csrf": sess["csrf"]}


def api_targets(ids):
    """(method, path with * markers, content type, body) for every API operation."""
    c, s, t, g, p = ids["7A"], ids["student1"], ids["teacher1"], ids["guardian1"], ids["photo"]
    v = ids["victim"]
    J = "application/json"
    return [
        ("GET", "/api/v1/admin/jobs?status=dead&limit=10", None, None),
        ("POST", "/api/v1/admin/jobs/1*/retry", None, None),
        ("GET", "/api/v1/admin/mail?status=dead&limit=10", None, None),
        ("POST", "/api/v1/admin/mail/1*/retry", None, None),
        ("GET", "/api/v1/audit?action=login&actor=admin&limit=10&offset=0", None, None),
        ("GET", "/api/v1/notices?sent=1&limit=10", None, None),
        ("POST", "/api/v1/notices", J, {"title": "T", "body": "B", "publish_at": "2026-12-01",
                                        "targets": [{"class_id": c, "role": "student"}]}),
        ("GET", f"/api/v1/notices/{ids['notice']}*", None, None),
        ("POST", f"/api/v1/notices/{ids['notice']}*/read", None, None),
        ("GET", f"/api/v1/notices/{ids['notice']}*/receipts", None, None),
        ("GET", "/api/v1/messages?limit=10", None, None),
        ("GET", f"/api/v1/students/{s}*/messages?limit=10", None, None),
        ("POST", f"/api/v1/students/{s}*/messages", J, {"body": "Hello"}),
        ("GET", "/api/v1/classes", None, None),
        ("POST", "/api/v1/classes", J, {"name": "8A", "year": 2026}),
        ("GET", f"/api/v1/classes/{c}*", None, None),
        ("GET", f"/api/v1/classes/{c}*/roster.csv", None, None),
        ("POST", f"/api/v1/classes/{c}*/students", J, {"student_id": s}),
        ("DELETE", f"/api/v1/classes/{c}*/students/{v}*", None, None),
        ("POST", f"/api/v1/classes/{c}*/teachers", J, {"teacher_id": t, "subject": "Art"}),
        ("DELETE", f"/api/v1/classes/{c}*/teachers/{ids['teacher2']}*", None, None),
        ("GET", "/api/v1/attendance/codes", None, None),
        ("POST", "/api/v1/attendance/codes", J, {"code": "M", "label": "Medical", "kind": "excused"}),
        ("PUT", "/api/v1/attendance/codes/L*", J, {"label": "Late", "kind": "late", "active": True}),
        ("GET", "/api/v1/attendance/today", None, None),
        ("GET", f"/api/v1/classes/{c}*/attendance?period_id=0", None, None),
        ("PUT", f"/api/v1/classes/{c}*/attendance", J, {"period_id": 0, "marks": [{"student_id": s, "code": "A", "note": "bus"}]}),
        ("GET", f"/api/v1/classes/{c}*/attendance/report?from=2025-01-01&to=2025-12-31", None, None),
        ("GET", f"/api/v1/classes/{c}*/attendance/report.csv?from=2025-01-01", None, None),
        ("GET", f"/api/v1/students/{s}*/attendance?from=2025-01-01&to=2025-12-31", None, None),
        ("GET", f"/api/v1/students/{s}*/attendance.csv?to=2025-12-31", None, None),
        ("GET", f"/api/v1/classes/{c}*/timetable?date=2026-11-30", None, None),
        ("GET", f"/api/v1/students/{s}*/timetable?weekday=1", None, None),
        ("GET", f"/api/v1/teachers/{t}*/timetable", None, None),
        ("GET", "/api/v1/timetable/periods", None, None),
        ("POST", "/api/v1/timetable/periods", J, {"name": "P1", "starts_at": "08:30", "ends_at": "09:20"}),
        ("DELETE", "/api/v1/timetable/periods/999999*", None, None),
        ("GET", "/api/v1/timetable/rooms", None, None),
        ("POST", "/api/v1/timetable/rooms", J, {"name": "Lab"}),
        ("DELETE", "/api/v1/timetable/rooms/999999*", None, None),
        ("POST", "/api/v1/timetable/slots", J, {"class_id": c, "weekday": 1, "period_id": 1, "teacher_id": t, "subject_id": 1, "room_id": 1}),
        ("DELETE", "/api/v1/timetable/slots/999999*", None, None),
        ("GET", "/api/v1/export/students.csv", None, None),
        ("POST", "/api/v1/guardians", J, {"guardian_id": g, "student_id": s}),
        ("DELETE", f"/api/v1/guardians/{ids['guardian2']}*/students/{ids['student2']}*", None, None),
        # `*` marks each CSV cell for sqlmap (it cannot split a CSV body into parameters itself).
        ("POST", "/api/v1/import/students*", "text/csv", "username,full_name,class_name,year,guardian_username\nnew.kid*,New Kid*,7A*,2025*,\n"),
        ("GET", "/api/v1/me", None, None),
        ("GET", "/api/v1/me/children", None, None),
        ("POST", "/api/v1/me/photo", "multipart", {"quote": "hello"}),
        ("GET", "/api/v1/me/photo", None, None),
        # a wrong current password: the change is refused, but every field is still parsed and checked
        ("POST", "/api/v1/me/password", J, {"current_password": "not the password", "new_password": "another long password 1"}),
        ("GET", "/api/v1/openapi.json", None, None),
        ("GET", f"/api/v1/photos/{p}*", None, None),
        ("POST", f"/api/v1/photos/{p}*/approve", None, None),
        ("POST", f"/api/v1/photos/{p}*/reject", J, {"reason": "blurry"}),
        ("GET", f"/api/v1/photos/{p}*/thumb*", None, None),
        ("DELETE", f"/api/v1/photos/{ids['erasable_photo']}*", None, None),
        ("GET", f"/api/v1/students/{s}*/consent", None, None),
        ("PUT", f"/api/v1/students/{s}*/consent", J, {"consent": "yearbook"}),
        ("GET", "/api/v1/users?role=student&limit=10&offset=0", None, None),
        ("POST", "/api/v1/users", J, {"username": "new.user", "password": PASSWORD, "role": "student", "full_name": "N U"}),
        ("GET", f"/api/v1/users/{s}*", None, None),
        ("PATCH", f"/api/v1/users/{v}*", J, {"active": True}),
        ("POST", f"/api/v1/users/{v}*/password", J, {"password": PASSWORD}),
        ("DELETE", f"/api/v1/users/{ids['erasable']}*", None, None),
        ("GET", f"/api/v1/yearbook/{c}*", None, None),
        # results (#11): publication (admin) and the stored report cards (students, guardians)
        ("GET", "/api/v1/publications", None, None),
        ("POST", "/api/v1/publications", J, {"term_id": ids["term"], "title": "Scan", "visible_at": "2030-01-01T09:00:00Z"}),
        ("GET", "/api/v1/publications/1*", None, None),
        ("POST", "/api/v1/publications/999999*/withdraw", None, None),
        ("GET", "/api/v1/results", None, None),
        ("GET", f"/api/v1/results/1*/students/{s}*", None, None),
        ("GET", f"/api/v1/yearbook/{c}*/state", None, None),
        ("GET", "/api/v1/me/photo/status", None, None),
        ("GET", "/healthz", None, None),
        ("GET", "/readyz", None, None),
        ("GET", "/metrics", None, None),
    ]


def form_targets(ids):
    """Every HTML form (and page with query parameters); the _csrf field is sent, not attacked."""
    c, v, p = ids["7A"], ids["victim"], ids["photo"]
    F = "application/x-www-form-urlencoded"
    return [
        ("GET", "/admin/users?role=student&page=1", None, None),
        ("POST", "/admin/users", F, {"username": "form.user", "full_name": "Form User", "role": "student"}),
        ("POST", f"/admin/users/{v}*/activate", F, {}),
        ("POST", f"/admin/users/{v}*/reset-password", F, {}),
        ("POST", f"/admin/users/{v}*/deactivate", F, {}),
        ("GET", "/admin/audit?action=login&actor=admin&page=1", None, None),
        ("GET", "/admin/jobs?status=dead", None, None),
        ("GET", "/admin/mail?status=dead", None, None),
        ("POST", "/admin/mail/1*/retry", F, {}),
        ("GET", "/notices", None, None),
        ("POST", "/notices", F, {"title": "T", "body": "B", "class_id": str(c), "role": "student", "publish_at": "2026-12-01"}),
        ("GET", f"/notices/{ids['notice']}*", None, None),
        ("GET", "/messages", None, None),
        ("GET", f"/messages/{ids['student1']}*", None, None),
        ("POST", f"/messages/{ids['student1']}*", F, {"body": "Hello"}),
        ("POST", "/admin/jobs/1*/retry", F, {}),
        ("GET", "/classes?flash=hi", None, None),
        ("POST", "/classes", F, {"name": "9Z", "year": "2026"}),
        ("POST", "/classes/import", F, {"csv": "username,full_name,class_name,year,guardian_username\nform.kid,Form Kid,7A,2025,\n"}),
        ("GET", f"/classes/{c}*", None, None),
        ("POST", f"/classes/{c}*/students", F, {"username": "student2"}),
        ("POST", f"/classes/{c}*/students/{ids['student2']}*/remove", F, {}),
        ("POST", f"/classes/{c}*/teachers", F, {"username": "teacher2", "subject": "Art"}),
        ("POST", f"/classes/{c}*/teachers/{ids['teacher2']}*/remove", F, {}),
        ("GET", f"/consent?class_id={c}", None, None),
        ("POST", f"/consent/{ids['student1']}*", F, {"consent": "yearbook", "class_id": str(c)}),
        ("GET", "/attendance", None, None),
        ("GET", f"/attendance/classes/{c}*?period_id=0", None, None),
        ("POST", f"/attendance/classes/{c}*", F, {"period_id": "0", f"s_{ids['student1']}": "A", f"n_{ids['student1']}": "bus"}),
        ("GET", f"/attendance/classes/{c}*/report?from=2025-01-01&to=2025-12-31", None, None),
        ("GET", f"/attendance/students/{ids['student1']}*?from=2025-01-01", None, None),
        ("GET", "/attendance/codes", None, None),
        ("GET", "/results", None, None),
        ("GET", f"/results/1*/students/{ids['student1']}*", None, None),
        ("GET", "/admin/results", None, None),
        ("POST", "/admin/results", F, {"title": "Scan", "term_id": str(ids["term"]), "class_id": "", "visible_at": "2030-01-01T09:00"}),
        ("POST", "/admin/results/999999*/withdraw", F, {}),
        ("POST", "/attendance/codes", F, {"code": "N", "label": "New", "kind": "late", "active": "1"}),
        ("GET", "/timetable?date=2026-11-30", None, None),
        ("GET", f"/timetable/classes/{c}*?weekday=1", None, None),
        ("GET", f"/timetable/students/{ids['student1']}*", None, None),
        ("POST", "/timetable/periods", F, {"name": "F1", "starts_at": "13:00", "ends_at": "13:40"}),
        ("POST", "/timetable/rooms", F, {"name": "Form room"}),
        ("POST", "/timetable/slots", F, {"class_id": str(c), "weekday": "2", "period_id": "1", "teacher": "teacher1", "subject_id": "", "room_id": ""}),
        ("POST", "/timetable/slots/999999*/delete", F, {}),
        ("GET", "/moderation", None, None),
        ("GET", f"/moderation/classes/{c}*", None, None),
        ("POST", "/moderation/approve", F, {"photo": str(p)}),
        ("POST", f"/moderation/{p}*/approve", F, {}),
        ("POST", f"/moderation/{p}*/reject", F, {"reason": "blurry"}),
        ("POST", "/me/photo", "multipart", {"quote": "hello"}),
        ("POST", "/account/password", F, {"current_password": "not the password", "new_password": "another long password 1"}),
        ("GET", f"/yearbook/{c}*", None, None),
        ("GET", f"/yearbook/{c}*/print", None, None),
        ("GET", f"/yearbook/{c}*.pdf?paper=a4&rows=4&columns=3", None, None),
    ]


def core_targets(ids):
    """The school-core routes (years, terms, subjects, assignments, people, import): the admin's
    run of these is a run of its own, in the other lane (see security_sqlmap.sh)."""
    c, s = ids["7A"], ids["student1"]
    y, y2, subj = ids["year"], ids["year2"], ids["subject"]
    J = "application/json"
    F = "application/x-www-form-urlencoded"
    return [
        ("POST", "/api/v1/import/students?dry_run=1", "text/csv", "admission_no,username,full_name,guardian_username,guardian_email\nA9*,scan.kid*,Scan Kid*,scan.mum*,mum@example.org*\n"),
        ("GET", "/api/v1/import", None, None),
        ("GET", "/api/v1/years", None, None),
        ("POST", "/api/v1/years", J, {"year": 2031, "name": "2031/32", "start_date": "2031-09-01", "end_date": "2032-07-01"}),
        ("GET", "/api/v1/calendar", None, None),
        ("GET", f"/api/v1/years/{y}*", None, None),
        ("PUT", f"/api/v1/years/{y2}*", J, {"name": "2026/27", "start_date": "2026-09-01", "end_date": "2027-07-15"}),
        ("DELETE", f"/api/v1/years/{y}*", None, None),
        ("POST", f"/api/v1/years/{y}*/current", None, None),
        ("POST", f"/api/v1/years/{y2}*/terms", J, {"name": "Spring", "start_date": "2027-01-05", "end_date": "2027-03-31"}),
        ("GET", f"/api/v1/terms/{ids['term']}*", None, None),
        ("PUT", f"/api/v1/terms/{ids['term']}*", J, {"name": "Autumn", "start_date": "2025-01-01", "end_date": "2025-06-30"}),
        ("DELETE", f"/api/v1/terms/{ids['term2']}*", None, None),
        ("POST", f"/api/v1/classes/{c}*/rollover", J, {"to_name": "8A", "graduate": False}),
        ("GET", "/api/v1/subjects?q=Ma&limit=10&offset=0", None, None),
        ("POST", "/api/v1/subjects", J, {"name": "Scan studies", "code": "SCAN"}),
        ("GET", f"/api/v1/subjects/{subj}*", None, None),
        ("PUT", f"/api/v1/subjects/{subj}*", J, {"name": "Maths", "code": "MATH"}),
        ("DELETE", f"/api/v1/subjects/{subj}*", None, None),
        ("GET", f"/api/v1/classes/{c}*/assignments", None, None),
        ("POST", f"/api/v1/classes/{c}*/assignments", J, {"subject_id": subj, "teacher_id": ids["teacher2"]}),
        ("DELETE", f"/api/v1/classes/{c}*/assignments/{ids['assignment']}*", None, None),
        ("GET", f"/api/v1/classes/{c}*/students?q=stu&status=active&active=true&limit=10&offset=0", None, None),
        ("GET", "/api/v1/people?q=stu&role=student&status=active&active=true&sort=username&limit=10&offset=0", None, None),
        ("GET", f"/api/v1/people/{s}*", None, None),
        ("PATCH", f"/api/v1/people/{s}*", J, {"phone": "+44 20 7946 0000", "email": "s1@example.org", "preferred_language": "en",
                                              "admission_no": "S-1", "date_of_birth": "2013-04-05", "status": "active"}),
        ("GET", "/api/v1/me/profile", None, None),
        ("PATCH", "/api/v1/me/profile", J, {"email": "me@example.org", "preferred_language": "fr", "email_opt_out": False}),
        ("GET", "/api/v1/setup/checklist", None, None),
        ("GET", f"/classes?q=7&year_id={ids['year']}&page=0", None, None),
        ("GET", f"/classes/{c}*?q=stu&status=active&page=0", None, None),
        ("GET", "/admin/users?q=stu&role=student&status=active&page=0", None, None),
        ("GET", "/years", None, None),
        ("POST", "/years", F, {"year": "2032", "name": "2032/33", "start_date": "2032-09-01", "end_date": "2033-07-01"}),
        ("GET", f"/years/{ids['year']}*", None, None),
        ("POST", f"/years/{ids['year2']}*", F, {"name": "2026/27", "start_date": "2026-09-01", "end_date": "2027-07-15"}),
        ("POST", f"/years/{ids['year']}*/current", F, {}),
        ("POST", f"/years/{ids['year']}*/delete", F, {}),
        ("POST", f"/years/{ids['year2']}*/terms", F, {"name": "Summer", "start_date": "2027-04-10", "end_date": "2027-07-10"}),
        ("POST", f"/terms/{ids['term']}*", F, {"name": "Autumn", "start_date": "2025-01-01", "end_date": "2025-06-30"}),
        ("POST", f"/terms/{ids['term2']}*/delete", F, {}),
        ("POST", f"/classes/{c}*/rollover", F, {"to_name": "8B", "graduate": "0"}),
        ("GET", "/subjects?q=Ma&page=0", None, None),
        ("POST", "/subjects", F, {"name": "Form studies", "code": "FORM"}),
        ("GET", f"/subjects/{ids['subject']}*", None, None),
        ("POST", f"/subjects/{ids['subject']}*", F, {"name": "Maths", "code": "MATH"}),
        ("POST", f"/subjects/{ids['subject']}*/delete", F, {}),
        ("POST", f"/classes/{c}*/assignments", F, {"username": "teacher2", "subject_id": str(ids["subject"])}),
        ("POST", f"/classes/{c}*/assignments/{ids['assignment']}*/remove", F, {}),
        ("GET", f"/people/{ids['student1']}*", None, None),
        ("POST", f"/people/{ids['student1']}*", F, {"phone": "+44 20 7946 0000", "email": "s1@example.org", "preferred_language": "en", "email_prefs": "1"}),
        ("GET", "/me/profile", None, None),
        ("GET", "/import?kind=students", None, None),
        ("POST", "/import/classes", "multipart", {"step": "dry_run", "csv": "class_name,year\n9Q,2025\n"}),
    ] + marks_targets(ids)


def marks_targets(ids):
    """Grade scales, assessments, marks, report comments (admin lane, with core_targets)."""
    c, s, subj, term, a = ids["7A"], ids["student1"], ids["subject"], ids["term"], ids["assessment"]
    J = "application/json"
    F = "application/x-www-form-urlencoded"
    bands = [{"min_percent": "80", "label": "A", "descriptor": "Excellent"}, {"min_percent": "0", "label": "U"}]
    return [
        ("GET", "/api/v1/grade-scales", None, None),
        ("POST", "/api/v1/grade-scales", J, {"name": "Scan scale", "bands": bands}),
        ("PUT", f"/api/v1/grade-scales/{ids['scale']}*", J, {"name": "Letters A–U", "default": True, "bands": bands}),
        ("GET", f"/api/v1/assessments?class_id={c}&term_id={term}&subject_id={subj}", None, None),
        ("POST", "/api/v1/assessments", J, {"term_id": term, "class_id": c, "subject_id": subj, "name": "Scan quiz",
                                             "held_on": "2025-03-01", "max": "20", "weight": 100, "show_rank": True}),
        ("GET", f"/api/v1/assessments/{a}*", None, None),
        ("PUT", f"/api/v1/assessments/{a}*", J, {"name": "Scan test", "held_on": "2025-03-02", "max": "20", "weight": 100}),
        ("PUT", f"/api/v1/assessments/{a}*/marks", J, {"marks": [{"student_id": s, "mark": "7.5"}]}),
        ("POST", f"/api/v1/assessments/{a}*/marks/import?dry_run=1", "text/csv", "username,mark\nstudent1*,7*\n"),
        ("GET", f"/api/v1/report-comments?term_id={term}&class_id={c}&subject_id={subj}", None, None),
        ("PUT", "/api/v1/report-comments", J, {"term_id": term, "student_id": s, "subject_id": subj, "comment": "Good work"}),
        ("POST", f"/api/v1/assessments/{a}*/finalise", None, None),
        ("POST", f"/api/v1/assessments/{a}*/reopen", None, None),
        ("GET", "/marks", None, None),
        ("POST", "/marks", F, {"class_subject": f"{c}:{subj}", "term_id": str(term), "name": "Form quiz", "max": "10", "weight": "100"}),
        ("GET", f"/marks/comments?class_id={c}&term_id={term}", None, None),
        ("POST", "/marks/comments", F, {"class_id": str(c), "term_id": str(term), f"c_{s}": "A good term"}),
        ("GET", f"/marks/{a}*", None, None),
        ("POST", f"/marks/{a}*/import", F, {"csv": "username,mark\nstudent1,7\n", "dry_run": "1"}),
        ("POST", f"/marks/{a}*/finalise", F, {}),
        ("POST", f"/marks/{a}*/reopen", F, {}),
    ]


def login_targets():
    """Valid credentials (of an account no other scan uses), so the original request succeeds and
    a payload that changed the query's meaning would show as a different answer."""
    F = "application/x-www-form-urlencoded"
    return [
        ("POST", "/api/v1/session", "application/json", {"username": "guardian2", "password": PASSWORD}),
        ("POST", "/login", F, {"username": "guardian2", "password": PASSWORD}),
        # Open to anyone. Requests past 10 an hour from one address get 429, so sqlmap's later
        # payloads meet the rate limit rather than the lookup.
        ("POST", "/api/v1/password-reset", "application/json", {"login": "guardian2"}),
        ("POST", "/api/v1/password-reset/confirm", "application/json", {"token": "abc", "new_password": "another long password 1"}),
        ("POST", "/password-reset", F, {"login": "guardian2"}),
        ("POST", "/password-reset/confirm", F, {"token": "abc", "new_password": "another long password 1"}),
        ("GET", "/password-reset/confirm?token=abc", None, None),
    ]


def check_api_coverage(base, targets):
    """Every operation in the served OpenAPI file has a target (path params compared as {x})."""
    import re
    spec = json.loads(call(base, "GET", "/api/v1/openapi.json")[2])
    have = set()
    for m, path, _, _ in targets:
        # A segment marked `*` (or a bare id, a variant, a code) is a path parameter.
        segs = path.split("?")[0].split("/")
        have.add((m, "/".join("{}" if s.endswith("*") or s.isdigit() or s.replace("*", "") in ("thumb", "L") else s
                              for s in segs)))
    missing = []
    for path, ops in spec["paths"].items():
        for m in ops:
            if m.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue
            # Event streams never end, which sqlmap cannot judge; their parameters go through the same
            # parsing and service call as their polling twins (/state, /status), which are scanned.
            if path.startswith("/api/v1/events/"):
                continue
            if (m.upper(), re.sub(r"\{[^}]+\}", "{}", path)) not in have and path not in ("/api/v1/session",):
                missing.append(f"{m.upper()} {path}")
    if missing:
        raise SystemExit("no sqlmap target for: " + ", ".join(missing))


def build(method, ctype, body, sess, form_csrf):
    """Headers and body of one target request, as a logged-in browser or API client sends it."""
    headers = [("User-Agent", "sqlmap-scan"), ("Accept", "*/*")]
    data = ""
    if sess:
        headers += [("Cookie", sess["cookie"]), ("X-CSRF-Token", sess["csrf"])]
    if ctype == "application/json":
        data = json.dumps(body)
    elif ctype == "text/csv":
        data = body
    elif ctype == "application/x-www-form-urlencoded":
        fields = dict(body)
        if sess and form_csrf:
            fields["_csrf"] = sess["csrf"]
        data = urllib.parse.urlencode(fields)
    elif ctype == "multipart":
        b = "----scan" + uuid.uuid4().hex[:16]
        ctype = "multipart/form-data; boundary=" + b
        # A real JPEG would be stored and count against the upload quota on every payload; an
        # empty photo part is refused (422) after parsing, so sqlmap still reaches every field.
        data = "".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in body.items())
        data += f'--{b}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\r\n--{b}--\r\n'
    if data:
        headers.append(("Content-Type", ctype))
    return headers, data


def raw_request(host, method, path, ctype, body, sess, form_csrf, extra=()):
    """One request in the Burp proxy-log format sqlmap reads with -l."""
    headers, data = build(method, ctype, body, sess, form_csrf)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"] + [f"{k}: {v}" for k, v in list(headers) + list(extra)]
    if data:
        lines.append(f"Content-Length: {len(data.encode())}")
    sep = "=" * 54
    return f"{sep}\n10:00:00 AM  http://{host}  [127.0.0.1]\n{sep}\n" + "\r\n".join(lines) + "\r\n\r\n" + data + f"\n{sep}\n\n\n"


def reaches_handler(base, method, path, ctype, body, sess):
    """True when the role's real request gets past authentication and authorisation."""
    headers, data = build(method, ctype, body, sess, True)
    req = urllib.request.Request(base + path.replace("*", ""), data=data.encode() or None, method=method)
    for k, v in headers:
        req.add_header(k, v)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    try:
        r = urllib.request.build_opener(NoRedirect).open(req, timeout=30)
        status, loc = r.status, r.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        status, loc = e.code, e.headers.get("Location", "") or ""
    return status not in (401, 403) and not loc.startswith("/login")


def sqlmap_logs(out):
    scene = json.load(open(os.path.join(out, "scene.json")))
    base, ids, sessions = scene["base"], scene["ids"], scene["sessions"]
    host = base.split("//", 1)[1]
    apis, forms, core = api_targets(ids), form_targets(ids), core_targets(ids)
    check_api_coverage(base, apis + core + [(m, p, None, None) for m, p, _, _ in login_targets()])
    # One run per role: sqlmap keeps one request per URL and parameter names, so the same route
    # for two roles in one run would be tested once. A role's run holds the routes that role gets
    # past authorisation on (probed here with the real values): where it is refused (401/403, or
    # a page sending it to log in) the request stops at the permission check, which only sees ids
    # the router has already parsed as integers. The admin, allowed nearly everywhere, gets every
    # route, so every parameter of every route is attacked at least once.
    logs = {"login": [], "admin-core": []}
    for role in ROLES:
        sess = sessions[role]
        logs[role] = []
        for m, p, ct, body in apis + forms + core:
            if role != "admin" and not reaches_handler(base, m, p, ct, body, sess):
                continue
            lane = "admin-core" if role == "admin" and (m, p, ct, body) in core else role
            logs[lane].append(raw_request(host, m, p, ct, body, sess, True))
        # Session cookie, User-Agent, Referer and the forwarded/request-id headers, once per role.
        # `*` marks each header value sqlmap should attack; the query parameter only keeps the four
        # roles' requests apart (sqlmap merges requests with the same URL and parameter names).
        marked = dict(sess, cookie=sess["cookie"] + "*")
        r = raw_request(host, "GET", f"/api/v1/me?as_{role}=1", None, None, marked, False, extra=[
            ("Referer", f"http://{host}/*"), ("X-Request-Id", f"scan{role}*"), ("X-Forwarded-For", "192.0.2.7*")])
        # One run per role here too: sqlmap skips a header it has already tested on this host.
        logs[f"headers-{role}"] = [r.replace("User-Agent: sqlmap-scan", "User-Agent: Mozilla/5.0*")]
    for m, p, ct, body in login_targets():
        logs["login"].append(raw_request(host, m, p, ct, body, None, False))
    for k, v in logs.items():
        open(os.path.join(out, f"sqlmap-{k}.log"), "w").write("".join(v))
        print(f"sqlmap-{k}.log: {len(v)} requests")


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "sqlmap":
        sqlmap_logs(sys.argv[2])
    else:
        raise SystemExit(__doc__)
