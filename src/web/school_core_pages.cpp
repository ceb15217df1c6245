#include "web/school_core_pages.h"

#include <algorithm>

#include "api/context.h"
#include "core/error.h"
#include "core/text.h"
#include "http/multipart.h"
#include "services/people.h"
#include "services/permissions.h"
#include "services/school_import.h"
#include "services/subjects.h"
#include "services/years.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string id_str(std::int64_t id) { return std::to_string(id); }

constexpr int kPerPage = 50;

int page_number(const http::Request& req) { return static_cast<int>(req.query_int("page", 0, 0, 100000)); }

// Prev/next links for a list of `total` items at page `pg`; `base` ends with "page=".
void pager(J& d, const std::string& base, int pg, std::int64_t total) {
  if (pg > 0) d["prev"] = base + std::to_string(pg - 1);
  if (static_cast<std::int64_t>(pg + 1) * kPerPage < total) d["next"] = base + std::to_string(pg + 1);
  d["total"] = std::to_string(total);
}

// Form posts answer problems with the submitted data (409/422/404) with a message on the page
// they came from; permission errors stay errors (and are audited).
template <class F>
http::Response post_then(const std::string& back, const std::string& done, F&& fn) {
  std::string where = back;
  try {
    auto next = fn();
    if (!next.empty()) where = next;
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::conflict || e.kind == ErrorKind::invalid || e.kind == ErrorKind::not_found ||
        e.kind == ErrorKind::bad_request)
      return redirect_with_flash(back, e.what());
    throw;
  }
  return redirect_with_flash(where, done);
}

J year_json(const db::YearRow& y) {
  return {{"id", id_str(y.id)},         {"year", std::to_string(y.year)}, {"name", y.name},
          {"start_date", y.start_date}, {"end_date", y.end_date},         {"current", y.current}};
}

J class_json(const db::ClassRow& c) {
  return {{"id", id_str(c.id)}, {"name", c.name}, {"year", std::to_string(c.year)}};
}

std::string first(const std::multimap<std::string, std::string>& f, const char* k) { return http::first_value(f, k); }

// --- years and terms ---

http::Response years_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  J rows = J::array();
  for (const auto& y : services::list_years(app, actor)) rows.push_back(year_json(y));
  auto term = services::current_term(app);
  J d = {{"years", rows},
         {"has_years", !rows.empty()},
         {"is_admin", services::can(actor, "classes.manage")},
         {"today", services::today()}};
  if (term) d["term"] = term->name;
  return page(req, "years", "Academic years", d);
}

http::Response year_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto d = services::get_year(app, actor, req.param_id("id"));
  J terms = J::array(), classes = J::array();
  for (const auto& t : d.terms)
    terms.push_back({{"id", id_str(t.id)}, {"name", t.name}, {"start_date", t.start_date}, {"end_date", t.end_date}});
  for (const auto& c : d.classes) classes.push_back(class_json(c));
  J data = {{"y", year_json(d.year)},          {"terms", terms},
            {"has_terms", !terms.empty()},     {"classes", classes},
            {"has_classes", !classes.empty()}, {"is_admin", services::can(actor, "classes.manage")}};
  return page(req, "year", d.year.name, data);
}

services::YearInput year_form(const std::multimap<std::string, std::string>& f, bool with_number) {
  services::YearInput in;
  if (with_number) {
    auto y = text::trim_copy(first(f, "year"));
    if (y.empty() || y.size() > 4 || y.find_first_not_of("0123456789") != std::string::npos)
      fail(ErrorKind::invalid, "invalid_year", "The year must be a whole number from 1 to 9999.");
    in.year = std::stoi(y);
  }
  in.name = first(f, "name");
  in.start_date = first(f, "start_date");
  in.end_date = first(f, "end_date");
  return in;
}

services::TermInput term_form(const std::multimap<std::string, std::string>& f) {
  return {first(f, "name"), first(f, "start_date"), first(f, "end_date")};
}

// --- subjects ---

http::Response subjects_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  std::string q = text::trim_copy(req.query_param("q").value_or("")).substr(0, 100);
  int pg = page_number(req);
  auto res = services::list_subjects(app, actor, q, {kPerPage, pg * kPerPage});
  J rows = J::array();
  for (const auto& s : res.items) rows.push_back({{"id", id_str(s.id)}, {"name", s.name}, {"code", s.code}});
  J d = {{"subjects", rows},
         {"has_subjects", !rows.empty()},
         {"q", q},
         {"has_q", !q.empty()},
         {"is_admin", services::can(actor, "classes.manage")}};
  pager(d, "/subjects?q=" + http::url_encode(q) + "&page=", pg, res.total);
  return page(req, "subjects", "Subjects", d);
}

