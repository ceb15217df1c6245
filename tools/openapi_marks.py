#!/usr/bin/env python3
"""Adds the grade-scale, assessment, marks and report-comment operations to static/openapi.json
(re-runnable: after a merge conflict in that file take the other side and run this again from
the repo root)."""
import json
P='static/openapi.json'
d=json.load(open(P))
def err(desc): return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
E401=err("not logged in"); E403=err("not allowed (audited as access.denied)")
E404=err("no_such_assessment: no such assessment, or not one of yours (students and guardians always)")
def pid(desc): return {"name": "id", "in": "path", "required": True, "description": desc, "schema": {"type": "integer", "minimum": 1}}
CSRF={"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}, "description": "the csrf_token from POST /api/v1/session"}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
def ref(n): return {"$ref": "#/components/schemas/" + n}
def qint(name, desc): return {"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": "integer", "minimum": 0}}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}
DEC={"type": ["string", "number"], "description": "a decimal with at most 2 decimals, e.g. \"7.5\""}
T=["marks"]
if {"name": "marks"} not in d["tags"]: d["tags"].append({"name": "marks"})
S=d["components"]["schemas"]
S["GradeScale"]={"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "default": {"type": "boolean"},
  "bands": {"type": "array", "description": "highest threshold first", "items": {"type": "object", "properties": {"min_percent": {"type": "string"}, "label": {"type": "string"}, "descriptor": {"type": "string"}}}}}}
S["GradeScaleInput"]={"type": "object", "required": ["name", "bands"], "properties": {"name": {"type": "string", "maxLength": 100}, "default": {"type": "boolean"},
  "bands": {"type": "array", "minItems": 1, "maxItems": 20, "description": "thresholds 0..100 %, one at 0, no two equal; labels 1–20 characters",
    "items": {"type": "object", "required": ["min_percent", "label"], "properties": {"min_percent": DEC, "label": {"type": "string"}, "descriptor": {"type": "string", "maxLength": 100}}}}}}
S["Assessment"]={"type": "object", "properties": {"id": {"type": "integer"}, "term_id": {"type": "integer"}, "term": {"type": "string"}, "class_id": {"type": "integer"}, "class": {"type": "string"},
  "subject_id": {"type": "integer"}, "subject": {"type": "string"}, "name": {"type": "string"}, "held_on": {"type": ["string", "null"], "format": "date"},
  "max": {"type": "string"}, "weight": {"type": "integer"}, "grade_scale_id": {"type": ["integer", "null"]}, "show_rank": {"type": "boolean"}, "status": {"type": "string", "enum": ["open", "final"]}}}
S["AssessmentInput"]={"type": "object", "required": ["name", "max"], "properties": {
  "term_id": {"type": "integer", "description": "POST only"}, "class_id": {"type": "integer", "description": "POST only"}, "subject_id": {"type": "integer", "description": "POST only"},
  "name": {"type": "string", "maxLength": 100}, "held_on": {"type": "string", "format": "date"}, "max": DEC,
  "weight": {"type": "integer", "minimum": 0, "maximum": 1000, "description": "100 = counts once"}, "grade_scale_id": {"type": ["integer", "null"], "description": "null = the default scale"}, "show_rank": {"type": "boolean"}}}
S["MarkSheet"]={"allOf": [ref("Assessment"), {"type": "object", "properties": {"grade_scale": ref("GradeScale"), "students": {"type": "array", "items": {"type": "object", "properties": {
  "student_id": {"type": "integer"}, "full_name": {"type": "string"}, "username": {"type": "string"}, "admission_no": {"type": ["string", "null"]},
  "mark": {"type": ["string", "null"]}, "code": {"type": ["string", "null"], "enum": ["absent", "exempt", None]}, "percent": {"type": ["string", "null"]},
  "grade": {"type": ["string", "null"]}, "rank": {"type": ["integer", "null"], "description": "only when show_rank; ties share a rank (1, 2, 2, 4)"}, "comment": {"type": "string"}}}}}}]}
S["ReportComment"]={"type": "object", "properties": {"term_id": {"type": "integer"}, "student_id": {"type": "integer"}, "subject_id": {"type": "integer", "description": "0 = the general comment"}, "comment": {"type": "string"}}}
p=d["paths"]
p["/api/v1/grade-scales"]={
 "get": {"summary": "Grade scales with their bands, the default first (admin, teachers; others 404)", "tags": T, "responses": {"401": E401, "404": err("not staff"), "200": ok({"type": "object", "properties": {"grade_scales": {"type": "array", "items": ref("GradeScale")}}})}},
 "post": {"summary": "Add a grade scale (admin); audited", "tags": T, "parameters": [CSRF], "requestBody": body(ref("GradeScaleInput")),
   "responses": {"401": E401, "403": E403, "201": ok(ref("GradeScale"), "created"), "409": err("scale_exists"), "422": err("invalid_scale")}}}
p["/api/v1/grade-scales/{id}"]={
 "put": {"summary": "Rename a scale, replace its bands, make it the default (admin); audited", "tags": T, "parameters": [pid("grade scale id"), CSRF], "requestBody": body(ref("GradeScaleInput")),
   "responses": {"401": E401, "403": E403, "200": ok(ref("GradeScale")), "404": err("no_such_scale"), "409": err("scale_exists or default_needed"), "422": err("invalid_scale")}}}
