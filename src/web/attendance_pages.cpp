#include "web/attendance_pages.h"

#include <cstdio>
#include <map>

#include "api/context.h"
#include "core/error.h"
#include "services/attendance.h"
#include "services/permissions.h"
#include "services/school.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string id_str(std::int64_t id) { return std::to_string(id); }

J class_json(const db::ClassRow& c) {
  return {{"id", id_str(c.id)}, {"name", c.name}, {"year", std::to_string(c.year)}};
}

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string q(const http::Request& req, const char* name) { return req.query_param(name).value_or(""); }

J summary_json(const services::AttendanceSummary& s) {
  return {{"sessions", std::to_string(s.sessions)},
          {"absent", std::to_string(s.absent)},
          {"excused", std::to_string(s.excused)},
          {"late", std::to_string(s.late)},
          {"percentage", pct(s.percentage)},
          {"longest_absence_streak", std::to_string(s.longest_absence_streak)},
          {"current_absence_streak", std::to_string(s.current_absence_streak)}};
}

http::Response today_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  if (actor.role == sy::Role::student) return http::Response::redirect("/attendance/students/" + id_str(actor.id));
  if (actor.role == sy::Role::guardian) {
    J kids = J::array();
    for (auto& c : services::my_children(app, actor))
      kids.push_back({{"id", id_str(c.child.id)},
                      {"full_name", c.child.full_name.empty() ? c.child.username : c.child.full_name}});
    return page(req, "attendance_children", "Attendance", {{"children", kids}});
  }
  J items = J::array();
  int due = 0;
  for (auto& i : services::registers_today(app, actor)) {
    // A timetabled lesson has a register of its own: the link must open that one, and the line
    // must say which lesson it is (a class can have several today).
    std::string url = "/attendance/classes/" + id_str(i.cls.id);
    std::string lesson;
    if (i.period_id) {
      url += "?period_id=" + id_str(i.period_id);
      lesson = i.period_name + " " + i.starts_at + (i.subject.empty() ? "" : " · " + i.subject);
    }
    items.push_back({{"class_id", id_str(i.cls.id)},
                     {"url", url},
                     {"lesson", lesson},
                     {"name", i.cls.name},
                     {"year", std::to_string(i.cls.year)},
                     {"taken", i.taken}});
    if (!i.taken) ++due;
  }
  return page(req, "attendance_today", "Registers today",
              {{"date", services::today()},
               {"items", items},
               {"has_items", !items.empty()},
               {"has_due", due > 0},
               {"due_count", std::to_string(due)},
               {"is_admin", services::can(actor, "attendance.codes")}});
}

http::Response register_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto day = q(req, "date");
  auto reg = services::get_register(app, actor, req.param_id("id"), day.empty() ? services::today() : day,
                                    req.query_int("period_id", 0, 0, INT64_MAX));
  auto codes = services::attendance_codes(app, actor);
  J entries = J::array();
  for (auto& e : reg.entries) {
    std::string current = e.code.empty() ? "P" : e.code;
    J options = J::array();
    for (auto& c : codes) {
      if (!c.active && c.code != current) continue;
      options.push_back({{"code", c.code},
                         {"label", c.label},
                         {"kind", c.kind},
                         {"student_id", id_str(e.student_id)},
                         {"checked", c.code == current},
                         {"editable", reg.editable}});
    }
    entries.push_back({{"student_id", id_str(e.student_id)},
                       {"full_name", e.full_name},
                       {"note", e.note},
                       {"options", options},
                       {"editable", reg.editable}});
  }
  J data = {{"class", class_json(reg.cls)},
            {"date", reg.day},
            {"period_id", id_str(reg.period_id)},
            {"taken", reg.taken},
            {"taken_by", reg.row.taken_by_name},
            {"editable", reg.editable},
            {"entries", entries},
            {"has_entries", !reg.entries.empty()},
            {"can_pick_day", services::can(actor, "attendance.edit_any_day")}};
  return page(req, "attendance_register", "Register " + reg.cls.name, data);
}

