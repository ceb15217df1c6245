#include "web/school_pages.h"

#include <cstdint>
#include <map>

#include "api/context.h"
#include "core/error.h"
#include "core/text.h"
#include "services/content_version.h"
#include "services/people.h"
#include "services/permissions.h"
#include "services/school.h"
#include "services/school_csv.h"
#include "services/shared_pages.h"
#include "services/subjects.h"
#include "services/yearbook.h"
#include "services/yearbook_export.h"
#include "services/years.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string id_str(std::int64_t id) { return std::to_string(id); }

// A positive decimal id from a path segment or query value, else 404.
std::int64_t class_id_of(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) not_found();
  auto id = std::stoll(s);
  if (id <= 0) not_found();
  return id;
}

J class_json(const db::ClassRow& c) {
  return {{"id", id_str(c.id)}, {"name", c.name}, {"year", std::to_string(c.year)}};
}

std::string consent_label(const std::string& c) {
  if (c == "yearbook") return "Yearbook (on screen)";
  if (c == "print") return "Yearbook and print";
  if (c == "none") return "No photo";
  return "Not set (no photo)";
}

// Radio choices for one student's consent form.
J consent_options(const std::string& current) {
  J out = J::array();
  for (const char* v : {"yearbook", "print", "none"})
    out.push_back({{"value", v}, {"label", consent_label(v)}, {"checked", current == v}});
  return out;
}

// Form posts answer validation problems (409/422/404 about the submitted data) with a message on
// the page they came from; permission errors stay errors (and are audited).
template <class F>
http::Response post_then_back(const std::string& back, const std::string& done, F&& fn) {
  try {
    fn();
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::conflict || e.kind == ErrorKind::invalid || e.kind == ErrorKind::not_found)
      return redirect_with_flash(back, e.what());
    throw;
  }
  return redirect_with_flash(back, done);
}

http::Response classes_page(services::App& app, http::Request& req, J extra = J::object()) {
  auto actor = api::actor_of(req);
  services::ClassFilter f;
  f.q = text::trim_copy(req.query_param("q").value_or("")).substr(0, 100);
  f.academic_year_id = req.query_int("year_id", 0, 0, INT64_MAX);
  int pg = static_cast<int>(req.query_int("page", 0, 0, 100000));
  const int per = 50;
  auto res = services::find_classes(app, actor, f, {per, pg * per});
  J rows = J::array();
  for (const auto& c : res.items) rows.push_back(class_json(c));
  J years = J::array();
  for (const auto& y : services::list_years(app, actor))
    years.push_back({{"id", id_str(y.id)}, {"name", y.name}, {"selected", y.id == f.academic_year_id}});
  J d = {{"classes", rows},
         {"has_classes", !rows.empty()},
         {"is_admin", services::can(actor, "classes.manage")},
         {"q", f.q},
         {"has_q", !f.q.empty()},
         {"years", years},
         {"has_years", years.size() > 1},
         {"total", std::to_string(res.total)}};
  std::string base =
      "/classes?q=" + http::url_encode(f.q) + "&year_id=" + std::to_string(f.academic_year_id) + "&page=";
  if (pg > 0) d["prev"] = base + std::to_string(pg - 1);
  if (static_cast<std::int64_t>(pg + 1) * per < res.total) d["next"] = base + std::to_string(pg + 1);
  d.update(extra);
  return page(req, "school_classes", actor.role == Role::admin ? "Classes" : "My classes", d);
}

