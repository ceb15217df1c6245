#include "api/school_core_api.h"

#include <algorithm>

#include "api/context.h"
#include "core/error.h"
#include "core/text.h"
#include "services/people.h"
#include "services/permissions.h"
#include "services/setup_checklist.h"
#include "services/subjects.h"
#include "services/years.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

J year_json(const db::YearRow& y) {
  return {
      {"id", y.id},          {"year", y.year}, {"name", y.name}, {"start_date", y.start_date}, {"end_date", y.end_date},
      {"current", y.current}};
}

J term_json(const db::TermRow& t) {
  return {{"id", t.id},
          {"academic_year_id", t.academic_year_id},
          {"name", t.name},
          {"start_date", t.start_date},
          {"end_date", t.end_date}};
}

J class_json(const db::ClassRow& c) {
  return {{"id", c.id}, {"name", c.name}, {"year", c.year}, {"academic_year_id", c.academic_year_id}};
}

J subject_json(const db::SubjectRow& s) { return {{"id", s.id}, {"name", s.name}, {"code", s.code}}; }

J assignment_json(const db::AssignmentRow& a) {
  return {{"id", a.id},
          {"class_id", a.class_id},
          {"class_name", a.class_name},
          {"year", a.class_year},
          {"subject_id", a.subject_id ? J(a.subject_id) : J()},
          {"subject", a.subject_name},
          {"teacher_id", a.teacher_id},
          {"teacher_username", a.teacher_username},
          {"teacher_full_name", a.teacher_full_name}};
}

// Fields blanked by the service (classmates' view) are left out rather than sent empty.
J person_json(const db::ProfileRow& p) {
  J j = {{"id", p.id}, {"full_name", p.full_name}, {"role", p.role}};
  if (p.username.empty()) return j;
  j["username"] = p.username;
  j["active"] = p.active;
  j["status"] = p.status;
  j["admission_no"] = p.admission_no.empty() ? J() : J(p.admission_no);
  j["date_of_birth"] = p.date_of_birth.empty() ? J() : J(p.date_of_birth);
  j["email"] = p.email.empty() ? J() : J(p.email);
  j["phone"] = p.phone.empty() ? J() : J(p.phone);
  j["preferred_language"] = p.preferred_language.empty() ? J() : J(p.preferred_language);
  j["email_opt_out"] = p.email_opt_out;
  return j;
}

template <class T, class F>
J paged_json(const services::Paged<T>& p, const char* key, F&& to_json) {
  J items = J::array();
  for (const auto& i : p.items) items.push_back(to_json(i));
  return {{key, items}, {"total", p.total}, {"limit", p.page.limit}, {"offset", p.page.offset}};
}

