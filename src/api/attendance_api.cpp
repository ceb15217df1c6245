#include "api/attendance_api.h"

#include "api/context.h"
#include "core/error.h"
#include "services/attendance.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

J code_json(const db::AttendanceCodeRow& c) {
  return {{"code", c.code}, {"label", c.label}, {"kind", c.kind}, {"active", c.active}};
}

J class_json(const db::ClassRow& c) { return {{"id", c.id}, {"name", c.name}, {"year", c.year}}; }

J register_json(const services::Register& r) {
  J entries = J::array();
  for (auto& e : r.entries)
    entries.push_back({{"student_id", e.student_id},
                       {"full_name", e.full_name},
                       {"code", e.code.empty() ? "P" : e.code},
                       {"kind", e.kind},
                       {"note", e.note}});
  J j = {{"class", class_json(r.cls)}, {"date", r.day},          {"period_id", r.period_id},
         {"taken", r.taken},           {"editable", r.editable}, {"entries", entries}};
  if (r.taken) {
    j["taken_by"] = r.row.taken_by ? J(r.row.taken_by) : J();
    j["updated_at"] = r.row.updated_at;
  }
  return j;
}

J summary_json(const services::AttendanceSummary& s) {
  return {{"sessions", s.sessions},
          {"present", s.present},
          {"late", s.late},
          {"absent", s.absent},
          {"excused", s.excused},
          {"percentage", s.percentage},
          {"longest_absence_streak", s.longest_absence_streak},
          {"current_absence_streak", s.current_absence_streak}};
}

std::string q(const http::Request& req, const char* name) { return req.query_param(name).value_or(""); }

std::int64_t period_of(const http::Request& req) { return req.query_int("period_id", 0, 0, INT64_MAX); }

// Attendance is personal data about minors: never cached anywhere.
http::Response private_json(int status, const J& body) {
  auto r = http::Response::json(status, body);
  r.set_header("Cache-Control", "no-store");
  return r;
}

http::Response private_csv(std::string body, const std::string& filename) {
  auto r = http::Response::text(200, std::move(body), "text/csv; charset=utf-8");
  r.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  r.set_header("Cache-Control", "no-store");
  return r;
}

db::AttendanceCodeRow code_from(const J& body, const std::string& code) {
  db::AttendanceCodeRow c;
  c.code = code;
  c.label = str_field(body, "label");
  c.kind = str_field(body, "kind");
  auto it = body.find("active");
  if (it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) fail(ErrorKind::invalid, "invalid", "field 'active' must be true or false");
    c.active = it->get<bool>();
  }
  return c;
}

std::vector<services::MarkInput> marks_from(const J& body) {
  std::vector<services::MarkInput> out;
  auto it = body.find("marks");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) fail(ErrorKind::invalid, "invalid", "field 'marks' must be an array");
  for (auto& m : *it) {
    if (!m.is_object()) fail(ErrorKind::invalid, "invalid", "each mark must be an object");
    out.push_back({id_field(m, "student_id"), str_field(m, "code"), str_field(m, "note", false)});
  }
  return out;
}

}  // namespace

void mount_attendance_api(http::Router& r, services::App& app) {
  r.get("/api/v1/attendance/codes", [&app](http::Request& req) {
    J out = J::array();
    for (auto& c : services::attendance_codes(app, actor_of(req))) out.push_back(code_json(c));
    return http::Response::json(200, {{"codes", out}});
  });

  r.post("/api/v1/attendance/codes", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    auto c = services::create_attendance_code(app, a, code_from(body, str_field(body, "code")));
    return http::Response::json(201, code_json(c));
  });

  r.put("/api/v1/attendance/codes/{code}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto c = services::update_attendance_code(app, a, code_from(req.json_body(), req.params.at("code")));
    return http::Response::json(200, code_json(c));
  });

  r.get("/api/v1/attendance/today", [&app](http::Request& req) {
    J out = J::array();
    for (auto& i : services::registers_today(app, actor_of(req)))
      out.push_back({{"class", class_json(i.cls)}, {"period_id", i.period_id}, {"taken", i.taken}});
    return private_json(200, {{"date", services::today()}, {"registers", out}});
  });

  r.get("/api/v1/classes/{id}/attendance", [&app](http::Request& req) {
    auto day = q(req, "date");
    auto reg = services::get_register(app, actor_of(req), req.param_id("id"), day.empty() ? services::today() : day,
                                      period_of(req));
    return private_json(200, register_json(reg));
  });

  r.put("/api/v1/classes/{id}/attendance", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    auto day = str_field(body, "date", false);
    std::int64_t period = 0;
    if (auto it = body.find("period_id"); it != body.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 0)
        fail(ErrorKind::invalid, "invalid", "field 'period_id' must be 0 or a period's id");
      period = it->get<long long>();
    }
    auto reg = services::save_register(app, a, req.param_id("id"), day.empty() ? services::today() : day, period,
                                       marks_from(body));
    return private_json(200, register_json(reg));
  });

  r.get("/api/v1/classes/{id}/attendance/report", [&app](http::Request& req) {
    auto rep = services::class_attendance(app, actor_of(req), req.param_id("id"), q(req, "from"), q(req, "to"));
    J rows = J::array();
    for (auto& row : rep.rows)
      rows.push_back({{"student_id", row.student.id},
                      {"full_name", row.student.full_name},
                      {"summary", summary_json(row.summary)}});
    return private_json(200, {{"class", class_json(rep.cls)}, {"from", rep.from}, {"to", rep.to}, {"students", rows}});
  });

  r.get("/api/v1/classes/{id}/attendance/report.csv", [&app](http::Request& req) {
    auto id = req.param_id("id");
    auto rep = services::class_attendance(app, actor_of(req), id, q(req, "from"), q(req, "to"));
    return private_csv(services::class_attendance_csv(rep), "attendance-class-" + std::to_string(id) + ".csv");
  });

  r.get("/api/v1/students/{id}/attendance", [&app](http::Request& req) {
    auto rep = services::student_attendance(app, actor_of(req), req.param_id("id"), q(req, "from"), q(req, "to"));
    J ex = J::array();
    for (auto& s : rep.exceptions)
      ex.push_back({{"date", s.day},
                    {"period_id", s.period_id},
                    {"class_id", s.class_id},
                    {"code", s.code},
                    {"kind", s.kind},
                    {"note", s.note}});
    return private_json(200, {{"student", {{"id", rep.student.id}, {"full_name", rep.student.full_name}}},
                              {"from", rep.from},
                              {"to", rep.to},
                              {"summary", summary_json(rep.summary)},
                              {"exceptions", ex}});
  });

  r.get("/api/v1/students/{id}/attendance.csv", [&app](http::Request& req) {
    auto id = req.param_id("id");
    auto rep = services::student_attendance(app, actor_of(req), id, q(req, "from"), q(req, "to"));
    return private_csv(services::student_attendance_csv(rep), "attendance-student-" + std::to_string(id) + ".csv");
  });
}

}  // namespace sy::api