p["/api/v1/assessments"]={
 "get": {"summary": "Assessments (admin: all; a teacher: their class × subject pairs; others 404)", "tags": T, "parameters": [qint("class_id", "filter"), qint("term_id", "filter"), qint("subject_id", "filter")],
   "responses": {"401": E401, "404": err("not staff"), "200": ok({"type": "object", "properties": {"assessments": {"type": "array", "items": ref("Assessment")}}})}},
 "post": {"summary": "Create an assessment (admin, or the teacher assigned to the class × subject); audited", "tags": T, "parameters": [CSRF], "requestBody": body(ref("AssessmentInput")),
   "responses": {"401": E401, "201": ok(ref("Assessment"), "created"), "404": err("no_such_class_subject, no_such_term, no_such_class or no_such_subject"), "409": err("assessment_exists"),
     "422": err("invalid_assessment, invalid_max, invalid_weight, invalid_date, no_such_scale or term_not_in_year")}}}
p["/api/v1/assessments/{id}"]={
 "get": {"summary": "An assessment with its class's students, marks, percentages, grades (and ranks)", "tags": T, "parameters": [pid("assessment id")], "responses": {"401": E401, "404": E404, "200": ok(ref("MarkSheet"))}},
 "put": {"summary": "Change an open assessment (term, class and subject stay); audited", "tags": T, "parameters": [pid("assessment id"), CSRF], "requestBody": body(ref("AssessmentInput")),
   "responses": {"401": E401, "404": E404, "200": ok(ref("Assessment")), "409": err("assessment_final or assessment_exists"), "422": err("invalid fields, or max_below_marks")}}}
p["/api/v1/assessments/{id}/finalise"]={"post": {"summary": "Finalise (admin): the marks lock; finalising a final assessment changes nothing; audited", "tags": T, "parameters": [pid("assessment id"), CSRF],
   "responses": {"401": E401, "403": E403, "404": E404, "200": ok(ref("Assessment"))}}}
p["/api/v1/assessments/{id}/reopen"]={"post": {"summary": "Reopen a final assessment (admin); refused while it is in a publication that is not withdrawn; audited", "tags": T, "parameters": [pid("assessment id"), CSRF],
   "responses": {"401": E401, "403": E403, "404": E404, "200": ok(ref("Assessment")), "409": err("assessment_published")}}}
p["/api/v1/assessments/{id}/marks"]={"put": {"summary": "Save a batch of marks, all or nothing: a number 0..max with at most 2 decimals, a/abs/absent, x/ex/exempt, or empty/null to remove", "tags": T,
   "parameters": [pid("assessment id"), CSRF],
   "requestBody": body({"type": "object", "required": ["marks"], "properties": {"marks": {"type": "array", "maxItems": 2000, "items": {"type": "object", "required": ["student_id"], "properties": {"student_id": {"type": "integer"}, "mark": {"type": ["string", "number", "null"]}}}}}}),
   "responses": {"401": E401, "404": E404, "200": ok(ref("MarkSheet")), "409": err("assessment_final"), "413": err("too_many_marks"), "422": err("invalid_mark (naming the student), not_enrolled or duplicate_student; nothing is written")}}}
p["/api/v1/assessments/{id}/marks/import"]={"post": {"summary": "Import marks from CSV (columns admission_no or username, and mark): a per-row report (created/updated/unchanged/error); with dry_run nothing is written, otherwise all or nothing; audited", "tags": T,
   "parameters": [pid("assessment id"), {"name": "dry_run", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1", "true", "yes"]}}, CSRF],
   "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
   "responses": {"401": E401, "404": E404, "200": ok({"type": "object"}, "the import report (as /api/v1/import/{kind})"), "409": err("assessment_final"), "415": err("unsupported_type"), "422": err("invalid_csv, or rows with errors (the report with an error object)")}}}
p["/api/v1/report-comments"]={
 "get": {"summary": "A class's report-card comments for a term and subject (subject_id 0 = general); the subject's teacher, the form tutor for 0, admin", "tags": T,
   "parameters": [qint("term_id", "required"), qint("class_id", "required"), qint("subject_id", "0 = the general comment")],
   "responses": {"401": E401, "404": err("no_such_class_subject"), "422": err("term_id and class_id are required"), "200": ok({"type": "object", "properties": {"comments": {"type": "array", "items": ref("ReportComment")}}})}},
 "put": {"summary": "Write (or, with an empty comment, remove) a student's report-card comment: the subject's teacher in one of the student's classes, the form tutor for subject 0, admin", "tags": T, "parameters": [CSRF],
   "requestBody": body({"type": "object", "required": ["term_id", "student_id"], "properties": {"term_id": {"type": "integer"}, "student_id": {"type": "integer"}, "subject_id": {"type": "integer", "minimum": 0}, "comment": {"type": "string", "maxLength": 2000}}}),
   "responses": {"401": E401, "404": err("no_such_student, no_such_term or no_such_subject"), "200": ok(ref("ReportComment")), "422": err("invalid_comment")}}}
open(P,'w').write(json.dumps(d,indent=1,ensure_ascii=False) + "\n")
