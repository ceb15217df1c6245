#include "api/photos_api.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/multipart.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

J opt_time(const std::optional<std::int64_t>& t) { return t ? J(iso8601_utc(*t)) : J(); }
J opt_int(const std::optional<std::int64_t>& v) { return v ? J(*v) : J(); }

std::string optional_text(const J& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return "";
  if (!it->is_string()) fail(ErrorKind::invalid, "invalid", std::string("field '") + field + "' must be a string");
  return it->get<std::string>();
}

// Personal data of minors, and consent may be withdrawn at any moment: never kept in caches.
http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "private, no-store");
  return r;
}

}  // namespace

J photo_json(const services::PhotoView& v) {
  const auto& p = v.photo;
  J urls;  // null until the derivatives exist
  if (p.status == PhotoStatus::ready && !v.variants.empty()) {
    urls = J::object();
    for (const auto& var : v.variants) urls[var.variant] = "/api/v1/photos/" + std::to_string(p.id) + "/" + var.variant;
  }
  J error;
  if (!p.error_code.empty()) error = {{"code", p.error_code}, {"message", p.error}};
  return {{"photo_id", p.id},
          {"student_id", p.student_id},
          {"status", p.status},
          {"moderation", p.moderation},
          {"moderation_reason", p.moderation_reason.empty() ? J() : J(p.moderation_reason)},
          {"moderated_at", opt_time(p.moderated_at)},
          {"error", error},
          {"quote", p.quote},
          {"current", p.is_current},
          {"created_at", iso8601_utc(p.created_at)},
          {"ready_at", opt_time(p.ready_at)},
          {"urls", urls}};
}

J job_json(const db::JobRow& j) {
  return {{"id", j.id},
          {"kind", j.kind},
          {"photo_id", opt_int(j.photo_id)},
          {"status", j.status},
          {"result", j.result.empty() ? J() : J(j.result)},
          {"attempts", j.attempts},
          {"last_error", j.last_error.empty() ? J() : J(j.last_error)},
          {"lease_owner", j.status == JobStatus::running ? J(j.lease_owner) : J()},
          {"created_at_ms", j.created_at_ms},
          {"updated_at_ms", j.updated_at_ms},
          {"started_at_ms", opt_int(j.started_at_ms)},
          {"finished_at_ms", opt_int(j.finished_at_ms)},
          {"event", services::job_event_record(j)}};
}

void mount_photos_api(http::Router& r, services::App& app) {
  // The only API route with a large body; 64 KiB over the photo limit for the multipart framing.
  r.limit_body("POST", "/api/v1/me/photo", static_cast<std::uint64_t>(app.config.max_upload_bytes) + 64 * 1024);
  r.post("/api/v1/me/photo", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto parts = http::parse_multipart(req);
    const http::Part* photo = http::find_part(parts, "photo");
    if (!photo) fail(ErrorKind::invalid, "invalid", "multipart field 'photo' is required");
    const http::Part* quote = http::find_part(parts, "quote");
    auto res = services::upload_photo(app, a, photo->data, quote ? quote->data : "");
    return no_store(http::Response::json(202, {{"photo_id", res.photo_id}, {"status", res.status}}));
  });

  r.get("/api/v1/me/photo", [&app](http::Request& req) {
    return no_store(http::Response::json(200, photo_json(services::my_photo(app, actor_of(req)))));
  });

  r.get("/api/v1/photos/{id}", [&app](http::Request& req) {
    return no_store(http::Response::json(200, photo_json(services::get_photo(app, actor_of(req), req.param_id("id")))));
  });

  r.get("/api/v1/photos/{id}/{variant}", [&app](http::Request& req) {
    auto id = req.param_id("id");
    const std::string& variant = req.params.at("variant");
    auto v = services::read_photo(app, actor_of(req), id, variant);
    auto resp = http::Response::text(200, std::move(v.bytes), v.content_type);
    // A fixed name: nothing the uploader chose reaches a header (ASVS 12.3.4).
    resp.set_header("Content-Disposition",
                    "inline; filename=\"photo-" + std::to_string(id) + "-" + variant + "." + v.extension + "\"");
    resp.set_header("X-Content-Type-Options", "nosniff");
    resp.set_header("ETag", "\"" + v.sha256 + "\"");
    return no_store(std::move(resp));
  });

  auto moderate = [&app](bool approve) {
    return [&app, approve](http::Request& req) {
      auto a = actor_of(req);
      auto id = req.param_id("id");
      std::string reason;
      if (!req.body.empty()) reason = optional_text(req.json_body(), "reason");
      services::moderate_photo(app, a, id, approve, reason);
      return no_store(http::Response::json(200, photo_json(services::get_photo(app, a, id))));
    };
  };
  r.post("/api/v1/photos/{id}/approve", moderate(true));
  r.post("/api/v1/photos/{id}/reject", moderate(false));

  r.get("/api/v1/admin/jobs", [&app](http::Request& req) {
    auto a = actor_of(req);
    std::string status = req.query_param("status").value_or("");
    int limit = static_cast<int>(req.query_int("limit", 100, 1, 1000));
    J out = J::array();
    for (const auto& j : services::list_jobs(app, a, status, limit)) out.push_back(job_json(j));
    return no_store(http::Response::json(200, {{"jobs", out}}));
  });

  r.post("/api/v1/admin/jobs/{id}/retry", [&app](http::Request& req) {
    auto j = services::retry_job(app, actor_of(req), req.param_id("id"));
    return no_store(http::Response::json(200, {{"job", job_json(j)}}));
  });
}

}  // namespace sy::api