services::Page page_of(const http::Request& req) {
  services::Page p;
  p.limit = static_cast<int>(req.query_int("limit", 50, 1, 200));
  p.offset = static_cast<int>(req.query_int("offset", 0, 0, 1'000'000'000));
  return p;
}

// A date field: required string.
std::string date_field(const J& body, const char* name) { return str_field(body, name); }

services::YearInput year_input(const J& body, bool with_number) {
  services::YearInput in;
  if (with_number) {
    auto it = body.find("year");
    if (it == body.end() || !it->is_number_integer())
      fail(ErrorKind::invalid, "invalid", "field 'year' must be a whole number");
    auto y = it->get<long long>();
    if (y < 1 || y > 9999) fail(ErrorKind::invalid, "invalid_year", "the year must be a whole number from 1 to 9999");
    in.year = static_cast<int>(y);
  }
  in.name = str_field(body, "name", false);
  in.start_date = date_field(body, "start_date");
  in.end_date = date_field(body, "end_date");
  return in;
}

services::TermInput term_input(const J& body) {
  return {str_field(body, "name"), date_field(body, "start_date"), date_field(body, "end_date")};
}

std::optional<std::string> opt_str(const J& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::string();
  if (!it->is_string()) fail(ErrorKind::invalid, "invalid", std::string("field '") + name + "' must be a string");
  return it->get<std::string>();
}

services::PersonInput person_input(const J& body) {
  services::PersonInput in;
  in.full_name = opt_str(body, "full_name");
  in.admission_no = opt_str(body, "admission_no");
  in.date_of_birth = opt_str(body, "date_of_birth");
  in.status = opt_str(body, "status");
  in.email = opt_str(body, "email");
  in.phone = opt_str(body, "phone");
  in.preferred_language = opt_str(body, "preferred_language");
  if (auto it = body.find("email_opt_out"); it != body.end()) {
    if (!it->is_boolean()) fail(ErrorKind::invalid, "invalid", "field 'email_opt_out' must be true or false");
    in.email_opt_out = it->get<bool>();
  }
  return in;
}

J person_detail_json(const services::PersonDetail& d) {
  J j = person_json(d.person);
  J g = J::array(), c = J::array(), k = J::array();
  for (const auto& p : d.guardians) g.push_back(person_json(p));
  for (const auto& p : d.children) k.push_back(person_json(p));
  for (const auto& cl : d.classes) c.push_back(class_json(cl));
  if (d.person.role == sy::Role::student) j["guardians"] = g;
  if (d.person.role == sy::Role::guardian) j["children"] = k;
  if (d.person.role == sy::Role::student || d.person.role == sy::Role::teacher) j["classes"] = c;
  return j;
}

db::PeopleFilter filter_of(const http::Request& req) {
  db::PeopleFilter f;
  f.q = text::trim_copy(req.query_param("q").value_or(""));
  if (f.q.size() > 100) fail(ErrorKind::invalid, "invalid_query", "the search text has at most 100 characters");
  auto role = req.query_param("role").value_or("");
  f.role = parse_role(role);
  if (!role.empty() && (!f.role || *f.role == Role::system || *f.role == Role::anonymous))
    fail(ErrorKind::invalid, "invalid_role", "role must be admin, teacher, student or guardian");
  auto status = req.query_param("status").value_or("");
  f.status = parse_person_status(status);
  if (!status.empty() && !f.status)
    fail(ErrorKind::invalid, "invalid_status", "status must be active, left or graduated");
  auto active = req.query_param("active").value_or("");
  if (active == "1" || active == "true")
    f.active = 1;
  else if (active == "0" || active == "false")
    f.active = 0;
  else if (!active.empty())
    fail(ErrorKind::invalid, "invalid_active", "active must be true or false");
  return f;
}

void require_csv(const http::Request& req) {
  auto ct = req.header("content-type").value_or("");
  std::string type = ct.substr(0, ct.find(';'));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  if (text::to_lower(type) != "text/csv")
    fail(ErrorKind::unsupported_type, "unsupported_type", "expected Content-Type text/csv");
}

bool truthy(const std::optional<std::string>& v) { return v && (*v == "1" || *v == "true" || *v == "yes"); }

}  // namespace

J import_report_json(const services::ImportReport& r) {
  J rows = J::array();
  for (const auto& row : r.rows)
    rows.push_back({{"line", row.line}, {"key", row.key}, {"outcome", row.outcome}, {"message", row.message}});
  J accounts = J::array();
  for (const auto& a : r.accounts)
    accounts.push_back({{"id", a.id}, {"username", a.username}, {"role", a.role}, {"password", a.password}});
  J totals = J::object();
  for (const auto& [k, v] : r.totals) totals[k] = v;
  return {{"kind", r.kind},
          {"dry_run", r.dry_run},
          {"committed", r.committed},
          {"counts", {{"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged}, {"error", r.errors}}},
          {"rows", rows},
          {"accounts", accounts},
          {"totals", totals}};
}

void mount_school_core_api(http::Router& r, services::App& app) {
  // --- academic years and terms ---
  r.get("/api/v1/years", [&app](http::Request& req) {
    J out = J::array();
    for (const auto& y : services::list_years(app, actor_of(req))) out.push_back(year_json(y));
    return http::Response::json(200, {{"years", out}});
  });

  r.post("/api/v1/years", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto y = services::create_year(app, a, year_input(req.json_body(), true));
    return http::Response::json(201, year_json(y));
  });

  r.get("/api/v1/calendar", [&app](http::Request& req) {
    actor_of(req);
    auto y = services::current_year(app);
    auto t = services::current_term(app);
    return http::Response::json(
        200, {{"today", services::today()}, {"year", y ? year_json(*y) : J()}, {"term", t ? term_json(*t) : J()}});
  });

  r.get("/api/v1/years/{id}", [&app](http::Request& req) {
    auto d = services::get_year(app, actor_of(req), req.param_id("id"));
    J j = year_json(d.year);
    J terms = J::array(), classes = J::array();
    for (const auto& t : d.terms) terms.push_back(term_json(t));
    for (const auto& c : d.classes) classes.push_back(class_json(c));
    j["terms"] = terms;
    j["classes"] = classes;
    return http::Response::json(200, j);
  });

  r.put("/api/v1/years/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto y = services::update_year(app, a, req.param_id("id"), year_input(req.json_body(), false));
    return http::Response::json(200, year_json(y));
  });

  r.del("/api/v1/years/{id}", [&app](http::Request& req) {
    services::delete_year(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.post("/api/v1/years/{id}/current", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    services::set_current_year(app, a, id);
    return http::Response::json(200, year_json(services::get_year(app, a, id).year));
  });

  r.post("/api/v1/years/{id}/terms", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto t = services::create_term(app, a, req.param_id("id"), term_input(req.json_body()));
    return http::Response::json(201, term_json(t));
  });

  r.get("/api/v1/terms/{id}", [&app](http::Request& req) {
    return http::Response::json(200, term_json(services::get_term(app, actor_of(req), req.param_id("id"))));
  });

  r.put("/api/v1/terms/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto t = services::update_term(app, a, req.param_id("id"), term_input(req.json_body()));
    return http::Response::json(200, term_json(t));
  });

  r.del("/api/v1/terms/{id}", [&app](http::Request& req) {
    services::delete_term(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.post("/api/v1/classes/{id}/rollover", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.body.empty() ? J::object() : req.json_body();
    bool graduate = false;
    if (auto it = body.find("graduate"); it != body.end()) {
      if (!it->is_boolean()) fail(ErrorKind::invalid, "invalid", "field 'graduate' must be true or false");
      graduate = it->get<bool>();
    }
    auto res = services::rollover_class(app, a, req.param_id("id"), str_field(body, "to_name", false), graduate);
    return http::Response::json(200, {{"from", class_json(res.from)},
                                      {"to", res.to ? class_json(*res.to) : J()},
                                      {"promoted", res.promoted},
                                      {"already", res.already},
                                      {"graduated", res.graduated},
                                      {"skipped", res.skipped}});
  });

  // --- subjects and teaching assignments ---
  r.get("/api/v1/subjects", [&app](http::Request& req) {
    auto q = text::trim_copy(req.query_param("q").value_or(""));
    if (q.size() > 100) fail(ErrorKind::invalid, "invalid_query", "the search text has at most 100 characters");
    auto p = services::list_subjects(app, actor_of(req), q, page_of(req));
    return http::Response::json(200, paged_json(p, "subjects", subject_json));
  });

  r.post("/api/v1/subjects", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    auto s = services::create_subject(app, a, str_field(body, "name"), str_field(body, "code", false));
    return http::Response::json(201, subject_json(s));
  });

  r.get("/api/v1/subjects/{id}", [&app](http::Request& req) {
    auto d = services::get_subject(app, actor_of(req), req.param_id("id"));
    J j = subject_json(d.subject);
    J as = J::array();
    for (const auto& a : d.assignments) as.push_back(assignment_json(a));
    j["assignments"] = as;
    return http::Response::json(200, j);
  });

  r.put("/api/v1/subjects/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    auto s =
        services::update_subject(app, a, req.param_id("id"), str_field(body, "name"), str_field(body, "code", false));
    return http::Response::json(200, subject_json(s));
  });

  r.del("/api/v1/subjects/{id}", [&app](http::Request& req) {
    services::delete_subject(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/classes/{id}/assignments", [&app](http::Request& req) {
    J out = J::array();
    for (const auto& a : services::class_assignments(app, actor_of(req), req.param_id("id")))
      out.push_back(assignment_json(a));
    return no_store(http::Response::json(200, {{"assignments", out}}));
  });

  r.post("/api/v1/classes/{id}/assignments", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    std::int64_t subject_id = 0;
    if (auto it = body.find("subject_id"); it != body.end() && !it->is_null())
      subject_id = id_field(body, "subject_id");
    auto row = services::assign_subject_teacher(app, a, req.param_id("id"), subject_id, id_field(body, "teacher_id"));
    return http::Response::json(201, assignment_json(row));
  });

  r.del("/api/v1/classes/{id}/assignments/{assignment_id}", [&app](http::Request& req) {
    services::unassign(app, actor_of(req), req.param_id("id"), req.param_id("assignment_id"));
    return http::Response::no_content();
  });

  // --- people ---
  r.get("/api/v1/classes/{id}/students", [&app](http::Request& req) {
    auto f = filter_of(req);
    auto p = services::class_students(app, actor_of(req), req.param_id("id"), f, page_of(req));
    return no_store(http::Response::json(200, paged_json(p, "students", person_json)));
  });

  r.get("/api/v1/people", [&app](http::Request& req) {
    auto f = filter_of(req);
    f.by_username = req.query_param("sort").value_or("") == "username";
    auto p = services::search_people(app, actor_of(req), f, page_of(req));
    return no_store(http::Response::json(200, paged_json(p, "people", person_json)));
  });

  r.get("/api/v1/people/{id}", [&app](http::Request& req) {
    return no_store(
        http::Response::json(200, person_detail_json(services::get_person(app, actor_of(req), req.param_id("id")))));
  });

  r.add("PATCH", "/api/v1/people/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto p = services::update_person(app, a, req.param_id("id"), person_input(req.json_body()));
    return no_store(http::Response::json(200, person_json(p)));
  });

  r.get("/api/v1/me/profile", [&app](http::Request& req) {
    auto a = actor_of(req);
    return no_store(http::Response::json(200, person_detail_json(services::get_person(app, a, a.id))));
  });

  r.add("PATCH", "/api/v1/me/profile", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto p = services::update_person(app, a, a.id, person_input(req.json_body()));
    return no_store(http::Response::json(200, person_json(p)));
  });

  // --- setup checklist ---
  r.get("/api/v1/setup/checklist", [&app](http::Request& req) {
    J items = J::array();
    for (const auto& i : services::setup_checklist(app, actor_of(req)))
      items.push_back({{"check", i.check}, {"message", i.message}, {"fix_url", i.fix_url}});
    return no_store(http::Response::json(200, {{"items", items}, {"done", items.empty()}}));
  });

  // --- import ---
  r.get("/api/v1/import", [&app](http::Request& req) {
    auto a = actor_of(req);
    J kinds = J::array();
    for (const auto& imp : services::importers()) {
      bool allowed =
          std::all_of(imp.actions.begin(), imp.actions.end(), [&](const auto& act) { return services::can(a, act); });
      if (!allowed) continue;
      J cols = J::array();
      for (const auto& c : imp.columns) cols.push_back({{"name", c.name}, {"help", c.help}});
      kinds.push_back({{"kind", imp.kind},
                       {"title", imp.title},
                       {"columns", cols},
                       {"required", imp.required},
                       {"one_of", imp.any_of}});
    }
    if (kinds.empty()) services::deny(a, "import", "import kinds");
    return http::Response::json(200, {{"kinds", kinds}});
  });

  r.limit_body("POST", "/api/v1/import/{kind}", services::kImportMaxBytes);
  r.post("/api/v1/import/{kind}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto kind = req.params.at("kind");
    // The permission check comes first (inside run_import, before the body is read as CSV), so a
    // caller who may not import learns nothing about the file.
    auto imp = services::importer_for(kind);
    for (const auto& act : imp.actions) services::require(a, act);
    require_csv(req);
    auto report = services::run_import(app, a, kind, req.body, truthy(req.query_param("dry_run")));
    J body = import_report_json(report);
    if (report.errors > 0) {
      body["error"] = {{"code", "invalid_csv"}, {"message", report.first_error()}};
      return no_store(http::Response::json(422, body));
    }
    return no_store(http::Response::json(200, body));
  });
}

}  // namespace sy::api
