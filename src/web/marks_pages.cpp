#include "web/marks_pages.h"

#include "api/context.h"
#include "core/error.h"
#include "services/grading.h"
#include "services/marks.h"
#include "services/permissions.h"
#include "services/school.h"
#include "services/subjects.h"
#include "services/years.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;
namespace grading = services::grading;

std::string id_str(std::int64_t id) { return std::to_string(id); }

std::int64_t form_int(const std::multimap<std::string, std::string>& f, const char* name) {
  auto v = http::first_value(f, name);
  if (v.empty()) return 0;
  if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
    fail(ErrorKind::invalid, "invalid", std::string("'") + name + "' must be a number");
  return std::stoll(v);
}

// A decimal form field (at most 2 decimals) as hundredths.
std::int64_t form_x100(const std::multimap<std::string, std::string>& f, const char* name, std::int64_t limit) {
  auto m = grading::parse_mark(http::first_value(f, name), limit);
  if (m.kind != grading::MarkKind::score)
    fail(ErrorKind::invalid, "invalid", std::string("'") + name + "' must be a number");
  return m.score_x100;
}

// Rule errors go back to the page as a flash; anything else is the error page.
template <class F>
http::Response form_post(const std::string& back, const std::string& done, F&& fn) {
  std::string to = back;
  try {
    if (auto next = fn(); !next.empty()) to = next;
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::conflict || e.kind == ErrorKind::invalid) return redirect_with_flash(back, e.what());
    throw;
  }
  return redirect_with_flash(to, done);
}

J list_data(services::App& app, const services::Actor& actor) {
  J rows = J::array();
  for (const auto& a : services::list_assessments(app, actor, {}))
    rows.push_back({{"id", id_str(a.id)},
                    {"name", a.name},
                    {"class_name", a.class_name},
                    {"subject", a.subject_name},
                    {"term", a.term_name},
                    {"held_on", a.held_on},
                    {"has_held_on", !a.held_on.empty()},
                    {"max", grading::format_x100(a.max_x100)},
                    {"final", a.status == "final"}});
  // What a new assessment can be for: the actor's class × subject pairs (all of them for admin).
  J pairs = J::array();
  bool admin = services::can(actor, "classes.manage");
  std::vector<db::AssignmentRow> assignments;
  if (admin) {
    for (const auto& c : services::list_classes(app, actor))
      for (auto& as : services::class_assignments(app, actor, c.id)) assignments.push_back(as);
  } else {
    assignments = services::teacher_assignments(app, actor, actor.id);
  }
  for (const auto& as : assignments)
    if (as.subject_id)
      pairs.push_back({{"value", id_str(as.class_id) + ":" + id_str(as.subject_id)},
                       {"label", as.class_name + " · " + as.subject_name}});
  J terms = J::array();
  if (auto y = services::current_year(app))
    for (const auto& t : services::get_year(app, actor, y->id).terms)
      terms.push_back({{"id", id_str(t.id)}, {"name", t.name + " " + y->name}});
  J scales = J::array();
  for (const auto& s : services::list_scales(app, actor))
    scales.push_back({{"id", id_str(s.id)}, {"name", s.name}, {"is_default", s.is_default}});
  return {{"assessments", rows}, {"has_assessments", !rows.empty()},
          {"pairs", pairs},      {"can_create", !pairs.empty() && !terms.empty()},
          {"terms", terms},      {"scales", scales}};
}

J grid_data(const services::MarkSheet& s) {
  const auto& a = s.assessment;
  J students = J::array();
  for (const auto& l : s.lines)
    students.push_back({{"id", id_str(l.mark.student_id)},
                        {"full_name", l.mark.full_name},
                        {"admission_no", l.mark.admission_no},
                        {"has_admission_no", !l.mark.admission_no.empty()},
                        {"mark", l.text},
                        {"percent", l.percent_x100 >= 0 ? grading::format_x100(l.percent_x100) : ""},
                        {"grade", l.grade},
                        {"rank", l.rank ? id_str(l.rank) : ""},
                        {"comment", l.comment}});
  std::string bands;
  for (const auto& b : s.scale.bands)
    bands += (bands.empty() ? "" : ", ") + b.label + " ≥ " + grading::format_x100(b.min_percent_x100) + " %";
  bool final = a.status == "final";
  return {{"a",
           {{"id", id_str(a.id)},
            {"name", a.name},
            {"class_name", a.class_name},
            {"subject", a.subject_name},
            {"term", a.term_name},
            {"term_id", id_str(a.term_id)},
            {"subject_id", id_str(a.subject_id)},
            {"held_on", a.held_on},
            {"has_held_on", !a.held_on.empty()},
            {"max", grading::format_x100(a.max_x100)},
            {"max_x100", id_str(a.max_x100)},
            {"weight", std::to_string(a.weight_pct)},
            {"show_rank", a.show_rank}}},
          {"students", students},
          {"has_students", !students.empty()},
          {"final", final},
          {"can_finalise", s.can_finalise && !final},
          {"can_reopen", s.can_finalise && final},
          {"scale_name", s.scale.name},
          {"bands", bands}};
}

}  // namespace

