#!/usr/bin/env python3
"""Adds the attendance and timetable operations and schemas to static/openapi.json (re-runnable:
after a merge conflict in that file take the other side and run this again from the repo root)."""
import json
P='static/openapi.json'
d=json.load(open(P))
def err(desc): return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
E401=err("not logged in"); E403=err("not allowed (audited as access.denied)")
def pid(desc): return {"name": "id", "in": "path", "required": True, "description": desc, "schema": {"type": "integer", "minimum": 1}}
CSRF={"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}, "description": "the csrf_token from POST /api/v1/session"}
def qdate(name, desc): return {"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": "string", "format": "date"}}
PERIOD={"name": "period_id", "in": "query", "required": False, "description": "0 (default) = the daily register", "schema": {"type": "integer", "minimum": 0}}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
def ref(n): return {"$ref": "#/components/schemas/" + n}
CSV={"description": "RFC 4180 CSV, CRLF line ends; cells starting with = + - @ are prefixed with '", "headers": {"Content-Disposition": {"schema": {"type": "string"}}}, "content": {"text/csv": {"schema": {"type": "string"}}}}
T=["attendance"]
if {"name": "attendance"} not in d["tags"]: d["tags"].append({"name": "attendance"})
S=d["components"]["schemas"]
S["AttendanceCode"]={"type": "object", "properties": {"code": {"type": "string", "maxLength": 8}, "label": {"type": "string", "maxLength": 60}, "kind": {"type": "string", "enum": ["present", "late", "absent", "excused"]}, "active": {"type": "boolean"}}}
S["Register"]={"type": "object", "properties": {
  "class": ref("SchoolClass"), "date": {"type": "string", "format": "date"}, "period_id": {"type": "integer"},
  "taken": {"type": "boolean"}, "editable": {"type": "boolean", "description": "false for a teacher on another day than today"},
  "taken_by": {"type": ["integer", "null"]}, "updated_at": {"type": "integer", "description": "Unix seconds"},
  "entries": {"type": "array", "items": {"type": "object", "properties": {"student_id": {"type": "integer"}, "full_name": {"type": "string"}, "code": {"type": "string", "description": "P when not marked"}, "kind": {"type": "string"}, "note": {"type": "string"}}}}}}
S["AttendanceSummary"]={"type": "object", "properties": {k: {"type": "integer"} for k in ["sessions", "present", "late", "absent", "excused", "longest_absence_streak", "current_absence_streak"]}}
S["AttendanceSummary"]["properties"]["percentage"]={"type": "number", "description": "(present + late) / sessions × 100, one decimal; 100 when nothing was recorded"}
P_ = d["paths"]
CODE_BODY={"type": "object", "required": ["label", "kind"], "properties": {"label": {"type": "string"}, "kind": {"type": "string", "enum": ["present", "late", "absent", "excused"]}, "active": {"type": "boolean"}}}
P_["/api/v1/attendance/codes"]={
 "get": {"summary": "Attendance codes (any logged-in user; the office also sees retired ones)", "tags": T, "responses": {"401": E401, "200": ok({"type": "object", "properties": {"codes": {"type": "array", "items": ref("AttendanceCode")}}})}},
 "post": {"summary": "Add an attendance code (admin); audited as attendance.code_create", "tags": T, "parameters": [CSRF],
   "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["code", "label", "kind"], "properties": {"code": {"type": "string", "pattern": "^[A-Za-z0-9]{1,8}$"}, **CODE_BODY["properties"]}}}}},
   "responses": {"401": E401, "403": E403, "201": ok(ref("AttendanceCode"), "created"), "409": err("code_exists"), "422": err("invalid_code, invalid_label or invalid_kind")}}}
P_["/api/v1/attendance/codes/{code}"]={
 "put": {"summary": "Change or retire an attendance code (admin); P stays present and in use", "tags": T,
   "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}, CSRF],
   "requestBody": {"required": True, "content": {"application/json": {"schema": CODE_BODY}}},
   "responses": {"401": E401, "403": E403, "200": ok(ref("AttendanceCode")), "404": err("no such code"), "422": err("invalid_label, invalid_kind or code_locked")}}}
P_["/api/v1/attendance/today"]={
 "get": {"summary": "Registers due today and whether each is taken: the teacher's classes, every class for the office (students, guardians: 403)", "tags": T,
   "responses": {"401": E401, "403": E403, "200": ok({"type": "object", "properties": {"date": {"type": "string", "format": "date"}, "registers": {"type": "array", "items": {"type": "object", "properties": {"class": ref("SchoolClass"), "period_id": {"type": "integer"}, "taken": {"type": "boolean"}}}}}})}}}
