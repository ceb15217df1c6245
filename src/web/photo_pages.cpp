#include "web/photo_pages.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/multipart.h"
#include "services/live.h"
#include "services/moderation.h"
#include "services/permissions.h"
#include "services/photos.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

J photo_view_json(const services::App& app, const services::PhotoView& v) {
  const auto& p = v.photo;
  std::string id = std::to_string(p.id);
  J j = {{"id", id},
         {"processing", p.status == PhotoStatus::processing},
         {"ready", p.status == PhotoStatus::ready},
         {"failed", p.status == PhotoStatus::failed},
         {"error", services::friendly_photo_error(app, p.error_code, p.error)},
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
      d["photo"] = photo_view_json(app, services::my_photo(app, actor));
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::not_found) throw;
    }
    d["max_mb"] = std::to_string(app.config.max_upload_bytes / (1024 * 1024));
    // The upload script shows these for the API's error codes (the same words as without script).
    J errors = J::object();
    for (const char* code : {"too_large", "unsupported_type", "invalid_image", "too_many_pixels", "too_many_uploads"})
      errors[code] = services::friendly_photo_error(app, code, "");
    errors["payload_too_large"] = errors["too_large"];
    d["errors"] = errors.dump();
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
      return redirect_with_flash("/me/photo", services::friendly_photo_error(app, e.code, e.what()));
    }
    return redirect_with_flash("/me/photo", "Thanks! Your photo is being processed; a teacher will review it.");
  });

  // The queue: the classes with their counts, then the photos (all the actor's, or one class's),
  // the processed photo beside the original (served only through the authorised original route).
  auto queue_page = [&app](http::Request& req, std::optional<std::int64_t> class_id) {
    auto actor = api::actor_of(req);
    auto classes = services::moderation_classes(app, actor);
    auto rows =
        class_id ? services::class_queue(app, actor, *class_id, 200) : services::pending_moderation(app, actor, 200);
    J list = J::array();
    for (auto& p : rows) {
      std::string id = std::to_string(p.photo_id);
      list.push_back({{"id", id},
                      {"name", p.full_name},
                      {"quote", p.quote},
                      {"uploaded", iso8601_utc(p.created_at)},
                      {"compressed", "/api/v1/photos/" + id + "/jpeg"},
                      {"compressed_webp", "/api/v1/photos/" + id + "/webp"},
                      {"original", "/api/v1/photos/" + id + "/original"}});
    }
    J tabs = J::array();
    std::string title = "Photo review";
    for (auto& c : classes) {
      bool current = class_id && *class_id == c.class_id;
      if (current) title += ": " + c.name;
      tabs.push_back({{"href", "/moderation/classes/" + std::to_string(c.class_id)},
                      {"name", c.name + " (" + std::to_string(c.year) + ")"},
                      {"count", std::to_string(c.pending)},
                      {"current", current}});
    }
    std::string back = class_id ? "/moderation/classes/" + std::to_string(*class_id) : "/moderation";
    return page(req, "moderation", title,
                {{"photos", list},
                 {"has_photos", !list.empty()},
                 {"classes", tabs},
                 {"has_classes", !tabs.empty()},
                 {"all", !class_id},
                 {"back", back},
                 {"title", title}});
  };
  r.get("/moderation", [queue_page](http::Request& req) { return queue_page(req, std::nullopt); });
  r.get("/moderation/classes/{class_id}",
        [queue_page](http::Request& req) { return queue_page(req, req.param_id("class_id")); });

  // Only back to our own queue pages: `back` comes from the form.
  auto back_of = [](const std::multimap<std::string, std::string>& f) {
    std::string b = http::first_value(f, "back");
    bool ok = b == "/moderation" || (b.rfind("/moderation/classes/", 0) == 0 && b.size() < 40 &&
                                     b.find_first_not_of("0123456789", 20) == std::string::npos && b.size() > 20);
    return ok ? b : std::string("/moderation");
  };

  for (const char* verb : {"approve", "reject"}) {
    bool approve = std::string(verb) == "approve";
    r.post(std::string("/moderation/{id}/") + verb, [&app, approve, back_of](http::Request& req) {
      auto actor = api::actor_of(req);
      auto f = req.form();
      services::moderate_photo(app, actor, req.param_id("id"), approve, http::first_value(f, "reason"));
      return redirect_with_flash(back_of(f), approve ? "Approved." : "Rejected; the student will see your reason.");
    });
  }

  // Bulk approval: all the ticked photos or none, with a report either way.
  r.post("/moderation/approve", [&app, back_of](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    std::vector<std::int64_t> ids;
    for (auto [it, end] = f.equal_range("photo"); it != end; ++it) {
      const auto& v = it->second;
      if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::invalid, "invalid", "photo ids must be whole numbers");
      ids.push_back(std::stoll(v));
    }
    std::vector<std::int64_t> done;
    try {
      done = services::approve_photos(app, actor, ids);
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::conflict && e.kind != ErrorKind::invalid) throw;
      return redirect_with_flash(back_of(f), std::string("Nothing was approved. ") + e.what());
    }
    return redirect_with_flash(back_of(f),
                               "Approved " + std::to_string(done.size()) + (done.size() == 1 ? " photo." : " photos."));
  });

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