http::Response subject_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  auto d = services::get_subject(app, actor, req.param_id("id"));
  J as = J::array();
  for (const auto& a : d.assignments)
    as.push_back({{"class_id", id_str(a.class_id)},
                  {"class_name", a.class_name},
                  {"year", std::to_string(a.class_year)},
                  {"teacher", a.teacher_full_name.empty() ? a.teacher_username : a.teacher_full_name}});
  J data = {{"s",
             {{"id", id_str(d.subject.id)},
              {"name", d.subject.name},
              {"code", d.subject.code},
              {"has_code", !d.subject.code.empty()}}},
            {"assignments", as},
            {"has_assignments", !as.empty()},
            {"is_admin", services::can(actor, "classes.manage")}};
  return page(req, "subject", d.subject.name, data);
}

// --- people ---

J person_view(const db::ProfileRow& p) {
  return {{"id", id_str(p.id)},
          {"username", p.username},
          {"full_name", p.full_name.empty() ? p.username : p.full_name},
          {"role", p.role},
          {"active", p.active},
          {"admission_no", p.admission_no},
          {"date_of_birth", p.date_of_birth},
          {"status", p.status},
          {"email", p.email},
          {"phone", p.phone},
          {"preferred_language", p.preferred_language},
          {"email_opt_out", p.email_opt_out},
          {"is_student", p.role == sy::Role::student},
          // kainjow's mustache treats "" as true: the has_ flags say whether to show a value.
          {"has_username", !p.username.empty()},
          {"has_admission_no", !p.admission_no.empty()},
          {"has_date_of_birth", !p.date_of_birth.empty()},
          {"has_email", !p.email.empty()},
          {"has_phone", !p.phone.empty()},
          {"has_preferred_language", !p.preferred_language.empty()}};
}

http::Response person_page(services::App& app, http::Request& req, std::int64_t id) {
  auto actor = api::actor_of(req);
  auto d = services::get_person(app, actor, id);
  bool admin = services::can(actor, "users.manage");
  J guardians = J::array(), children = J::array(), classes = J::array();
  for (const auto& g : d.guardians) guardians.push_back(person_view(g));
  for (const auto& c : d.children) children.push_back(person_view(c));
  for (const auto& c : d.classes) classes.push_back(class_json(c));
  J statuses = J::array();
  for (PersonStatus s : {PersonStatus::active, PersonStatus::left, PersonStatus::graduated})
    statuses.push_back({{"value", s}, {"selected", d.person.status == s}});
  J data = {{"p", person_view(d.person)},
            {"guardians", guardians},
            {"has_guardians", !guardians.empty()},
            {"children", children},
            {"has_children", !children.empty()},
            {"classes", classes},
            {"has_classes", !classes.empty()},
            {"statuses", statuses},
            {"is_admin", admin},
            {"can_edit", admin || actor.id == id},
            {"is_self", actor.id == id}};
  return page(req, "person", d.person.full_name.empty() ? d.person.username : d.person.full_name, data);
}

// --- import ---

J kinds_json(const services::Actor& actor, const std::string& selected) {
  J kinds = J::array();
  for (const auto& imp : services::importers()) {
    bool allowed =
        std::all_of(imp.actions.begin(), imp.actions.end(), [&](const auto& a) { return services::can(actor, a); });
    if (!allowed) continue;
    J cols = J::array();
    std::string header;
    for (const auto& c : imp.columns) {
      cols.push_back({{"name", c.name}, {"help", c.help}});
      header += (header.empty() ? "" : ",") + c.name;
    }
    kinds.push_back({{"kind", imp.kind},
                     {"title", imp.title},
                     {"columns", cols},
                     {"header", header},
                     {"selected", imp.kind == selected}});
  }
  return kinds;
}

http::Response import_page(services::App& app, http::Request& req, const std::string& kind, J extra, int status) {
  (void)app;
  auto actor = api::actor_of(req);
  J kinds = kinds_json(actor, kind);
  if (kinds.empty()) services::deny(actor, "import", "import page");
  J current;
  for (const auto& k : kinds)
    if (k["selected"].get<bool>()) current = k;
  J d = {{"kinds", kinds}, {"has_current", !current.is_null()}};
  if (!current.is_null()) d["current"] = current;
  d.update(extra);
  return page(req, "import", "Import", d, status);
}