void mount_marks_pages(http::Router& r, services::App& app) {
  r.get("/marks", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    return page(req, "marks_list", "Marks", list_data(app, actor));
  });

  r.post("/marks", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    return form_post("/marks", "Assessment created.", [&] {
      services::AssessmentInput in;
      auto pair = http::first_value(f, "class_subject");
      auto colon = pair.find(':');
      if (colon == std::string::npos) fail(ErrorKind::invalid, "invalid", "choose a class and subject");
      std::multimap<std::string, std::string> ids = {{"c", pair.substr(0, colon)}, {"s", pair.substr(colon + 1)}};
      in.class_id = form_int(ids, "c");
      in.subject_id = form_int(ids, "s");
      in.term_id = form_int(f, "term_id");
      in.name = http::first_value(f, "name");
      in.held_on = http::first_value(f, "held_on");
      in.max_x100 = form_x100(f, "max", 100'000'000);
      auto w = http::first_value(f, "weight");
      in.weight_pct = w.empty() ? 100 : static_cast<int>(std::min<std::int64_t>(form_int(f, "weight"), 1001));
      in.grade_scale_id = form_int(f, "grade_scale_id");
      in.show_rank = !http::first_value(f, "show_rank").empty();
      return "/marks/" + id_str(services::create_assessment(app, actor, in).id);
    });
  });

  // General comments: the form tutor's (or the office's) page, a plain form.
  r.get("/marks/comments", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto class_id = req.query_int("class_id", 0, 0, INT64_MAX);
    auto term_id = req.query_int("term_id", 0, 0, INT64_MAX);
    J classes = J::array(), terms = J::array();
    for (const auto& c : services::tutor_classes(app, actor))
      classes.push_back({{"id", id_str(c.id)},
                         {"name", c.name + " (" + std::to_string(c.year) + ")"},
                         {"selected", c.id == class_id}});
    if (auto y = services::current_year(app))
      for (const auto& t : services::get_year(app, actor, y->id).terms)
        terms.push_back({{"id", id_str(t.id)}, {"name", t.name + " " + y->name}, {"selected", t.id == term_id}});
    J data = {{"classes", classes}, {"terms", terms}, {"has_classes", !classes.empty()}, {"chosen", false}};
    if (class_id && term_id) {
      J students = J::array();
      for (const auto& g : services::general_comments(app, actor, term_id, class_id))
        students.push_back({{"id", id_str(g.student_id)}, {"full_name", g.full_name}, {"comment", g.comment}});
      data["chosen"] = true;
      data["class_id"] = id_str(class_id);
      data["term_id"] = id_str(term_id);
      data["students"] = students;
    }
    return page(req, "marks_comments", "Report comments", data);
  });

  r.post("/marks/comments", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    auto class_id = form_int(f, "class_id"), term_id = form_int(f, "term_id");
    auto back = "/marks/comments?class_id=" + id_str(class_id) + "&term_id=" + id_str(term_id);
    return form_post(back, "Comments saved.", [&] {
      // Only the class's students (the roster answers 404 to anyone but its tutor and the office).
      for (const auto& g : services::general_comments(app, actor, term_id, class_id)) {
        auto it = f.find("c_" + id_str(g.student_id));
        if (it == f.end() || it->second == g.comment) continue;
        services::set_comment(app, actor, {term_id, g.student_id, 0, it->second});
      }
      return std::string();
    });
  });

  r.get("/marks/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto s = services::mark_sheet(app, actor, req.param_id("id"));
    return page(req, "marks_grid", s.assessment.name + " · " + s.assessment.class_name, grid_data(s));
  });

  r.post("/marks/{id}/finalise", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return form_post("/marks/" + id_str(id), "Finalised: the marks are locked.", [&] {
      services::finalise_assessment(app, actor, id);
      return std::string();
    });
  });

  r.post("/marks/{id}/reopen", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return form_post("/marks/" + id_str(id), "Reopened: marks can be changed again.", [&] {
      services::reopen_assessment(app, actor, id);
      return std::string();
    });
  });

  r.post("/marks/{id}/import", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto f = req.form();
    bool dry = !http::first_value(f, "dry_run").empty();
    auto report = services::import_marks(app, actor, id, http::first_value(f, "csv"), dry);
    J rows = J::array();
    for (const auto& row : report.rows)
      rows.push_back({{"line", std::to_string(row.line)},
                      {"key", row.key},
                      {"outcome", row.outcome},
                      {"message", row.message},
                      {"error", row.outcome == "error"}});
    J data = grid_data(services::mark_sheet(app, actor, id));
    data["report"] = {{"rows", rows},
                      {"dry_run", dry},
                      {"committed", report.committed},
                      {"created", std::to_string(report.created)},
                      {"updated", std::to_string(report.updated)},
                      {"unchanged", std::to_string(report.unchanged)},
                      {"errors", std::to_string(report.errors)},
                      {"has_errors", report.errors > 0}};
    data["csv"] = http::first_value(f, "csv");
    return page(req, "marks_grid", "Import marks", data, report.errors > 0 ? 422 : 200);
  });
}

}  // namespace sy::web
