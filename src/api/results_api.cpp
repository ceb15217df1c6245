#include "api/results_api.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/static_files.h"
#include "services/results.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

std::string result_path(std::int64_t pub, std::int64_t student) {
  return "/results/" + std::to_string(pub) + "/students/" + std::to_string(student);
}

std::int64_t positive(const J& j, const char* name) {
  if (!j.is_number_integer() || j.get<std::int64_t>() <= 0)
    fail(ErrorKind::invalid, std::string("invalid_") + name, std::string(name) + " must be a positive integer");
  return j.get<std::int64_t>();
}

// Reads the publish request; AppError 422 naming the field.
services::PublishInput publish_input(const J& body) {
  services::PublishInput in;
  in.term_id = id_field(body, "term_id");
  if (body.contains("class_id") && !body["class_id"].is_null()) in.class_id = positive(body["class_id"], "class_id");
  if (body.contains("assessment_ids") && !body["assessment_ids"].is_null()) {
    const auto& ids = body["assessment_ids"];
    if (!ids.is_array() || ids.size() > 1000)
      fail(ErrorKind::invalid, "invalid_assessment_ids", "assessment_ids must be a list of up to 1000 ids");
    for (const auto& v : ids) in.assessment_ids.push_back(positive(v, "assessment_ids"));
  }
  in.title = str_field(body, "title");
  if (body.contains("visible_at") && !body["visible_at"].is_null()) {
    const auto& v = body["visible_at"];
    if (v.is_number_integer())
      in.visible_at = services::parse_visible_at(std::to_string(v.get<std::int64_t>()));
    else if (v.is_string())
      in.visible_at = services::parse_visible_at(v.get<std::string>());
    else
      fail(ErrorKind::invalid, "invalid_visible_at", "visible_at must be an RFC 3339 string or epoch milliseconds");
  }
  return in;
}

J publication_json(const db::PublicationRow& p) {
  const bool visible = p.status == "ready" && p.visible_at <= now_unix();
  return {{"id", p.id},
          {"term_id", p.term_id},
          {"class_id", p.class_id ? J(p.class_id) : J()},
          {"title", p.title},
          {"visible_at", iso8601_utc(p.visible_at)},
          {"status", p.status},
          {"visible", visible},
          {"pages_total", p.pages_total},
          {"pages_done", p.pages_done},
          {"error", p.error},
          {"created_at", iso8601_utc(p.created_at)},
          {"withdrawn_at", p.withdrawn_at ? J(iso8601_utc(p.withdrawn_at)) : J()}};
}

}  // namespace

void mount_results_api(http::Router& r, services::App& app) {
  r.post("/api/v1/publications", [&app](http::Request& req) {
    auto actor = actor_of(req);
    auto p = services::publish_results(app, actor, publish_input(req.json_body()));
    return http::Response::json(202, publication_json(p));
  });
  r.get("/api/v1/publications", [&app](http::Request& req) {
    J list = J::array();
    for (const auto& p : services::list_publications(app, actor_of(req))) list.push_back(publication_json(p));
    return http::Response::json(200, {{"publications", list}});
  });
  r.get("/api/v1/publications/{id}", [&app](http::Request& req) {
    return http::Response::json(200,
                                publication_json(services::get_publication(app, actor_of(req), req.param_id("id"))));
  });
  r.post("/api/v1/publications/{id}/withdraw", [&app](http::Request& req) {
    return http::Response::json(
        200, publication_json(services::withdraw_publication(app, actor_of(req), req.param_id("id"))));
  });

  r.get("/api/v1/results", [&app](http::Request& req) {
    J list = J::array();
    for (const auto& v : services::my_results(app, actor_of(req)))
      list.push_back({{"publication_id", v.publication_id},
                      {"student_id", v.student_id},
                      {"title", v.title},
                      {"student_name", v.student_name},
                      {"visible_at", iso8601_utc(v.visible_at)},
                      {"url", result_path(v.publication_id, v.student_id)},
                      {"pdf_url", result_path(v.publication_id, v.student_id) + "/report.pdf"}});
    auto resp = http::Response::json(200, {{"results", list}});
    resp.set_header("Cache-Control", "private, no-store");
    return resp;
  });
  r.get("/api/v1/results/{publication_id}/students/{student_id}", [&app](http::Request& req) {
    const auto pub = req.param_id("publication_id"), student = req.param_id("student_id");
    auto page = services::result_page(app, actor_of(req), pub, student);
    const std::string etag = "\"" + page.etag + "\"";
    http::Response resp;
    if (auto inm = req.header("if-none-match"); inm && http::etag_matches(*inm, etag))
      resp.status = 304;
    else
      resp = http::Response::json(200, {{"publication_id", pub},
                                        {"student_id", student},
                                        {"html", page.body},
                                        {"pdf_url", result_path(pub, student) + "/report.pdf"}});
    resp.set_header("ETag", etag);
    resp.set_header("Cache-Control", "private, no-cache");
    return resp;
  });
}

}  // namespace sy::api