// A member's view of a class (a student or guardian: names only) is the same for every member,
// so it is rendered once per content version; see class_page.
J member_class_data(const services::ClassDetail& d) {
  J students = J::array();
  for (const auto& s : d.students)
    students.push_back({{"id", id_str(s.id)},
                        {"username", s.username},
                        {"full_name", s.full_name.empty() ? s.username : s.full_name},
                        {"active", s.active},
                        {"consent", ""}});
  J teachers = J::array();
  for (const auto& t : d.teachers)
    teachers.push_back(
        {{"id", id_str(t.id)}, {"full_name", t.full_name.empty() ? t.username : t.full_name}, {"subject", t.subject}});
  return {{"class", class_json(d.cls)}, {"students", students}, {"teachers", teachers},
          {"staff_view", d.staff_view}, {"is_admin", false},    {"has_students", !d.students.empty()}};
}

http::Response class_page(services::App& app, SharedPageCache& cache, http::Request& req) {
  auto actor = api::actor_of(req);
  auto id = req.param_id("id");
  bool admin = services::can(actor, "classes.manage");
  // The list is searchable and paged (a class can be a whole year group); the counts stay whole.
  db::PeopleFilter f;
  f.q = text::trim_copy(req.query_param("q").value_or("")).substr(0, 100);
  f.status = parse_person_status(req.query_param("status").value_or(""));
  int pg = static_cast<int>(req.query_int("page", 0, 0, 100000));
  if (!admin && !services::roster_staff_view(actor) && f.q.empty() && !f.status && pg == 0) {
    // The class as its students and guardians see it: the same for all of them, so rendered once
    // per content version. (Staff get usernames, consent, admission numbers, search and forms,
    // rendered per request: few people, and the lists come from the paged queries.)
    auto version = services::roster_version(app, actor, id);
    const std::string key = services::content_key::class_roster(id) + ":member";
    auto body = cache.find(key, version);
    if (!body) {
      auto v = services::class_at_version(app, actor, id);
      auto fresh = std::make_shared<SharedBody>();
      fresh->title = v.detail.cls.name + " (" + std::to_string(v.detail.cls.year) + ")";
      fresh->html = render("school_class", member_class_data(v.detail));
      // Stored only under the member view get_class decided, so a body only serves its own view.
      if (v.settled && !v.detail.staff_view) cache.put(key, v.version, fresh);
      version = v.version;
      body = std::move(fresh);
    }
    return shared_page(req, *body, key + ":" + std::to_string(version));
  }
  auto d = services::get_class(app, actor, id);
  const int per = 50;
  auto listed = services::class_students(app, actor, id, f, {per, pg * per});
  std::map<std::int64_t, const db::PersonRow*> by_id;
  for (const auto& s : d.students) by_id[s.id] = &s;
  J students = J::array();
  for (const auto& p : listed.items) {
    auto it = by_id.find(p.id);
    std::string consent = it != by_id.end() ? it->second->consent : "";
    students.push_back({{"id", id_str(p.id)},
                        {"username", p.username},
                        {"full_name", p.full_name.empty() ? p.username : p.full_name},
                        {"active", it == by_id.end() || it->second->active},
                        {"admission_no", p.admission_no.empty() ? J() : J(p.admission_no)},
                        {"status", p.status == PersonStatus::active ? J() : J(p.status)},
                        {"consent", d.staff_view ? consent_label(consent) : ""}});
  }
  J teachers = J::array();
  for (const auto& a : services::class_assignments(app, actor, id))
    teachers.push_back({{"assignment_id", id_str(a.id)},
                        {"id", id_str(a.teacher_id)},
                        {"full_name", a.teacher_full_name.empty() ? a.teacher_username : a.teacher_full_name},
                        {"subject", a.subject_name.empty() ? J() : J(a.subject_name)}});
  J statuses = J::array();
  for (PersonStatus st : {PersonStatus::active, PersonStatus::left, PersonStatus::graduated})
    statuses.push_back({{"value", st}, {"selected", f.status == st}});
  J data = {{"class", class_json(d.cls)},
            {"students", students},
            {"teachers", teachers},
            {"staff_view", d.staff_view},
            {"is_admin", admin},
            {"has_students", !students.empty()},
            {"q", f.q},
            {"has_q", !f.q.empty()},
            {"statuses", statuses},
            {"total", std::to_string(listed.total)}};
  std::string base = "/classes/" + id_str(id) + "?q=" + http::url_encode(f.q) +
                     "&status=" + http::url_encode(to_string_or_empty(f.status)) + "&page=";
  if (pg > 0) data["prev"] = base + std::to_string(pg - 1);
  if (static_cast<std::int64_t>(pg + 1) * per < listed.total) data["next"] = base + std::to_string(pg + 1);
  if (admin) {
    J pick_students = J::array(), pick_teachers = J::array(), subjects = J::array();
    for (const auto& u : services::active_users(app, actor, Role::student, 2000))
      pick_students.push_back({{"username", u.username}, {"full_name", u.full_name}});
    for (const auto& u : services::active_users(app, actor, Role::teacher, 500))
      pick_teachers.push_back({{"username", u.username}, {"full_name", u.full_name}});
    for (const auto& sub : services::list_subjects(app, actor, "", {200, 0}).items)
      subjects.push_back({{"id", id_str(sub.id)}, {"name", sub.name}});
    data["pick_students"] = pick_students;
    data["pick_teachers"] = pick_teachers;
    data["subjects"] = subjects;
  }
  return page(req, "school_class", d.cls.name + " (" + std::to_string(d.cls.year) + ")", data);
}

