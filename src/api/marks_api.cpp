#include "api/marks_api.h"

#include <algorithm>

#include "api/context.h"
#include "api/school_core_api.h"
#include "core/error.h"
#include "core/text.h"
#include "services/grading.h"
#include "services/marks.h"

namespace sy::api {

namespace {

using J = nlohmann::json;
namespace grading = services::grading;

http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

// A decimal field with at most 2 decimals (a number or a string), as hundredths.
std::int64_t x100_field(const J& body, const char* name, std::int64_t limit_x100) {
  auto it = body.find(name);
  if (it == body.end()) fail(ErrorKind::invalid, "invalid", std::string("field '") + name + "' is required");
  std::string text;
  if (it->is_number_integer() || it->is_number_unsigned())
    text = it->dump();
  else if (it->is_number_float() || it->is_string())
    text = it->is_string() ? it->get<std::string>() : it->dump();
  else
    fail(ErrorKind::invalid, "invalid", std::string("field '") + name + "' must be a number");
  try {
    auto m = grading::parse_mark(text, limit_x100);
    if (m.kind == grading::MarkKind::score) return m.score_x100;
  } catch (const AppError&) {}
  fail(ErrorKind::invalid, "invalid",
       std::string("field '") + name + "' must be a number from 0 to " + grading::format_x100(limit_x100) +
           " with at most 2 decimals");
}

std::int64_t int_field(const J& body, const char* name, std::int64_t dflt) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return dflt;
  if (!it->is_number_integer())
    fail(ErrorKind::invalid, "invalid", std::string("field '") + name + "' must be a whole number");
  return it->get<std::int64_t>();
}

bool bool_field(const J& body, const char* name, bool dflt) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) fail(ErrorKind::invalid, "invalid", std::string("field '") + name + "' must be true or false");
  return it->get<bool>();
}

J scale_json(const db::GradeScaleRow& s) {
  J bands = J::array();
  for (const auto& b : s.bands)
    bands.push_back(
        {{"min_percent", grading::format_x100(b.min_percent_x100)}, {"label", b.label}, {"descriptor", b.descriptor}});
  return {{"id", s.id}, {"name", s.name}, {"default", s.is_default}, {"bands", bands}};
}

services::ScaleInput scale_input(const J& body) {
  services::ScaleInput in;
  in.name = str_field(body, "name");
  in.make_default = bool_field(body, "default", false);
  auto it = body.find("bands");
  if (it == body.end() || !it->is_array()) fail(ErrorKind::invalid, "invalid", "field 'bands' must be an array");
  if (it->size() > 20) fail(ErrorKind::invalid, "invalid_scale", "a grade scale has 1 to 20 bands");
  for (const auto& b : *it) {
    if (!b.is_object()) fail(ErrorKind::invalid, "invalid", "each band is an object");
    in.bands.push_back({static_cast<int>(x100_field(b, "min_percent", 10000)), str_field(b, "label", false),
                        str_field(b, "descriptor", false)});
  }
  return in;
}

J assessment_json(const db::AssessmentRow& a) {
  return {{"id", a.id},
          {"term_id", a.term_id},
          {"term", a.term_name},
          {"class_id", a.class_id},
          {"class", a.class_name},
          {"subject_id", a.subject_id},
          {"subject", a.subject_name},
          {"name", a.name},
          {"held_on", a.held_on.empty() ? J() : J(a.held_on)},
          {"max", grading::format_x100(a.max_x100)},
          {"weight", a.weight_pct},
          {"grade_scale_id", a.grade_scale_id ? J(a.grade_scale_id) : J()},
          {"show_rank", a.show_rank},
          {"status", a.status}};
}

services::AssessmentInput assessment_input(const J& body, const db::AssessmentRow* existing) {
  services::AssessmentInput in;
  if (existing) {
    in.term_id = existing->term_id;
    in.class_id = existing->class_id;
    in.subject_id = existing->subject_id;
  } else {
    in.term_id = id_field(body, "term_id");
    in.class_id = id_field(body, "class_id");
    in.subject_id = id_field(body, "subject_id");
  }
  in.name = str_field(body, "name");
  in.held_on = str_field(body, "held_on", false);
  in.max_x100 = x100_field(body, "max", 100'000'000);
  in.weight_pct = static_cast<int>(std::clamp<std::int64_t>(int_field(body, "weight", 100), -1, 1001));
  in.grade_scale_id = int_field(body, "grade_scale_id", 0);
  in.show_rank = bool_field(body, "show_rank", false);
  return in;
}

J sheet_json(const services::MarkSheet& s) {
  J j = assessment_json(s.assessment);
  j["grade_scale"] = scale_json(s.scale);
  J students = J::array();
  for (const auto& l : s.lines) {
    J st = {{"student_id", l.mark.student_id},
            {"full_name", l.mark.full_name},
            {"username", l.mark.username},
            {"admission_no", l.mark.admission_no.empty() ? J() : J(l.mark.admission_no)},
            {"mark", l.mark.has_mark && l.mark.code.empty() ? J(grading::format_x100(l.mark.score_x100)) : J()},
            {"code", l.mark.code.empty() ? J() : J(l.mark.code)},
            {"percent", l.percent_x100 >= 0 ? J(grading::format_x100(l.percent_x100)) : J()},
            {"grade", l.grade.empty() ? J() : J(l.grade)},
            {"comment", l.comment}};
    if (s.assessment.show_rank) st["rank"] = l.rank ? J(l.rank) : J();
    students.push_back(st);
  }
  j["students"] = students;
  return j;
}

