#pragma once
// Session and CSRF middleware, and the session cookie. Cookie: HttpOnly, SameSite=Lax, Secure and
// the __Host- prefix when the request is HTTPS (or a trusted proxy says it was).
#include <string>

#include "http/types.h"
#include "services/app.h"
#include "services/login_throttle.h"

namespace sy::api {

constexpr const char* kCookie = "sy_session";
constexpr const char* kSecureCookie = "__Host-sy_session";

std::string session_token(const http::Request& req);  // from either cookie name, or ""

// The login-throttling device cookie (services/login_throttle.h): same rules as the session
// cookie, but SameSite=Strict and kept for months (it outlives sessions on purpose).
constexpr const char* kDeviceCookie = "sy_device";
constexpr const char* kSecureDeviceCookie = "__Host-sy_device";
std::string device_cookie(const http::Request& req);
void set_device_cookie(http::Response& resp, const http::Request& req, const std::string& value);
// 429 {"error":…} with Retry-After.
http::Response throttled_json(const services::Throttled& e);
void set_session_cookie(http::Response& resp, const http::Request& req, const std::string& token);
void clear_session_cookie(http::Response& resp, const http::Request& req);

// Resolves the session into req.user; enforces Origin and the CSRF token on unsafe requests made
// with a session; audits every 403 as access.denied.
http::Middleware session_middleware(services::App& app);

}  // namespace sy::api
