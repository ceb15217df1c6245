#!/usr/bin/env python3
"""Writes the school-core operations (years, terms, subjects, assignments, people, checklist,
import) into docs/openapi-school-core.json and merges them into static/openapi.json.
Run after changing a route in src/api/school_core_api.cpp; tests/api/openapi_test.cpp checks that
every documented operation is routed."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
ERR = {"$ref": "#/components/schemas/Error"}


def err(desc):
    return {"description": desc, "content": {"application/json": {"schema": ERR}}}


def ok(desc, schema=None):
    r = {"description": desc}
    if schema is not None:
        r["content"] = {"application/json": {"schema": schema}}
    return r


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


CSRF = {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"},
        "description": "the csrf_token from POST /api/v1/session"}


def pid(name="id"):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def q(name, desc, schema=None):
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}, "description": desc}


PAGE = [q("limit", "page size (default 50, at most 200)", {"type": "integer", "minimum": 1, "maximum": 200}),
        q("offset", "items to skip", {"type": "integer", "minimum": 0})]


def op(summary, tag, responses, params=(), body=None, unsafe=False, desc=None):
    o = {"summary": summary, "tags": [tag]}
    if desc:
        o["description"] = desc
    ps = list(params)
    if unsafe:
        ps.append(CSRF)
    if ps:
        o["parameters"] = ps
    if body is not None:
        o["requestBody"] = {"required": True, "content": body}
    r = {"401": err("not logged in"), "403": err("not allowed (audited as access.denied)")}
    r.update(responses)
    o["responses"] = r
    return o


def js(schema):
    return {"application/json": {"schema": schema}}


def obj(props, required=()):
    return {"type": "object", "required": list(required), "properties": props}


DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
STR = {"type": "string"}
INT = {"type": "integer"}

schemas = {
    "AcademicYear": obj({"id": INT, "year": {"type": "integer", "minimum": 1, "maximum": 9999,
                                             "description": "calendar year it starts in (classes.year)"},
                         "name": STR, "start_date": DATE, "end_date": DATE, "current": {"type": "boolean"}},
                        ["id", "year", "name", "start_date", "end_date", "current"]),
    "Term": obj({"id": INT, "academic_year_id": INT, "name": STR, "start_date": DATE, "end_date": DATE},
                ["id", "academic_year_id", "name", "start_date", "end_date"]),
    "Subject": obj({"id": INT, "name": {"type": "string", "maxLength": 100},
                    "code": {"type": "string", "maxLength": 20}}, ["id", "name", "code"]),
    "Assignment": obj({"id": INT, "class_id": INT, "class_name": STR, "year": INT,
                       "subject_id": {"type": "integer", "nullable": True,
                                      "description": "null: the class's own teacher"},
                       "subject": STR, "teacher_id": INT, "teacher_username": STR, "teacher_full_name": STR},
                      ["id", "class_id", "teacher_id"]),
    "Person": obj({"id": INT, "username": STR, "role": STR, "full_name": STR, "active": {"type": "boolean"},
                   "status": {"type": "string", "enum": ["active", "left", "graduated"]},
                   "admission_no": {"type": "string", "nullable": True},
                   "date_of_birth": dict(DATE, nullable=True),
                   "email": {"type": "string", "nullable": True}, "phone": {"type": "string", "nullable": True},
                   "preferred_language": {"type": "string", "nullable": True},
                   "email_opt_out": {"type": "boolean"}},
                  ["id", "full_name", "role"]),
    "PersonUpdate": obj({"full_name": STR, "admission_no": {"type": "string", "nullable": True},
                         "date_of_birth": {"type": "string", "nullable": True},
                         "status": {"type": "string", "enum": ["active", "left", "graduated"]},
                         "email": {"type": "string", "nullable": True}, "phone": {"type": "string", "nullable": True},
                         "preferred_language": {"type": "string", "nullable": True},
                         "email_opt_out": {"type": "boolean"}}),
    "ImportReport": obj({"kind": STR, "dry_run": {"type": "boolean"}, "committed": {"type": "boolean"},
                         "counts": obj({"created": INT, "updated": INT, "unchanged": INT, "error": INT}),
                         "rows": {"type": "array", "items": obj({"line": INT, "key": STR,
                                                                 "outcome": {"type": "string", "enum": ["created", "updated", "unchanged", "error"]},
                                                                 "message": STR})},
                         "accounts": {"type": "array", "items": obj({"id": INT, "username": STR, "role": STR, "password": STR})},
                         "totals": {"type": "object", "additionalProperties": INT},
                         "error": obj({"code": STR, "message": STR})},
                        ["kind", "dry_run", "committed", "counts", "rows"]),
}

YEAR_IN = js(obj({"year": {"type": "integer", "minimum": 1, "maximum": 9999}, "name": STR,
                  "start_date": DATE, "end_date": DATE}, ["year", "start_date", "end_date"]))
YEAR_UPD = js(obj({"name": STR, "start_date": DATE, "end_date": DATE}, ["start_date", "end_date"]))
TERM_IN = js(obj({"name": STR, "start_date": DATE, "end_date": DATE}, ["name", "start_date", "end_date"]))
SUBJ_IN = js(obj({"name": STR, "code": STR}, ["name"]))
E404 = err("not found")
E409 = err("conflict (code says which)")
E422 = err("invalid field (code says which)")


def paged(key, item):
    return obj({key: {"type": "array", "items": ref(item)}, "total": INT, "limit": INT, "offset": INT})


PEOPLE_FILTERS = [q("q", "substring of name, username, admission number or email"),
                  q("status", "active | left | graduated"), q("active", "true | false")]

paths = {
    "/api/v1/years": {
        "get": op("Academic years, newest first (everyone logged in)", "calendar",
                  {"200": ok("OK", obj({"years": {"type": "array", "items": ref("AcademicYear")}}))}),
        "post": op("Create an academic year (admin); the first one becomes current", "calendar",
                   {"201": ok("created", ref("AcademicYear")), "409": E409, "422": E422}, body=YEAR_IN, unsafe=True),
    },
    "/api/v1/calendar": {
        "get": op("Today, the current year and the current year's term containing today", "calendar",
                  {"200": ok("OK", obj({"today": DATE, "year": dict(ref("AcademicYear")),
                                        "term": dict(ref("Term"))}))}),
    },
    "/api/v1/years/{id}": {
        "get": op("A year with its terms (and, for admins, its classes)", "calendar",
                  {"200": ok("OK", ref("AcademicYear")), "404": E404}, [pid()]),
        "put": op("Rename a year or change its dates (admin); terms must stay inside", "calendar",
                  {"200": ok("OK", ref("AcademicYear")), "404": E404, "409": E409, "422": E422}, [pid()],
                  YEAR_UPD, True),
        "delete": op("Delete a year without classes (admin); never the current one while others exist", "calendar",
                     {"204": ok("deleted"), "404": E404, "409": err("year_in_use, year_is_current")}, [pid()],
                     unsafe=True),
    },
    "/api/v1/years/{id}/current": {
        "post": op("Make this the one current year (admin)", "calendar",
                   {"200": ok("OK", ref("AcademicYear")), "404": E404}, [pid()], unsafe=True),
    },
    "/api/v1/years/{id}/terms": {
        "post": op("Add a term inside the year (admin)", "calendar",
                   {"201": ok("created", ref("Term")), "404": E404,
                    "409": err("term_exists, term_overlap"), "422": err("term_outside_year, invalid_date, ...")},
                   [pid()], TERM_IN, True),
    },
    "/api/v1/terms/{id}": {
        "get": op("A term", "calendar", {"200": ok("OK", ref("Term")), "404": E404}, [pid()]),
        "put": op("Change a term (admin)", "calendar",
                  {"200": ok("OK", ref("Term")), "404": E404, "409": E409, "422": E422}, [pid()], TERM_IN, True),
        "delete": op("Delete a term (admin)", "calendar", {"204": ok("deleted"), "404": E404}, [pid()], unsafe=True),
    },
    "/api/v1/classes/{id}/rollover": {
        "post": op("Year-end rollover (admin): enrol the class's active students in a class of the next year, "
                   "or graduate them; the old class keeps its list", "calendar",
                   {"200": ok("OK", obj({"from": ref("SchoolClass"), "to": ref("SchoolClass"), "promoted": INT,
                                         "already": INT, "graduated": INT, "skipped": INT})),
                    "404": E404, "422": err("no_next_year, invalid_name")},
                   [pid()], js(obj({"to_name": STR, "graduate": {"type": "boolean"}})), True),
    },
    "/api/v1/subjects": {
        "get": op("Subjects (everyone logged in), searchable and paged", "school",
                  {"200": ok("OK", paged("subjects", "Subject"))}, [q("q", "substring of name or code")] + PAGE),
        "post": op("Create a subject (admin)", "school",
                   {"201": ok("created", ref("Subject")), "409": err("subject_exists"), "422": E422},
                   body=SUBJ_IN, unsafe=True),
    },
    "/api/v1/subjects/{id}": {
        "get": op("A subject (with who teaches it where, for admins)", "school",
                  {"200": ok("OK", ref("Subject")), "404": E404}, [pid()]),
        "put": op("Rename a subject or change its code (admin)", "school",
                  {"200": ok("OK", ref("Subject")), "404": E404, "409": E409, "422": E422}, [pid()], SUBJ_IN, True),
        "delete": op("Delete a subject nobody teaches (admin)", "school",
                     {"204": ok("deleted"), "404": E404, "409": err("subject_in_use")}, [pid()], unsafe=True),
    },
    "/api/v1/classes/{id}/assignments": {
        "get": op("Who teaches what in the class (classes.view on the class)", "school",
                  {"200": ok("OK", obj({"assignments": {"type": "array", "items": ref("Assignment")}})),
                   "404": E404}, [pid()]),
        "post": op("Assign a teacher to the class for a subject (admin); subject_id null = the class's own teacher",
                   "school",
                   {"201": ok("created", ref("Assignment")), "404": E404, "409": err("already_assigned"),
                    "422": err("not_a_teacher")},
                   [pid()], js(obj({"teacher_id": INT, "subject_id": {"type": "integer", "nullable": True}},
                                   ["teacher_id"])), True),
    },
    "/api/v1/classes/{id}/assignments/{assignment_id}": {
        "delete": op("Remove a teaching assignment of this class (admin)", "school",
                     {"204": ok("removed"), "404": err("no_such_assignment (also one of another class)")},
                     [pid(), pid("assignment_id")], unsafe=True),
    },
    "/api/v1/people": {
        "get": op("Every account with its people fields (admin), searchable, filtered and paged", "people",
                  {"200": ok("OK", paged("people", "Person")), "422": E422},
                  PEOPLE_FILTERS + [q("role", "admin | teacher | student | guardian"),
                                    q("sort", "name (default) | username")] + PAGE),
    },
    "/api/v1/people/{id}": {
        "get": op("A person: admin all; oneself; a teacher their students and those students' guardians; "
                  "a guardian their children", "people",
                  {"200": ok("OK", ref("Person")), "404": E404}, [pid()]),
        "patch": op("Change people fields: admin every field; oneself the contact fields (email, phone, "
                    "preferred_language, email_opt_out). All or nothing.", "people",
                    {"200": ok("OK", ref("Person")), "404": E404, "409": err("admission_no_taken"),
                     "422": err("invalid_email, invalid_phone, invalid_language, invalid_date, invalid_status, "
                                "invalid_admission_no, not_a_student")},
                    [pid()], js(ref("PersonUpdate")), True),
    },
    "/api/v1/me/profile": {
        "get": op("One's own people fields", "people", {"200": ok("OK", ref("Person"))}),
        "patch": op("Change one's own contact fields", "people", {"200": ok("OK", ref("Person")), "422": E422},
                    body=js(ref("PersonUpdate")), unsafe=True),
    },
    "/api/v1/setup/checklist": {
        "get": op("What is missing before teachers can work (admin), each item with the page that fixes it",
                  "school",
                  {"200": ok("OK", obj({"done": {"type": "boolean"},
                                        "items": {"type": "array", "items": obj({"check": STR, "message": STR,
                                                                                 "fix_url": STR})}}))}),
    },
    "/api/v1/import": {
        "get": op("The import kinds the caller may run, with their columns", "school",
                  {"200": ok("OK", obj({"kinds": {"type": "array", "items": obj(
                      {"kind": STR, "title": STR, "columns": {"type": "array", "items": obj({"name": STR, "help": STR})},
                       "required": {"type": "array", "items": STR}, "one_of": {"type": "array", "items": STR}})}}))}),
    },
    "/api/v1/import/{kind}": {
        "post": op("CSV import (students, staff, classes, enrolments, subjects, and kinds other parts add): "
                   "a report per row; all or nothing", "school",
                   {"200": ok("imported, or the dry run's report", ref("ImportReport")),
                    "404": err("unknown_import_kind"), "409": err("import_changed: data changed mid-import"),
                    "413": err("over 2 MiB"), "415": err("not text/csv"),
                    "422": err("invalid_csv: a file-level problem (error only), or rows with errors "
                               "(ImportReport with error; nothing written)")},
                   [{"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}},
                    q("dry_run", "1: check and report, write nothing")],
                   {"text/csv": {"schema": {"type": "string"}}}, True,
                   desc="Header names any subset of the kind's columns (GET /api/v1/import), any order. Rows are "
                        "matched by admission number, then username (students), username (staff), class name + "
                        "year, subject name; importing the same file twice reports every row unchanged. "
                        "Generated passwords of new accounts are in `accounts`, shown once."),
    },
}

# GET /api/v1/classes grew search, a year filter and paging; /api/v1/classes/{id}/students a GET.
extra_params = {"/api/v1/classes": ("get", [q("q", "substring of the class name"),
                                            q("academic_year_id", "only this year's classes", INT)] + PAGE)}
class_students_get = op("Students of the class, searchable and paged (classes.view on the class; classmates "
                        "and guardians get names only)", "people",
                        {"200": ok("OK", paged("students", "Person")), "404": E404, "422": E422},
                        [pid()] + PEOPLE_FILTERS + PAGE)

fragment = {"x-note": "School core (#10). Error, SchoolClass refer to the main document's schemas.",
            "paths": paths, "components": {"schemas": schemas}}
(ROOT / "docs/openapi-school-core.json").write_text(json.dumps(fragment, indent=2, ensure_ascii=False) + "\n")

main_path = ROOT / "static/openapi.json"
doc = json.loads(main_path.read_text())
doc["paths"].pop("/api/v1/import/students", None)  # now /api/v1/import/{kind}
doc["paths"].update(paths)
doc["components"]["schemas"].update(schemas)
for path, (method, params) in extra_params.items():
    o = doc["paths"][path][method]
    names = {p["name"] for p in o.get("parameters", [])}
    o.setdefault("parameters", []).extend(p for p in params if p["name"] not in names)
doc["paths"]["/api/v1/classes/{id}/students"]["get"] = class_students_get
doc["components"]["schemas"]["SchoolClass"]["properties"]["academic_year_id"] = INT
post = doc["paths"]["/api/v1/classes"]["post"]
post["description"] = ("Either the contract's {name, year} (the academic year with that number, created with "
                       "placeholder dates when missing) or {name, academic_year_id}.")
post["requestBody"]["content"]["application/json"]["schema"]["required"] = ["name"]
post["requestBody"]["content"]["application/json"]["schema"]["properties"]["academic_year_id"] = INT
for t in ("calendar", "people"):
    if not any(x["name"] == t for x in doc["tags"]):
        doc["tags"].append({"name": t})
main_path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")

# The school fragment keeps its own list in step.
school = ROOT / "docs/openapi-school.json"
frag = json.loads(school.read_text())
if "/api/v1/import/students" in frag["paths"]:
    frag["paths"].pop("/api/v1/import/students")
    frag["x-note"] = frag["x-note"] + " The import moved to docs/openapi-school-core.json (/api/v1/import/{kind})."
    school.write_text(json.dumps(frag, indent=2, ensure_ascii=False) + "\n")