std::vector<services::MarkEntry> marks_input(const J& body) {
  auto it = body.find("marks");
  if (it == body.end() || !it->is_array()) fail(ErrorKind::invalid, "invalid", "field 'marks' must be an array");
  std::vector<services::MarkEntry> out;
  for (const auto& m : *it) {
    if (!m.is_object()) fail(ErrorKind::invalid, "invalid", "each mark is an object");
    services::MarkEntry in;
    in.student_id = id_field(m, "student_id");
    auto v = m.find("mark");
    if (v == m.end() || v->is_null())
      in.text = "";
    else if (v->is_string())
      in.text = v->get<std::string>();
    else if (v->is_number())
      in.text = v->dump();
    else
      fail(ErrorKind::invalid, "invalid", "field 'mark' must be a number, a code or null");
    out.push_back(std::move(in));
  }
  return out;
}

J comment_json(const db::CommentRow& c) {
  return {{"term_id", c.term_id}, {"student_id", c.student_id}, {"subject_id", c.subject_id}, {"comment", c.comment}};
}

}  // namespace

void mount_marks_api(http::Router& r, services::App& app) {
  // --- grade scales ---
  r.get("/api/v1/grade-scales", [&app](http::Request& req) {
    J out = J::array();
    for (const auto& s : services::list_scales(app, actor_of(req))) out.push_back(scale_json(s));
    return no_store(http::Response::json(200, {{"grade_scales", out}}));
  });
  r.post("/api/v1/grade-scales", [&app](http::Request& req) {
    auto a = actor_of(req);
    return http::Response::json(201, scale_json(services::create_scale(app, a, scale_input(req.json_body()))));
  });
  r.put("/api/v1/grade-scales/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    return http::Response::json(200, scale_json(services::update_scale(app, a, id, scale_input(req.json_body()))));
  });

  // --- assessments ---
  r.get("/api/v1/assessments", [&app](http::Request& req) {
    auto a = actor_of(req);
    db::assessments::Filter f;
    f.class_id = req.query_int("class_id", 0, 0, INT64_MAX);
    f.term_id = req.query_int("term_id", 0, 0, INT64_MAX);
    f.subject_id = req.query_int("subject_id", 0, 0, INT64_MAX);
    J out = J::array();
    for (const auto& row : services::list_assessments(app, a, f)) out.push_back(assessment_json(row));
    return no_store(http::Response::json(200, {{"assessments", out}}));
  });
  r.post("/api/v1/assessments", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto row = services::create_assessment(app, a, assessment_input(req.json_body(), nullptr));
    return http::Response::json(201, assessment_json(row));
  });
  r.get("/api/v1/assessments/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    return no_store(http::Response::json(200, sheet_json(services::mark_sheet(app, a, req.param_id("id")))));
  });
  r.put("/api/v1/assessments/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    auto body = req.json_body();
    // The current row fixes term, class and subject (and answers 404 before the body is judged).
    auto current = services::mark_sheet(app, a, id).assessment;
    return http::Response::json(
        200, assessment_json(services::update_assessment(app, a, id, assessment_input(body, &current))));
  });
  r.post("/api/v1/assessments/{id}/finalise", [&app](http::Request& req) {
    auto a = actor_of(req);
    return http::Response::json(200, assessment_json(services::finalise_assessment(app, a, req.param_id("id"))));
  });
  r.post("/api/v1/assessments/{id}/reopen", [&app](http::Request& req) {
    auto a = actor_of(req);
    return http::Response::json(200, assessment_json(services::reopen_assessment(app, a, req.param_id("id"))));
  });
  r.put("/api/v1/assessments/{id}/marks", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    return no_store(
        http::Response::json(200, sheet_json(services::save_marks(app, a, id, marks_input(req.json_body())))));
  });
  r.limit_body("POST", "/api/v1/assessments/{id}/marks/import", services::kImportMaxBytes);
  r.post("/api/v1/assessments/{id}/marks/import", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    auto ct = req.header("content-type").value_or("");
    if (text::to_lower(text::trim(ct.substr(0, ct.find(';')))) != "text/csv")
      fail(ErrorKind::unsupported_type, "unsupported_type", "expected Content-Type text/csv");
    auto dry = req.query_param("dry_run");
    bool dry_run = dry && (*dry == "1" || *dry == "true" || *dry == "yes");
    auto report = services::import_marks(app, a, id, req.body, dry_run);
    J body = import_report_json(report);
    if (report.errors > 0) {
      body["error"] = {{"code", "invalid_csv"}, {"message", report.first_error()}};
      return no_store(http::Response::json(422, body));
    }
    return no_store(http::Response::json(200, body));
  });

  // --- report-card comments ---
  r.get("/api/v1/report-comments", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto term = req.query_int("term_id", 0, 0, INT64_MAX);
    auto cls = req.query_int("class_id", 0, 0, INT64_MAX);
    auto subject = req.query_int("subject_id", 0, 0, INT64_MAX);
    if (!term || !cls) fail(ErrorKind::invalid, "invalid", "term_id and class_id are required");
    J out = J::array();
    for (const auto& c : services::class_comments(app, a, term, cls, subject)) out.push_back(comment_json(c));
    return no_store(http::Response::json(200, {{"comments", out}}));
  });
  r.put("/api/v1/report-comments", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    services::CommentInput in;
    in.term_id = id_field(body, "term_id");
    in.student_id = id_field(body, "student_id");
    in.subject_id = int_field(body, "subject_id", 0);
    if (in.subject_id < 0) fail(ErrorKind::invalid, "invalid", "field 'subject_id' must be 0 or a subject's id");
    in.comment = str_field(body, "comment", false);
    return http::Response::json(200, comment_json(services::set_comment(app, a, in)));
  });
}

}  // namespace sy::api