http::Response consent_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  J data = J::object();
  if (actor.role == Role::guardian) {
    J kids = J::array();
    for (const auto& c : services::my_children(app, actor)) {
      J classes = J::array();
      for (const auto& cl : c.classes) classes.push_back(class_json(cl));
      kids.push_back({{"id", id_str(c.child.id)},
                      {"full_name", c.child.full_name.empty() ? c.child.username : c.child.full_name},
                      {"current", consent_label(c.child.consent)},
                      {"options", consent_options(c.child.consent)},
                      {"classes", classes}});
    }
    data["students"] = kids;
    data["guardian"] = true;
  } else {
    services::require(actor, "consent.set");
    auto class_id = req.query_param("class_id");
    if (class_id) {
      auto d = services::get_class(app, actor, class_id_of(*class_id));
      J students = J::array();
      for (const auto& s : d.students)
        students.push_back({{"id", id_str(s.id)},
                            {"full_name", s.full_name.empty() ? s.username : s.full_name},
                            {"current", consent_label(s.consent)},
                            {"options", consent_options(s.consent)}});
      data["students"] = students;
      data["class"] = class_json(d.cls);
    } else {
      J rows = J::array();
      for (const auto& c : services::list_classes(app, actor)) rows.push_back(class_json(c));
      data["has_pick"] = !rows.empty();
      data["pick_class"] = rows;
    }
  }
  return page(req, "school_consent", "Photo consent", data);
}

J yearbook_data(const services::Yearbook& y, bool print) {
  J entries = J::array();
  for (const auto& e : y.entries) {
    J entry = {{"full_name", e.full_name}, {"quote", e.quote}};
    if (e.photo_id)
      entry["photo"] = {{"thumb", services::photo_url(e.photo_id, "thumb")},
                        {"jpeg", services::photo_url(e.photo_id, "jpeg")},
                        {"webp", services::photo_url(e.photo_id, "webp")}};
    entries.push_back(entry);
  }
  J d = {{"class", class_json(y.cls)}, {"entries", entries}, {"empty", y.entries.empty()}};
  if (!print) d["print_url"] = "/yearbook/" + id_str(y.cls.id) + "/print";
  return d;
}

