#pragma once
// Session and CSRF middleware, and the session cookie. Cookie: HttpOnly, SameSite=Lax, Secure and
// the __Host- prefix when the request is HTTPS (or a trusted proxy says it was).
#include <string>

#include "http/types.h"
#include "services/app.h"

namespace sy::api {

constexpr const char* kCookie = "sy_session";
constexpr const char* kSecureCookie = "__Host-sy_session";

std::string session_token(const http::Request& req);  // from either cookie name, or ""
void set_session_cookie(http::Response& resp, const http::Request& req, const std::string& token);
void clear_session_cookie(http::Response& resp, const http::Request& req);

// Resolves the session into req.user; enforces Origin and the CSRF token on unsafe requests made
// with a session; audits every 403 as access.denied.
http::Middleware session_middleware(services::App& app);

}  // namespace sy::api