J report_view(const services::ImportReport& r) {
  J rows = J::array();
  for (const auto& row : r.rows)
    rows.push_back({{"line", std::to_string(row.line)},
                    {"key", row.key},
                    {"outcome", row.outcome},
                    {"is_error", row.outcome == "error"},
                    {"message", row.message}});
  J accounts = J::array();
  for (const auto& a : r.accounts)
    accounts.push_back({{"username", a.username}, {"role", a.role}, {"password", a.password}});
  return {{"rows", rows},
          {"created", std::to_string(r.created)},
          {"updated", std::to_string(r.updated)},
          {"unchanged", std::to_string(r.unchanged)},
          {"errors", std::to_string(r.errors)},
          {"has_errors", r.errors > 0},
          {"accounts", accounts},
          {"has_accounts", !accounts.empty()}};
}

}  // namespace

void mount_school_core_pages(http::Router& r, services::App& app) {
  r.get("/years", [&app](http::Request& req) { return years_page(app, req); });

  r.post("/years", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    return post_then("/years", "Year created.", [&] {
      auto y = services::create_year(app, actor, year_form(f, true));
      return "/years/" + id_str(y.id);
    });
  });

  r.get("/years/{id}", [&app](http::Request& req) { return year_page(app, req); });

  r.post("/years/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    return post_then("/years/" + id_str(id), "Year saved.", [&] {
      services::update_year(app, actor, id, year_form(f, false));
      return std::string();
    });
  });

  r.post("/years/{id}/current", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return post_then("/years/" + id_str(id), "This is now the current year.", [&] {
      services::set_current_year(app, actor, id);
      return std::string();
    });
  });

  r.post("/years/{id}/delete", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return post_then("/years/" + id_str(id), "Year deleted.", [&] {
      services::delete_year(app, actor, id);
      return std::string("/years");
    });
  });

  r.post("/years/{id}/terms", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    return post_then("/years/" + id_str(id), "Term added.", [&] {
      services::create_term(app, actor, id, term_form(f));
      return std::string();
    });
  });

  r.post("/terms/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    auto term = services::get_term(app, actor, id);
    std::string back = "/years/" + id_str(term.academic_year_id);
    return post_then(back, "Term saved.", [&] {
      services::update_term(app, actor, id, term_form(f));
      return std::string();
    });
  });

  r.post("/terms/{id}/delete", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto term = services::get_term(app, actor, id);
    return post_then("/years/" + id_str(term.academic_year_id), "Term deleted.", [&] {
      services::delete_term(app, actor, id);
      return std::string();
    });
  });

  r.post("/classes/{id}/rollover", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    bool graduate = first(f, "graduate") == "1";
    std::string back = "/classes/" + id_str(id), msg, target = back;
    auto resp = post_then(back, "", [&] {
      auto res = services::rollover_class(app, actor, id, first(f, "to_name"), graduate);
      msg = graduate ? std::to_string(res.graduated) + " students graduated."
                     : std::to_string(res.promoted) + " students moved to " + res.to->name + " (" +
                           std::to_string(res.to->year) + ")" +
                           (res.already ? ", " + std::to_string(res.already) + " were already there" : "") + ".";
      if (res.skipped) msg += " " + std::to_string(res.skipped) + " inactive, left or graduated students stayed.";
      if (res.to) target = "/classes/" + id_str(res.to->id);
      return std::string();
    });
    // A refused rollover came back with its reason; a done one goes to the new class with counts.
    return msg.empty() ? resp : redirect_with_flash(target, msg);
  });

  r.get("/subjects", [&app](http::Request& req) { return subjects_page(app, req); });

  r.post("/subjects", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    return post_then("/subjects", "Subject created.", [&] {
      services::create_subject(app, actor, first(f, "name"), first(f, "code"));
      return std::string();
    });
  });

  r.get("/subjects/{id}", [&app](http::Request& req) { return subject_page(app, req); });

  r.post("/subjects/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    return post_then("/subjects/" + id_str(id), "Subject saved.", [&] {
      services::update_subject(app, actor, id, first(f, "name"), first(f, "code"));
      return std::string();
    });
  });

  r.post("/subjects/{id}/delete", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return post_then("/subjects/" + id_str(id), "Subject deleted.", [&] {
      services::delete_subject(app, actor, id);
      return std::string("/subjects");
    });
  });

  r.post("/classes/{id}/assignments", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    return post_then("/classes/" + id_str(id), "Teacher assigned.", [&] {
      services::require(actor, "classes.manage");
      auto username = text::trim_copy(first(f, "username"));
      auto p = services::search_people(app, actor, {username, Role::teacher, std::nullopt, 1, 0, true}, {200, 0});
      std::int64_t tid = 0;
      for (const auto& u : p.items)
        if (u.username == username) tid = u.id;
      if (!tid) fail(ErrorKind::invalid, "not_a_teacher", "There is no active teacher called '" + username + "'.");
      std::string sid = first(f, "subject_id");
      std::int64_t subject_id = 0;
      if (!sid.empty() && sid != "0") {
        if (sid.size() > 18 || sid.find_first_not_of("0123456789") != std::string::npos)
          fail(ErrorKind::invalid, "invalid_subject", "Choose a subject from the list.");
        subject_id = std::stoll(sid);
      }
      services::assign_subject_teacher(app, actor, id, subject_id, tid);
      return std::string();
    });
  });

  r.post("/classes/{id}/assignments/{assignment_id}/remove", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto aid = req.param_id("assignment_id");
    return post_then("/classes/" + id_str(id), "Teacher removed from the class.", [&] {
      services::unassign(app, actor, id, aid);
      return std::string();
    });
  });

  r.get("/people/{id}", [&app](http::Request& req) { return person_page(app, req, req.param_id("id")); });

  r.get("/me/profile", [&app](http::Request& req) { return person_page(app, req, api::actor_of(req).id); });

  r.post("/people/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    services::PersonInput in;
    // Only the fields the form showed this person are sent; a non-admin's form has contact fields.
    auto opt = [&](const char* k) -> std::optional<std::string> {
      if (f.find(k) == f.end()) return std::nullopt;
      return first(f, k);
    };
    in.full_name = opt("full_name");
    in.admission_no = opt("admission_no");
    in.date_of_birth = opt("date_of_birth");
    in.status = opt("status");
    in.email = opt("email");
    in.phone = opt("phone");
    in.preferred_language = opt("preferred_language");
    if (f.find("email_prefs") != f.end()) in.email_opt_out = first(f, "email_opt_out") == "1";
    return post_then("/people/" + id_str(id), "Saved.", [&] {
      services::update_person(app, actor, id, in);
      return std::string();
    });
  });

  r.get("/import", [&app](http::Request& req) {
    return import_page(app, req, req.query_param("kind").value_or("students"), J::object(), 200);
  });

  // The CSV comes as a file or pasted text; multipart framing adds a little to the CSV limit.
  r.limit_body("POST", "/import/{kind}", services::kImportMaxBytes + 64 * 1024);
  r.post("/import/{kind}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    std::string kind = req.params.at("kind");
    auto imp = services::importer_for(kind);
    for (const auto& a : imp.actions) services::require(actor, a);
    http::MultipartLimits lim;
    lim.max_field_value = services::kImportMaxBytes;
    auto parts = http::parse_multipart(req, lim);
    std::string csv, file, step;
    for (auto& p : parts) {
      if (p.name == "file" && p.filename)
        file = std::move(p.data);
      else if (p.name == "csv")
        csv = std::move(p.data);
      else if (p.name == "step")
        step = p.data;
    }
    if (!file.empty()) csv = std::move(file);
    if (csv.size() > services::kImportMaxBytes) fail(ErrorKind::too_large, "too_large", "the file is too large");
    if (text::trim(csv).empty())
      return import_page(app, req, kind, {{"error", "Choose a CSV file or paste its text."}}, 422);
    bool commit = step == "commit";
    try {
      auto report = services::run_import(app, actor, kind, csv, !commit);
      J d = {{"report", report_view(report)},
             {"csv", csv},
             {"committed", report.committed},
             {"can_commit", !commit && report.errors == 0},
             {"dry_run", !commit}};
      return import_page(app, req, kind, d, report.errors ? 422 : 200);
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid && e.kind != ErrorKind::conflict) throw;
      return import_page(app, req, kind, {{"error", e.what()}, {"csv", csv}}, http::status_of(e.kind));
    }
  });
}

}  // namespace sy::web