http::Response save_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto id = req.param_id("id");
  auto f = req.form();
  std::string day = http::first_value(f, "date");
  std::string back = "/attendance/classes/" + id_str(id) + "?date=" + http::url_encode(day);
  std::map<std::int64_t, services::MarkInput> marks;
  auto student_of = [](const std::string& key) -> std::int64_t {
    auto digits = key.substr(2);
    if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoll(digits);
  };
  for (auto& [k, v] : f) {
    bool is_code = k.rfind("s_", 0) == 0, is_note = k.rfind("n_", 0) == 0;
    if (!is_code && !is_note) continue;
    auto sid = student_of(k);
    if (sid <= 0) continue;
    auto& m = marks[sid];
    m.student_id = sid;
    (is_code ? m.code : m.note) = v;
  }
  std::vector<services::MarkInput> list;
  for (auto& [sid, m] : marks) {
    if (m.code.empty()) m.code = "P";
    list.push_back(m);
  }
  std::int64_t period = 0;
  auto p = http::first_value(f, "period_id");
  if (!p.empty()) {
    if (p.size() > 18 || p.find_first_not_of("0123456789") != std::string::npos) not_found("no such period");
    period = std::stoll(p);
  }
  try {
    services::save_register(app, actor, id, day.empty() ? services::today() : day, period, list);
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::invalid) return redirect_with_flash(back, e.what());
    throw;
  }
  return redirect_with_flash("/attendance", "Register saved.");
}

http::Response student_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto rep = services::student_attendance(app, actor, req.param_id("id"), q(req, "from"), q(req, "to"));
  std::map<std::string, std::string> labels;
  for (auto& c : services::attendance_codes(app, actor)) labels[c.code] = c.label;
  J ex = J::array();
  for (auto& s : rep.exceptions)
    ex.push_back({{"date", s.day}, {"label", labels.count(s.code) ? labels[s.code] : s.code}, {"note", s.note}});
  J data = {{"student", {{"id", id_str(rep.student.id)}, {"full_name", rep.student.full_name}}},
            {"from", rep.from},
            {"to", rep.to},
            {"summary", summary_json(rep.summary)},
            {"streak_now", rep.summary.current_absence_streak > 0},
            {"exceptions", ex},
            {"has_exceptions", !ex.empty()}};
  return page(req, "attendance_student", "Attendance " + rep.student.full_name, data);
}

http::Response class_report_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto rep = services::class_attendance(app, actor, req.param_id("id"), q(req, "from"), q(req, "to"));
  J rows = J::array();
  for (auto& r : rep.rows)
    rows.push_back({{"id", id_str(r.student.id)},
                    {"full_name", r.student.full_name},
                    {"percentage", pct(r.summary.percentage)},
                    {"absent", std::to_string(r.summary.absent)},
                    {"excused", std::to_string(r.summary.excused)},
                    {"late", std::to_string(r.summary.late)},
                    {"streak", std::to_string(r.summary.current_absence_streak)}});
  return page(req, "attendance_class", "Attendance " + rep.cls.name,
              {{"class", class_json(rep.cls)}, {"from", rep.from}, {"to", rep.to}, {"rows", rows}});
}

http::Response codes_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  services::require(actor, "attendance.codes");
  J codes = J::array();
  for (auto& c : services::attendance_codes(app, actor)) {
    J kinds = J::array();
    for (const char* k : {"present", "late", "absent", "excused"})
      kinds.push_back({{"value", k}, {"selected", c.kind == k}});
    codes.push_back({{"code", c.code}, {"label", c.label}, {"kinds", kinds}, {"active", c.active}});
  }
  return page(req, "attendance_codes", "Attendance codes", {{"codes", codes}});
}

}  // namespace

void mount_attendance_pages(http::Router& r, services::App& app) {
  r.get("/attendance", [&app](http::Request& req) { return today_page(app, req); });
  r.get("/attendance/classes/{id}", [&app](http::Request& req) { return register_page(app, req); });
  r.post("/attendance/classes/{id}", [&app](http::Request& req) { return save_page(app, req); });
  r.get("/attendance/classes/{id}/report", [&app](http::Request& req) { return class_report_page(app, req); });
  r.get("/attendance/students/{id}", [&app](http::Request& req) { return student_page(app, req); });
  r.get("/attendance/codes", [&app](http::Request& req) { return codes_page(app, req); });
  r.post("/attendance/codes", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    services::require(actor, "attendance.codes");
    auto f = req.form();
    db::AttendanceCodeRow c;
    c.code = http::first_value(f, "code");
    c.label = http::first_value(f, "label");
    c.kind = http::first_value(f, "kind");
    c.active = http::first_value(f, "active") == "1";
    try {
      if (http::first_value(f, "existing") == "1")
        services::update_attendance_code(app, actor, c);
      else
        services::create_attendance_code(app, actor, c);
    } catch (const AppError& e) {
      if (e.kind == ErrorKind::invalid || e.kind == ErrorKind::conflict || e.kind == ErrorKind::not_found)
        return redirect_with_flash("/attendance/codes", e.what());
      throw;
    }
    return redirect_with_flash("/attendance/codes", "Code saved.");
  });
}

}  // namespace sy::web
