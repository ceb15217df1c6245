#include "api/comm_api.h"

#include "api/context.h"
#include "api/session.h"
#include "core/clock.h"
#include "services/login_throttle.h"
#include "services/mail.h"
#include "services/password_reset.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

J mail_json(const db::OutboxRow& m) {
  return {{"id", m.id},
          {"to", m.to_address},
          {"to_user_id", m.to_user_id ? J(*m.to_user_id) : J()},
          {"template", m.template_name},
          {"subject", m.subject},
          {"essential", m.essential},
          {"status", m.job_id ? m.job_status : std::string("skipped")},
          {"skipped", m.skipped},
          {"job_id", m.job_id ? J(*m.job_id) : J()},
          {"attempts", m.attempts},
          {"last_error", m.last_error},
          {"created_at", iso8601_utc(m.created_at)},
          {"sent_at", m.sent_at ? J(iso8601_utc(*m.sent_at)) : J()}};
}

http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void mount_comm_api(http::Router& r, services::App& app) {
  r.get("/api/v1/admin/mail", [&app](http::Request& req) {
    auto a = actor_of(req);
    J out = J::array();
    for (const auto& m : services::list_mail(app, a, req.query_param("status").value_or(""),
                                             static_cast<int>(req.query_int("limit", 100, 1, 500))))
      out.push_back(mail_json(m));
    return no_store(http::Response::json(200, {{"mail", out}}));
  });

  r.post("/api/v1/admin/mail/{id}/retry", [&app](http::Request& req) {
    auto m = services::retry_mail(app, actor_of(req), req.param_id("id"));
    return no_store(http::Response::json(200, {{"mail", mail_json(m)}}));
  });

  r.post("/api/v1/password-reset", [&app](http::Request& req) {
    auto body = req.json_body();
    try {
      services::request_password_reset(app, str_field(body, "login"), req.remote_ip, req.request_id);
    } catch (const services::Throttled& e) {
      return throttled_json(e);
    }
    return no_store(http::Response::json(
        202,
        {{"ok", true}, {"message", "If an account with an email address matches, a reset link is on its way to it."}}));
  });

  r.post("/api/v1/password-reset/confirm", [&app](http::Request& req) {
    auto body = req.json_body();
    services::complete_password_reset(app, str_field(body, "token"), str_field(body, "new_password"), req.remote_ip,
                                      req.request_id);
    return http::Response::no_content();
  });
}

}  // namespace sy::api
