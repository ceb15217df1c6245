#include "api/school_api.h"

#include <algorithm>
#include <cstdint>

#include "api/context.h"
#include "core/error.h"
#include "core/text.h"
#include "services/school.h"
#include "services/school_csv.h"
#include "services/years.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

J class_json(const db::ClassRow& c) {
  return {{"id", c.id}, {"name", c.name}, {"year", c.year}, {"academic_year_id", c.academic_year_id}};
}

// The contract's yearbook names its class with exactly these fields.
J yearbook_class_json(const db::ClassRow& c) { return {{"id", c.id}, {"name", c.name}, {"year", c.year}}; }

J classes_json(const std::vector<db::ClassRow>& rows) {
  J out = J::array();
  for (const auto& c : rows) out.push_back(class_json(c));
  return out;
}

J detail_json(const services::ClassDetail& d) {
  J j = class_json(d.cls);
  J students = J::array();
  for (const auto& s : d.students) {
    J e = {{"id", s.id}, {"full_name", s.full_name}};
    if (d.staff_view) {
      e["username"] = s.username;
      e["active"] = s.active;
      e["consent"] = s.consent.empty() ? J() : J(s.consent);
    }
    students.push_back(e);
  }
  J teachers = J::array();
  for (const auto& t : d.teachers)
    teachers.push_back({{"id", t.id}, {"username", t.username}, {"full_name", t.full_name}, {"subject", t.subject}});
  j["students"] = students;
  j["teachers"] = teachers;
  return j;
}

// Private, personal data that must reflect consent changes at once: never cached.
http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

http::Response csv_response(std::string body, const std::string& filename) {
  auto r = http::Response::text(200, std::move(body), "text/csv; charset=utf-8");
  r.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return no_store(std::move(r));
}

}  // namespace

J yearbook_json(const services::Yearbook& y) {
  J entries = J::array();
  for (const auto& e : y.entries) {
    J photo;  // null unless shown
    if (e.photo_id)
      photo = {{"jpeg", services::photo_url(e.photo_id, "jpeg")},
               {"webp", services::photo_url(e.photo_id, "webp")},
               {"thumb", services::photo_url(e.photo_id, "thumb")}};
    entries.push_back({{"student_id", e.student_id}, {"full_name", e.full_name}, {"quote", e.quote}, {"photo", photo}});
  }
  return {{"class", yearbook_class_json(y.cls)}, {"entries", entries}};
}

void mount_school_api(http::Router& r, services::App& app) {
  r.get("/api/v1/classes", [&app](http::Request& req) {
    services::ClassFilter f;
    f.q = text::trim_copy(req.query_param("q").value_or(""));
    if (f.q.size() > 100) fail(ErrorKind::invalid, "invalid_query", "the search text has at most 100 characters");
    f.academic_year_id = req.query_int("academic_year_id", 0, 0, INT64_MAX);
    services::Page page{static_cast<int>(req.query_int("limit", 50, 1, 200)),
                        static_cast<int>(req.query_int("offset", 0, 0, 1'000'000'000))};
    auto res = services::find_classes(app, actor_of(req), f, page);
    return http::Response::json(200, {{"classes", classes_json(res.items)},
                                      {"total", res.total},
                                      {"limit", res.page.limit},
                                      {"offset", res.page.offset}});
  });

  r.post("/api/v1/classes", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    // The contract's {"name","year"}; or {"name","academic_year_id"} naming the year by id.
    if (body.contains("academic_year_id") && !body.contains("year")) {
      auto c = services::create_class_in_year(app, a, str_field(body, "name"), id_field(body, "academic_year_id"));
      return http::Response::json(201, class_json(c));
    }
    auto it = body.find("year");
    if (it == body.end() || !it->is_number_integer())
      fail(ErrorKind::invalid, "invalid", "field 'year' must be a whole number");
    auto c = services::create_class(app, a, str_field(body, "name"), it->get<long long>());
    return http::Response::json(201, class_json(c));
  });

  r.get("/api/v1/classes/{id}", [&app](http::Request& req) {
    return no_store(
        http::Response::json(200, detail_json(services::get_class(app, actor_of(req), req.param_id("id")))));
  });

  r.post("/api/v1/classes/{id}/students", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto class_id = req.param_id("id");
    auto student_id = id_field(req.json_body(), "student_id");
    services::enrol_student(app, a, class_id, student_id);
    return http::Response::json(201, {{"class_id", class_id}, {"student_id", student_id}});
  });

  r.del("/api/v1/classes/{id}/students/{student_id}", [&app](http::Request& req) {
    services::unenrol_student(app, actor_of(req), req.param_id("id"), req.param_id("student_id"));
    return http::Response::no_content();
  });

  r.post("/api/v1/classes/{id}/teachers", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto class_id = req.param_id("id");
    auto body = req.json_body();
    auto teacher_id = id_field(body, "teacher_id");
    auto subject = str_field(body, "subject", false);
    services::assign_teacher(app, a, class_id, teacher_id, subject);
    return http::Response::json(201, {{"class_id", class_id}, {"teacher_id", teacher_id}, {"subject", subject}});
  });

  r.del("/api/v1/classes/{id}/teachers/{teacher_id}", [&app](http::Request& req) {
    services::unassign_teacher(app, actor_of(req), req.param_id("id"), req.param_id("teacher_id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/classes/{id}/roster.csv", [&app](http::Request& req) {
    auto id = req.param_id("id");
    return csv_response(services::roster_csv(app, actor_of(req), id), "roster-" + std::to_string(id) + ".csv");
  });

  r.post("/api/v1/guardians", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    auto guardian_id = id_field(body, "guardian_id");
    auto student_id = id_field(body, "student_id");
    services::link_guardian(app, a, guardian_id, student_id);
    return http::Response::json(201, {{"guardian_id", guardian_id}, {"student_id", student_id}});
  });

  r.del("/api/v1/guardians/{guardian_id}/students/{student_id}", [&app](http::Request& req) {
    services::unlink_guardian(app, actor_of(req), req.param_id("guardian_id"), req.param_id("student_id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/me/children", [&app](http::Request& req) {
    J out = J::array();
    for (const auto& c : services::my_children(app, actor_of(req)))
      out.push_back({{"id", c.child.id},
                     {"username", c.child.username},
                     {"full_name", c.child.full_name},
                     {"consent", c.child.consent.empty() ? J() : J(c.child.consent)},
                     {"classes", classes_json(c.classes)}});
    return no_store(http::Response::json(200, {{"children", out}}));
  });

  r.get("/api/v1/students/{id}/consent", [&app](http::Request& req) {
    auto id = req.param_id("id");
    auto c = services::get_consent(app, actor_of(req), id);
    return no_store(http::Response::json(200, {{"student_id", id}, {"consent", c.empty() ? J() : J(c)}}));
  });

  r.put("/api/v1/students/{id}/consent", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    auto c = services::set_consent(app, a, id, str_field(req.json_body(), "consent"));
    return no_store(http::Response::json(200, {{"student_id", id}, {"consent", c}}));
  });

  // POST /api/v1/import/{kind} (students among them): api/school_core_api.cpp.

  r.get("/api/v1/export/students.csv", [&app](http::Request& req) {
    return csv_response(services::students_csv(app, actor_of(req)), "students.csv");
  });

  r.get("/api/v1/yearbook/{class_id}", [&app](http::Request& req) {
    auto y = services::yearbook(app, actor_of(req), req.param_id("class_id"));
    return no_store(http::Response::json(200, yearbook_json(y)));
  });
}

}  // namespace sy::api
