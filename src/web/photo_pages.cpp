#include "web/photo_pages.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/multipart.h"
#include "services/permissions.h"
#include "services/photos.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

J photo_view_json(const services::PhotoView& v) {
  const auto& p = v.photo;
  std::string id = std::to_string(p.id);
  J j = {{"id", id},
         {"processing", p.status == PhotoStatus::processing},
         {"ready", p.status == PhotoStatus::ready},
         {"failed", p.status == PhotoStatus::failed},
         {"error", p.error},
         {"pending", p.moderation == Moderation::pending},
         {"approved", p.moderation == Moderation::approved},
         {"rejected", p.moderation == Moderation::rejected},
         {"reason", p.moderation_reason},
         {"quote", p.quote}};
  if (p.status == PhotoStatus::ready)
    j["thumb"] = "/api/v1/photos/" + id + "/thumb", j["jpeg"] = "/api/v1/photos/" + id + "/jpeg";
  return j;
}

}  // namespace

void mount_photo_pages(http::Router& r, services::App& app) {
  r.get("/me/photo", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    if (actor.role != Role::student) services::deny(actor, "photos.upload", "own photo page");
    J d = J::object();
    try {
      d["photo"] = photo_view_json(services::my_photo(app, actor));
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::not_found) throw;
    }
    d["max_mb"] = std::to_string(app.config.max_upload_bytes / (1024 * 1024));
    return page(req, "photo_me", "My photo", d);
  });

  // The only page with a large body; 64 KiB over the photo limit for the multipart framing.
  r.limit_body("POST", "/me/photo", static_cast<std::uint64_t>(app.config.max_upload_bytes) + 64 * 1024);
  r.post("/me/photo", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto parts = http::parse_multipart(req.header("content-type").value_or(""), req.body);
    std::string bytes, quote;
    bool has_photo = false;
    for (auto& p : parts) {
      if (p.name == "photo")
        bytes = std::move(p.data), has_photo = true;
      else if (p.name == "quote")
        quote = p.data;
    }
    if (!has_photo || bytes.empty()) return redirect_with_flash("/me/photo", "Choose a photo to upload.");
    try {
      services::upload_photo(app, actor, bytes, quote);
    } catch (const AppError& e) {
      if (e.kind == ErrorKind::forbidden || is_server_error(e.kind)) throw;
      return redirect_with_flash("/me/photo", e.what());
    }
    return redirect_with_flash("/me/photo", "Thanks! Your photo is being processed; a teacher will review it.");
  });

  r.get("/moderation", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto rows = services::pending_moderation(app, actor, 200);
    J list = J::array();
    for (auto& p : rows)
      list.push_back({{"id", std::to_string(p.photo_id)},
                      {"name", p.full_name},
                      {"quote", p.quote},
                      {"uploaded", iso8601_utc(p.created_at)},
                      {"thumb", "/api/v1/photos/" + std::to_string(p.photo_id) + "/thumb"},
                      {"original", "/api/v1/photos/" + std::to_string(p.photo_id) + "/jpeg"}});
    return page(req, "moderation", "Photo review", {{"photos", list}});
  });

  for (const char* verb : {"approve", "reject"}) {
    bool approve = std::string(verb) == "approve";
    r.post(std::string("/moderation/{id}/") + verb, [&app, approve](http::Request& req) {
      auto actor = api::actor_of(req);
      auto f = req.form();
      services::moderate_photo(app, actor, req.param_id("id"), approve, http::first_value(f, "reason"));
      return redirect_with_flash("/moderation", approve ? "Approved." : "Rejected; the student will see your reason.");
    });
  }

  r.get("/admin/jobs", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    std::string status = req.query_param("status").value_or("dead");
    if (!parse_job_status(status)) status = "dead";
    auto jobs = services::list_jobs(app, actor, status, 200);
    J list = J::array();
    for (auto& j : jobs)
      list.push_back({{"id", std::to_string(j.id)},
                      {"key", j.object_key},
                      {"attempts", std::to_string(j.attempts)},
                      {"error", j.last_error},
                      {"status", j.status},
                      {"dead", j.status == JobStatus::dead},
                      {"photo", j.photo_id ? std::to_string(*j.photo_id) : ""}});
    J tabs = J::array();
    for (JobStatus s : {JobStatus::dead, JobStatus::queued, JobStatus::running, JobStatus::done})
      tabs.push_back({{"status", s}, {"current", status == to_string(s)}});
    return page(req, "admin_jobs", "Photo queue", {{"jobs", list}, {"tabs", tabs}, {"status", status}});
  });

  r.post("/admin/jobs/{id}/retry", [&app](http::Request& req) {
    services::retry_job(app, api::actor_of(req), req.param_id("id"));
    return redirect_with_flash("/admin/jobs", "Queued again.");
  });
}

}  // namespace sy::web
