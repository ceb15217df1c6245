#include "api/session.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "http/multipart.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/login_throttle.h"

namespace sy::api {

namespace {

// Login endpoints run before a session exists; Origin is still checked for them.
bool csrf_exempt(const http::Request& req) {
  return req.method == "POST" && (req.path == "/api/v1/session" || req.path == "/login");
}

// "https://host:port" → "host:port"
std::string origin_host(const std::string& origin) {
  auto p = origin.find("://");
  return p == std::string::npos ? origin : origin.substr(p + 3);
}

http::Response forbidden_csrf(const http::Request& req, const std::string& why) {
  spdlog::warn("csrf rejected: {} path={} request_id={}", why, log_safe(req.path), req.request_id);
  throw AppError(ErrorKind::forbidden, "csrf_failed",
                 "the request failed the cross-site request check; reload the page and try again");
}

// Multipart forms (the photo upload page) carry _csrf as a part.
std::string multipart_csrf(const http::Request& req) {
  auto ct = req.header("content-type").value_or("");
  if (ct.rfind("multipart/form-data", 0) != 0) return "";
  try {
    for (auto& part : http::parse_multipart(ct, req.body))
      if (part.name == "_csrf") return part.data;
  } catch (const AppError&) {}
  return "";
}

}  // namespace

std::string session_token(const http::Request& req) {
  if (auto c = req.cookie(kSecureCookie)) return *c;
  if (auto c = req.cookie(kCookie)) return *c;
  return "";
}

void set_session_cookie(http::Response& resp, const http::Request& req, const std::string& token) {
  http::CookieOptions o;
  o.secure = req.secure;
  resp.headers.emplace_back("Set-Cookie", http::make_set_cookie(req.secure ? kSecureCookie : kCookie, token, o));
}

void clear_session_cookie(http::Response& resp, const http::Request& req) {
  http::CookieOptions o;
  o.secure = req.secure;
  o.max_age = 0;
  resp.headers.emplace_back("Set-Cookie", http::make_set_cookie(req.secure ? kSecureCookie : kCookie, "", o));
}

std::string device_cookie(const http::Request& req) {
  if (auto c = req.cookie(kSecureDeviceCookie)) return *c;
  if (auto c = req.cookie(kDeviceCookie)) return *c;
  return "";
}

void set_device_cookie(http::Response& resp, const http::Request& req, const std::string& value) {
  http::CookieOptions o;
  o.secure = req.secure;
  o.same_site = "Strict";  // only ever needed by our own login form and API clients
  o.max_age = services::kDeviceCookieMaxAgeSeconds;
  resp.headers.emplace_back("Set-Cookie",
                            http::make_set_cookie(req.secure ? kSecureDeviceCookie : kDeviceCookie, value, o));
}

http::Response throttled_json(const services::Throttled& e) {
  auto resp = http::Response::json(http::status_of(e.kind), {{"error", {{"code", e.code}, {"message", e.what()}}}});
  resp.set_header("Retry-After", std::to_string(e.retry_after));
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

void audit_denial(services::App& app, const http::Request& req, const std::string& code) {
  services::Actor a{0, "anonymous", Role::anonymous, req.remote_ip, req.request_id};
  if (req.user) a = services::Actor{req.user->id, req.user->username, req.user->role, req.remote_ip, req.request_id};
  services::audit_now(app, a, "access.denied", "path", req.method + " " + req.path.substr(0, 50), code);
}

http::Response check_and_run(services::App& app, http::Request& req, const http::Handler& next) {
  std::string token = session_token(req);
  if (!token.empty()) {
    if (auto s = services::resolve_session(app, token)) {
      http::Principal p;
      p.id = s->user.id;
      p.username = s->user.username;
      p.role = s->user.role;
      p.full_name = s->user.full_name;
      p.session_id = std::to_string(s->session_id);
      p.csrf_token = s->csrf_token;
      req.user = p;
    }
  }
  if (req.is_unsafe()) {
    // A cross-site browser request carries an Origin that is not ours.
    if (auto origin = req.header("origin")) {
      auto host = req.header("host").value_or("");
      if (*origin == "null" || origin_host(*origin) != host) return forbidden_csrf(req, "origin mismatch");
    }
    if (req.user && !csrf_exempt(req)) {
      std::string sent = req.header("x-csrf-token").value_or("");
      if (sent.empty() && req.header("content-type").value_or("").rfind("application/x-www-form-urlencoded", 0) == 0) {
        // The route's body limit already bounds the value (the CSV import posts megabytes).
        auto f = req.form({.max_value = req.body.size()});
        auto it = f.find("_csrf");
        if (it != f.end()) sent = it->second;
      }
      if (sent.empty()) sent = multipart_csrf(req);
      if (sent.empty() || !constant_time_equal(sent, req.user->csrf_token)) return forbidden_csrf(req, "bad token");
    }
  }
  return next(req);
}

http::Middleware session_middleware(services::App& app) {
  return [&app](http::Request& req, const http::Handler& next) -> http::Response {
    try {
      // The router turns a handler's AppError into a response inside the chain: look at both.
      auto resp = check_and_run(app, req, next);
      if (resp.status == 403) audit_denial(app, req, "forbidden");
      return resp;
    } catch (const AppError& e) {
      if (e.kind == ErrorKind::forbidden) audit_denial(app, req, e.code);
      throw;
    }
  };
}

}  // namespace sy::api
