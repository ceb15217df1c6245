#include "api/auth_api.h"

#include <charconv>

#include "api/context.h"
#include "api/session.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/login_throttle.h"
#include "services/permissions.h"
#include "services/users.h"

namespace sy::api {

std::int64_t session_id_of(const http::Request& req) {
  std::int64_t id = 0;
  if (req.user) {
    const auto& s = req.user->session_id;
    std::from_chars(s.data(), s.data() + s.size(), id);
  }
  return id;
}

nlohmann::json user_json(const db::UserRow& u) {
  return {{"id", u.id}, {"username", u.username}, {"role", u.role}, {"full_name", u.full_name}, {"active", u.active}};
}

void mount_auth_api(http::Router& r, services::App& app) {
  r.post("/api/v1/session", [&app](http::Request& req) {
    auto body = req.json_body();
    try {
      auto login = services::login(app, str_field(body, "username"), str_field(body, "password"), req.remote_ip,
                                   req.request_id, session_token(req), device_cookie(req));
      auto resp = http::Response::json(200, {{"user", user_json(login.user)}, {"csrf_token", login.csrf_token}});
      set_session_cookie(resp, req, login.token);
      set_device_cookie(resp, req, login.device_cookie);
      return resp;
    } catch (const services::Throttled& e) {
      return throttled_json(e);
    }
  });

  r.del("/api/v1/session", [&app](http::Request& req) {
    auto actor = actor_of(req);
    services::logout(app, session_token(req), actor);
    auto resp = http::Response::no_content();
    clear_session_cookie(resp, req);
    return resp;
  });

  r.get("/api/v1/me", [](http::Request& req) {
    auto a = actor_of(req);
    return http::Response::json(200, {{"id", a.id},
                                      {"username", a.username},
                                      {"role", a.role},
                                      {"full_name", req.user->full_name},
                                      {"csrf_token", req.user->csrf_token}});
  });

  // One's own password: the current one is required; the user's other sessions end.
  r.post("/api/v1/me/password", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    try {
      services::change_own_password(app, a, session_id_of(req), str_field(body, "current_password"),
                                    str_field(body, "new_password"));
    } catch (const services::Throttled& e) {
      return throttled_json(e);
    }
    return http::Response::no_content();
  });

  r.post("/api/v1/users", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    services::NewUser u{str_field(body, "username"), str_field(body, "password", false), str_field(body, "role"),
                        str_field(body, "full_name", false)};
    auto created = services::create_user(app, a, u);
    auto j = user_json(created.user);
    if (!created.generated_password.empty()) j["password"] = created.generated_password;
    return http::Response::json(201, j);
  });

  r.get("/api/v1/users", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto rows = services::list_users(app, a, req.query_param("role").value_or(""),
                                     static_cast<int>(req.query_int("limit", 100, 1, 500)),
                                     static_cast<int>(req.query_int("offset", 0, 0, 1'000'000'000)));
    nlohmann::json out = nlohmann::json::array();
    for (auto& u : rows) out.push_back(user_json(u));
    return http::Response::json(200, {{"users", out}});
  });

  r.get("/api/v1/users/{id}", [&app](http::Request& req) {
    return http::Response::json(200, user_json(services::get_user(app, actor_of(req), req.param_id("id"))));
  });

  r.add("PATCH", "/api/v1/users/{id}", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto id = req.param_id("id");
    auto body = req.json_body();
    if (body.contains("active")) {
      if (!body["active"].is_boolean()) fail(ErrorKind::invalid, "invalid", "field 'active' must be true or false");
      services::set_user_active(app, a, id, body["active"].get<bool>());
    }
    return http::Response::json(200, user_json(services::get_user(app, a, id)));
  });

  r.post("/api/v1/users/{id}/password", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.body.empty() ? nlohmann::json::object() : req.json_body();
    auto generated = services::reset_password(app, a, req.param_id("id"), str_field(body, "password", false));
    nlohmann::json out = {{"ok", true}};
    if (!generated.empty()) out["password"] = generated;
    return http::Response::json(200, out);
  });

  r.get("/api/v1/audit", [&app](http::Request& req) {
    auto a = actor_of(req);
    int limit = static_cast<int>(req.query_int("limit", 100, 1, 500));
    int offset = static_cast<int>(req.query_int("offset", 0, 0, 1'000'000'000));
    auto rows = services::audit_log(app, a, req.query_param("action").value_or(""),
                                    req.query_param("actor").value_or(""), limit, offset);
    nlohmann::json out = nlohmann::json::array();
    for (auto& r : rows)
      out.push_back({{"id", r.id},
                     {"at", iso8601_utc(r.at)},
                     {"actor_id", r.actor_id ? nlohmann::json(*r.actor_id) : nlohmann::json()},
                     {"actor", r.actor_username},
                     {"action", r.action},
                     {"entity_type", r.entity_type},
                     {"entity_id", r.entity_id},
                     {"detail", r.detail},
                     {"ip", r.ip},
                     {"request_id", r.request_id}});
    return http::Response::json(200, {{"entries", out}});
  });
}

}  // namespace sy::api