P_["/api/v1/classes/{id}/attendance"]={
 "get": {"summary": "A class's register for a day (teacher of the class, admin); everyone present until marked", "tags": T,
   "parameters": [pid("class id"), qdate("date", "default today (UTC)"), PERIOD],
   "responses": {"401": E401, "403": E403, "200": ok(ref("Register")), "404": err("no such class or period"), "422": err("invalid_date")}},
 "put": {"summary": "Save the register: the marks replace the day's exceptions (unlisted students are present). Teachers: today only (403 past_register); admin: any past day. A student marked absent (unexcused) today queues one absence email to their guardians per day, however often the register is saved; audited as attendance.save", "tags": T,
   "parameters": [pid("class id"), CSRF],
   "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
      "date": {"type": "string", "format": "date", "description": "default today (UTC)"}, "period_id": {"type": "integer", "minimum": 0},
      "marks": {"type": "array", "items": {"type": "object", "required": ["student_id", "code"], "properties": {"student_id": {"type": "integer"}, "code": {"type": "string"}, "note": {"type": "string", "maxLength": 500}}}}}}}}},
   "responses": {"401": E401, "403": E403, "200": ok(ref("Register")), "404": err("no such class or period"),
     "422": err("invalid_date, future_date, not_in_class, duplicate_student, unknown_code or invalid_note (nothing is written)")}}}
REPORT_Q=[qdate("from", "default: 365 days before 'to'"), qdate("to", "default today")]
P_["/api/v1/classes/{id}/attendance/report"]={
 "get": {"summary": "Attendance per student of a class (teacher of the class, admin)", "tags": T, "parameters": [pid("class id")] + REPORT_Q,
   "responses": {"401": E401, "403": E403, "200": ok({"type": "object", "properties": {"class": ref("SchoolClass"), "from": {"type": "string"}, "to": {"type": "string"}, "students": {"type": "array", "items": {"type": "object", "properties": {"student_id": {"type": "integer"}, "full_name": {"type": "string"}, "summary": ref("AttendanceSummary")}}}}}), "404": err("no such class"), "422": err("invalid_date or invalid_range")}}}
P_["/api/v1/classes/{id}/attendance/report.csv"]={
 "get": {"summary": "The class report as CSV: student_id,username,full_name,sessions,present,late,absent,excused,percentage,longest_absence_streak,current_absence_streak", "tags": T, "parameters": [pid("class id")] + REPORT_Q,
   "responses": {"401": E401, "403": E403, "200": CSV, "404": err("no such class"), "422": err("invalid_date or invalid_range")}}}
P_["/api/v1/students/{id}/attendance"]={
 "get": {"summary": "A student's attendance: summary (percentage, absence streaks) and the exceptions, newest first (the student, their guardians, their teachers, admin)", "tags": T, "parameters": [pid("student id")] + REPORT_Q,
   "responses": {"401": E401, "403": E403, "200": ok({"type": "object", "properties": {"student": {"type": "object"}, "from": {"type": "string"}, "to": {"type": "string"}, "summary": ref("AttendanceSummary"), "exceptions": {"type": "array", "items": {"type": "object", "properties": {"date": {"type": "string"}, "period_id": {"type": "integer"}, "class_id": {"type": "integer"}, "code": {"type": "string"}, "kind": {"type": "string"}, "note": {"type": "string"}}}}}}), "404": err("no such student"), "422": err("invalid_date or invalid_range")}}}
P_["/api/v1/students/{id}/attendance.csv"]={
 "get": {"summary": "The student's exceptions as CSV: date,period_id,class_id,code,kind,note", "tags": T, "parameters": [pid("student id")] + REPORT_Q,
   "responses": {"401": E401, "403": E403, "200": CSV, "404": err("no such student"), "422": err("invalid_date or invalid_range")}}}
