#include "web/results_pages.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/results.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string result_path(std::int64_t pub, std::int64_t student) {
  return "/results/" + std::to_string(pub) + "/students/" + std::to_string(student);
}

std::int64_t form_id(const std::multimap<std::string, std::string>& f, const char* name, bool required) {
  auto it = f.find(name);
  const std::string v = it == f.end() ? "" : it->second;
  if (v.empty()) {
    if (required) fail(ErrorKind::invalid, std::string("invalid_") + name, std::string(name) + " is required");
    return 0;
  }
  if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos || std::stoll(v) <= 0)
    fail(ErrorKind::invalid, std::string("invalid_") + name, std::string(name) + " must be a positive whole number");
  return std::stoll(v);
}

std::string form_str(const std::multimap<std::string, std::string>& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() ? "" : it->second;
}

http::Response admin_page(services::App& app, http::Request& req) {
  auto actor = api::actor_of(req);
  J list = J::array();
  bool building = false;
  for (const auto& p : services::list_publications(app, actor)) {
    const bool visible = p.status == "ready" && p.visible_at <= now_unix();
    building = building || p.status == "building";
    list.push_back({{"id", std::to_string(p.id)},
                    {"title", p.title},
                    {"term_id", std::to_string(p.term_id)},
                    {"class_id", p.class_id ? std::to_string(p.class_id) : "all"},
                    {"visible_at", iso8601_utc(p.visible_at)},
                    {"status", p.status},
                    {"visible", visible},
                    {"scheduled", p.status == "ready" && !visible},
                    {"progress", std::to_string(p.pages_done) + " / " + std::to_string(p.pages_total)},
                    {"error", p.error},
                    {"can_withdraw", p.status != "withdrawn"}});
  }
  auto resp = page(req, "results_admin", "Results", {{"publications", list}, {"building", building}});
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

}  // namespace

void mount_results_pages(http::Router& r, services::App& app) {
  r.get("/results", [&app](http::Request& req) {
    J list = J::array();
    for (const auto& v : services::my_results(app, api::actor_of(req)))
      list.push_back({{"title", v.title},
                      {"student_name", v.student_name},
                      {"visible_at", iso8601_utc(v.visible_at)},
                      {"url", result_path(v.publication_id, v.student_id)},
                      {"pdf_url", result_path(v.publication_id, v.student_id) + "/report.pdf"}});
    auto resp = page(req, "results_list", "Results", {{"results", list}, {"has_results", !list.empty()}});
    resp.set_header("Cache-Control", "private, no-store");
    return resp;
  });

  // The peak: session (middleware), one kept query for scope + visibility + the stored body, send.
  r.get("/results/{publication_id}/students/{student_id}", [&app](http::Request& req) {
    const auto pub = req.param_id("publication_id"), student = req.param_id("student_id");
    auto row = services::result_page(app, api::actor_of(req), pub, student);
    SharedBody body{"Results", std::move(row.body)};
    return shared_page(req, body, "results:" + row.etag);
  });
  r.get("/results/{publication_id}/students/{student_id}/report.pdf", [&app](http::Request& req) {
    const auto pub = req.param_id("publication_id"), student = req.param_id("student_id");
    auto row = services::result_page(app, api::actor_of(req), pub, student);
    auto resp = http::Response::text(200, services::result_pdf(app, row), "application/pdf");
    resp.set_header("Content-Disposition", "attachment; filename=\"report-card-" + std::to_string(pub) + "-" +
                                               std::to_string(student) + ".pdf\"");
    resp.set_header("Cache-Control", "private, no-store");
    resp.set_header("X-Content-Type-Options", "nosniff");
    return resp;
  });

  r.get("/admin/results", [&app](http::Request& req) { return admin_page(app, req); });
  r.post("/admin/results", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    services::PublishInput in;
    try {
      in.term_id = form_id(f, "term_id", true);
      in.class_id = form_id(f, "class_id", false);
      in.title = form_str(f, "title");
      // The page's script sends the local date-time converted to UTC (visible_at_utc); without
      // script the field is read as UTC.
      std::string at = form_str(f, "visible_at_utc");
      if (at.empty()) at = form_str(f, "visible_at");
      if (!at.empty()) in.visible_at = services::parse_visible_at(at);
      auto p = services::publish_results(app, actor, in);
      return redirect_with_flash("/admin/results", "Publication " + std::to_string(p.id) +
                                                       " is being built; it becomes visible at " +
                                                       iso8601_utc(p.visible_at) + " once every page is ready.");
    } catch (const AppError& e) {
      if (e.kind == ErrorKind::forbidden || is_server_error(e.kind)) throw;
      return redirect_with_flash("/admin/results", e.what());
    }
  });
  r.post("/admin/results/{id}/withdraw", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    try {
      services::withdraw_publication(app, actor, req.param_id("id"));
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::conflict) throw;
      return redirect_with_flash("/admin/results", e.what());
    }
    return redirect_with_flash("/admin/results", "Withdrawn: students and guardians no longer see it.");
  });
}

}  // namespace sy::web