// The printable yearbook: the PDF when the job has made it for the current content, otherwise
// 202 with a page showing its progress that reloads itself (Refresh) until the file is there.
// Never cached by the browser: a consent change must take effect on the next request.
http::Response yearbook_pdf_response(services::App& app, http::Request& req, const services::Actor& actor,
                                     std::int64_t id) {
  auto q = [&](const char* name) { return req.query_param(name).value_or(""); };
  auto layout = services::pdf_layout(q("paper"), q("rows"), q("columns"));
  auto e = services::request_yearbook_pdf(app, actor, id, layout);
  if (auto bytes = services::yearbook_pdf_bytes(app, e)) {
    auto resp = http::Response::text(200, std::move(*bytes), "application/pdf");
    resp.set_header("Content-Disposition", "inline; filename=\"yearbook-" + id_str(id) + ".pdf\"");
    resp.set_header("Cache-Control", "no-store");
    return resp;
  }
  const std::string url = "/yearbook/" + id_str(id) + ".pdf?paper=" + pdf::paper_name(layout.paper) +
                          "&rows=" + std::to_string(layout.rows) + "&columns=" + std::to_string(layout.columns);
  J d = {{"class_name", e.class_name},
         {"layout", e.layout},
         {"done", e.pages_done},
         {"total", e.pages_total},
         {"failed", e.status == ExportStatus::failed},
         {"error", e.error},
         {"url", url}};
  auto resp = page(req, "yearbook_pdf_wait", "Printable yearbook", d, e.status == ExportStatus::failed ? 500 : 202);
  if (e.status != ExportStatus::failed) resp.set_header("Refresh", "2");
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

// The yearbook is the same for everyone who may see it: rendered once per content version and
// served from the process's cache; who may see it and which version is current are asked of the
// primary on every request.
http::Response yearbook_page(services::App& app, SharedPageCache& cache, const http::Request& req,
                             const services::Actor& actor, std::int64_t class_id) {
  const auto key = services::content_key::class_yearbook(class_id);
  auto version = services::yearbook_version(app, actor, class_id);
  auto body = cache.find(key, version);
  if (!body) {
    auto v = services::yearbook_at_version(app, actor, class_id);
    auto fresh = std::make_shared<SharedBody>();
    fresh->title = "Yearbook " + v.yearbook.cls.name;
    // The live script (static/live.js) compares this version with the one it is told about.
    J d = yearbook_data(v.yearbook, false);
    d["version"] = std::to_string(v.version);
    fresh->html = render("yearbook_page", d);
    if (v.settled) cache.put(key, v.version, fresh);
    version = v.version;
    body = std::move(fresh);
  }
  return shared_page(req, *body, key + ":" + std::to_string(version));
}

}  // namespace

