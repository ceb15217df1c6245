#include "web/comm_pages.h"

#include "api/context.h"
#include "api/session.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/login_throttle.h"
#include "services/mail.h"
#include "services/password_reset.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

// The reset token is in the page's URL: no referrer may carry it elsewhere.
http::Response private_page(http::Response r) {
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void mount_comm_pages(http::Router& r, services::App& app) {
  r.get("/admin/mail", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    std::string status = req.query_param("status").value_or("dead");
    static const char* kTabs[][2] = {{"dead", "dead letters"},
                                     {"queued", "queued"},
                                     {"running", "sending"},
                                     {"done", "sent"},
                                     {"skipped", "not sent"}};
    bool known = false;
    for (auto& t : kTabs) known = known || status == t[0];
    if (!known) status = "dead";
    J list = J::array();
    for (const auto& m : services::list_mail(app, actor, status, 200))
      list.push_back({{"id", std::to_string(m.id)},
                      {"to", m.to_address},
                      {"subject", m.subject},
                      {"created", iso8601_utc(m.created_at)},
                      {"attempts", std::to_string(m.attempts)},
                      {"error", m.last_error},
                      {"skipped", m.skipped},
                      {"dead", m.job_status == "dead"}});
    J tabs = J::array();
    for (auto& t : kTabs) tabs.push_back({{"status", t[0]}, {"label", t[1]}, {"current", status == t[0]}});
    return page(req, "admin_mail", "Email", {{"mail", list}, {"tabs", tabs}, {"status", status}});
  });

  r.post("/admin/mail/{id}/retry", [&app](http::Request& req) {
    services::retry_mail(app, api::actor_of(req), req.param_id("id"));
    return redirect_with_flash("/admin/mail", "Queued again.");
  });

  r.get("/password-reset",
        [](http::Request& req) { return private_page(page(req, "password_reset", "Forgot your password?")); });

  r.post("/password-reset", [&app](http::Request& req) {
    auto f = req.form();
    try {
      services::request_password_reset(app, http::first_value(f, "login"), req.remote_ip, req.request_id);
    } catch (const services::Throttled& e) {
      auto resp = page(req, "password_reset", "Forgot your password?", {{"error", e.what()}}, 429);
      resp.set_header("Retry-After", std::to_string(e.retry_after));
      return private_page(std::move(resp));
    }
    return private_page(page(req, "password_reset", "Forgot your password?",
                             {{"sent", true}, {"minutes", std::to_string(services::kResetLinkMinutes)}}));
  });

  r.get("/password-reset/confirm", [](http::Request& req) {
    std::string token = req.query_param("token").value_or("");
    if (token.size() > 100) token.clear();
    J d = {{"token", token}};
    if (token.empty()) d["error"] = "This link is incomplete; ask for a new one.";
    return private_page(page(req, "password_reset_confirm", "Choose a new password", d));
  });

  r.post("/password-reset/confirm", [&app](http::Request& req) {
    auto f = req.form();
    std::string token = http::first_value(f, "token");
    try {
      services::complete_password_reset(app, token, http::first_value(f, "new_password"), req.remote_ip,
                                        req.request_id);
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid) throw;
      // A bad link cannot be fixed on this page; a weak password can, with the same link.
      J d = {{"error", e.what()}};
      if (e.code != "invalid_token") d["token"] = token.substr(0, 100);
      return private_page(page(req, "password_reset_confirm", "Choose a new password", d, 422));
    }
    auto resp = redirect_with_flash("/login", "Password set. Log in with your new password.");
    return private_page(std::move(resp));
  });
}

}  // namespace sy::web