open(P,'w').write(json.dumps(d,indent=1,ensure_ascii=True))
import json
P='static/openapi.json'
d=json.load(open(P))
def err(desc): return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
E401=err("not logged in"); E403=err("not allowed (audited as access.denied)")
def pid(desc): return {"name": "id", "in": "path", "required": True, "description": desc, "schema": {"type": "integer", "minimum": 1}}
CSRF={"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}, "description": "the csrf_token from POST /api/v1/session"}
def ok(schema, desc="OK"): return {"description": desc, "content": {"application/json": {"schema": schema}}}
def ref(n): return {"$ref": "#/components/schemas/" + n}
NOC={"description": "deleted"}
T=["timetable"]
if {"name": "timetable"} not in d["tags"]: d["tags"].append({"name": "timetable"})
S=d["components"]["schemas"]
S["Period"]={"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "starts_at": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "ends_at": {"type": "string"}}}
S["Room"]={"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
S["Slot"]={"type": "object", "properties": {"id": {"type": "integer"}, "class": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
  "weekday": {"type": "integer", "minimum": 1, "maximum": 7, "description": "1 = Monday … 7 = Sunday"}, "period": ref("Period"), "subject": {"type": "object", "nullable": True, "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
  "teacher": {"type": "object", "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}}}, "room": {"oneOf": [ref("Room")], "nullable": True}}}
VIEWQ=[{"name": "date", "in": "query", "required": False, "description": "the day view: that date's weekday", "schema": {"type": "string", "format": "date"}},
       {"name": "weekday", "in": "query", "required": False, "description": "the day view by weekday (1–7); neither: the whole week", "schema": {"type": "integer", "minimum": 1, "maximum": 7}}]
WEEK=ok({"type": "object", "properties": {"weekday": {"type": "integer", "nullable": True}, "slots": {"type": "array", "items": ref("Slot")}}}, "lessons by weekday, then start time")
p=d["paths"]
p["/api/v1/timetable/periods"]={
 "get": {"summary": "The bell schedule (any logged-in user)", "tags": T, "responses": {"401": E401, "200": ok({"type": "object", "properties": {"periods": {"type": "array", "items": ref("Period")}}})}},
 "post": {"summary": "Add a period (admin)", "tags": T, "parameters": [CSRF],
  "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "starts_at", "ends_at"], "properties": {"name": {"type": "string", "maxLength": 60}, "starts_at": {"type": "string", "example": "08:30"}, "ends_at": {"type": "string", "example": "09:20"}}}}}},
  "responses": {"401": E401, "403": E403, "201": ok(ref("Period"), "created"), "409": err("period_exists or period_overlap (naming the other period)"), "422": err("invalid_name, invalid_time or invalid_times")}}}
p["/api/v1/timetable/periods/{id}"]={"delete": {"summary": "Remove a period (admin)", "tags": T, "parameters": [pid("period id"), CSRF], "responses": {"401": E401, "403": E403, "204": NOC, "404": err("no such period"), "409": err("period_in_use")}}}
p["/api/v1/timetable/rooms"]={
 "get": {"summary": "Rooms (any logged-in user)", "tags": T, "responses": {"401": E401, "200": ok({"type": "object", "properties": {"rooms": {"type": "array", "items": ref("Room")}}})}},
 "post": {"summary": "Add a room (admin)", "tags": T, "parameters": [CSRF],
  "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 60}}}}}},
  "responses": {"401": E401, "403": E403, "201": ok(ref("Room"), "created"), "409": err("room_exists"), "422": err("invalid_name")}}}
p["/api/v1/timetable/rooms/{id}"]={"delete": {"summary": "Remove a room (admin)", "tags": T, "parameters": [pid("room id"), CSRF], "responses": {"401": E401, "403": E403, "204": NOC, "404": err("no such room"), "409": err("room_in_use")}}}
p["/api/v1/timetable/slots"]={"post": {"summary": "Add a weekly lesson (admin). The teacher must be assigned to the class (for the subject, when given). A teacher, room or class already busy at that weekday × period is a 409 naming the lesson there (nothing is written); audited as timetable.slot_create", "tags": T, "parameters": [CSRF],
  "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["class_id", "weekday", "period_id", "teacher_id"], "properties": {"class_id": {"type": "integer"}, "weekday": {"type": "integer", "minimum": 1, "maximum": 7}, "period_id": {"type": "integer"}, "teacher_id": {"type": "integer"}, "subject_id": {"type": "integer", "nullable": True, "description": "a subject the teacher is assigned to teach in the class"}, "room_id": {"type": "integer", "nullable": True}}}}}},
  "responses": {"401": E401, "403": E403, "201": ok(ref("Slot"), "created"), "404": err("no such class, period, subject or room"), "409": err("teacher_clash, room_clash or class_clash"), "422": err("invalid_weekday or invalid_teacher")}}}
p["/api/v1/timetable/slots/{id}"]={"delete": {"summary": "Remove a lesson (admin)", "tags": T, "parameters": [pid("slot id"), CSRF], "responses": {"401": E401, "403": E403, "204": NOC, "404": err("no such slot")}}}
p["/api/v1/classes/{id}/timetable"]={"get": {"summary": "A class's week or day (admin, its teachers, its students, their guardians)", "tags": T, "parameters": [pid("class id")] + VIEWQ, "responses": {"401": E401, "403": E403, "200": WEEK, "404": err("no such class"), "422": err("invalid_date or invalid_weekday")}}}
p["/api/v1/students/{id}/timetable"]={"get": {"summary": "A student's week or day: the lessons of their classes (the student, their guardians, their teachers, admin)", "tags": T, "parameters": [pid("student id")] + VIEWQ, "responses": {"401": E401, "403": E403, "200": WEEK, "404": err("no such student"), "422": err("invalid_date or invalid_weekday")}}}
p["/api/v1/teachers/{id}/timetable"]={"get": {"summary": "A teacher's own week or day (that teacher, admin)", "tags": T, "parameters": [pid("teacher id")] + VIEWQ, "responses": {"401": E401, "403": E403, "200": WEEK, "404": err("no such teacher"), "422": err("invalid_date or invalid_weekday")}}}
open(P,'w').write(json.dumps(d,indent=1,ensure_ascii=True))