void mount_school_pages(http::Router& r, services::App& app) {
  // One cache per mounted router (per server instance): instances share nothing but the database.
  auto cache = std::make_shared<SharedPageCache>();
  r.get("/classes", [&app](http::Request& req) { return classes_page(app, req); });

  r.post("/classes", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    long long year = 0;
    try {
      year = std::stoll(http::first_value(f, "year"));
    } catch (const std::exception&) {
      return redirect_with_flash("/classes", "The year must be a whole number.");
    }
    db::ClassRow c;
    auto back = post_then_back("/classes", "",
                               [&] { c = services::create_class(app, actor, http::first_value(f, "name"), year); });
    if (c.id == 0) return back;
    return redirect_with_flash("/classes/" + id_str(c.id), "Class created.");
  });

  r.get("/classes/import", [&app](http::Request& req) {
    services::require(api::actor_of(req), "users.manage");
    return page(req, "school_import", "Import students", {{"header", services::kImportHeader}});
  });

  r.limit_body("POST", "/classes/import", services::kImportMaxBytes);
  r.post("/classes/import", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    std::string csv = http::first_value(req.form({.max_value = services::kImportMaxBytes}), "csv");
    try {
      auto res = services::import_students(app, actor, csv);
      J created = J::array();
      for (const auto& c : res.created)
        created.push_back({{"username", c.username}, {"role", c.role}, {"password", c.password}});
      J classes = J::array();
      for (const auto& c : res.classes_created) classes.push_back(class_json(c));
      return page(req, "school_import", "Import students",
                  {{"header", services::kImportHeader},
                   {"done", true},
                   {"rows", std::to_string(res.rows)},
                   {"created", created},
                   {"has_created", !res.created.empty()},
                   {"classes_created", classes},
                   {"enrolments", std::to_string(res.enrolments)},
                   {"links", std::to_string(res.guardian_links)}});
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid && e.kind != ErrorKind::conflict) throw;
      return page(req, "school_import", "Import students",
                  {{"header", services::kImportHeader}, {"error", e.what()}, {"csv", csv}}, http::status_of(e.kind));
    }
  });

  r.get("/classes/{id}", [&app, cache](http::Request& req) { return class_page(app, *cache, req); });

  r.post("/classes/{id}/students", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    std::string back = "/classes/" + id_str(id);
    auto username = http::first_value(req.form(), "username");
    return post_then_back(back, "Student enrolled.", [&] {
      auto sid = services::user_id_by_username(app, actor, username);
      if (!sid) fail(ErrorKind::invalid, "not_a_student", "There is no user called '" + username + "'.");
      services::enrol_student(app, actor, id, sid);
    });
  });

  r.post("/classes/{id}/students/{student_id}/remove", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return post_then_back("/classes/" + id_str(id), "Student removed from the class.",
                          [&] { services::unenrol_student(app, actor, id, req.param_id("student_id")); });
  });

  r.post("/classes/{id}/teachers", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    auto username = http::first_value(f, "username");
    return post_then_back("/classes/" + id_str(id), "Teacher assigned.", [&] {
      auto tid = services::user_id_by_username(app, actor, username);
      if (!tid) fail(ErrorKind::invalid, "not_a_teacher", "There is no user called '" + username + "'.");
      services::assign_teacher(app, actor, id, tid, http::first_value(f, "subject"));
    });
  });

  r.post("/classes/{id}/teachers/{teacher_id}/remove", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return post_then_back("/classes/" + id_str(id), "Teacher removed from the class.",
                          [&] { services::unassign_teacher(app, actor, id, req.param_id("teacher_id")); });
  });

  r.get("/consent", [&app](http::Request& req) { return consent_page(app, req); });

  r.post("/consent/{student_id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto sid = req.param_id("student_id");
    auto f = req.form();
    // Back to the list the form came from; only a class id is taken from the form, never a URL.
    std::string back = "/consent";
    auto cls = http::first_value(f, "class_id");
    if (!cls.empty() && cls.size() < 19 && cls.find_first_not_of("0123456789") == std::string::npos)
      back += "?class_id=" + cls;
    return post_then_back(back, "Consent saved.",
                          [&] { services::set_consent(app, actor, sid, http::first_value(f, "consent")); });
  });

  // "/yearbook/12" is the page and "/yearbook/12.pdf" the printable PDF: one route, because the
  // router matches whole segments.
  r.get("/yearbook/{class_id}", [&app, cache](http::Request& req) {
    auto actor = api::actor_of(req);
    std::string seg = req.params.at("class_id");
    const std::string ext = ".pdf";
    if (seg.size() > ext.size() && seg.compare(seg.size() - ext.size(), ext.size(), ext) == 0) {
      auto id = class_id_of(seg.substr(0, seg.size() - ext.size()));
      return yearbook_pdf_response(app, req, actor, id);
    }
    return yearbook_page(app, *cache, req, actor, class_id_of(seg));
  });

  r.get("/yearbook/{class_id}/print", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto y = services::yearbook(app, actor, req.param_id("class_id"), services::YearbookKind::print);
    J d = yearbook_data(y, true);
    d["pdf_url"] = "/yearbook/" + id_str(y.cls.id) + ".pdf";
    auto resp = http::Response::html(200, render("yearbook_print", d));
    resp.set_header("Cache-Control", "no-store");
    return resp;
  });
}

}  // namespace sy::web
