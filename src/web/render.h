#pragma once
// Server-rendered HTML: kainjow mustache templates (auto-escaped {{x}}) embedded in the binary,
// rendered inside one shared layout (navigation by role, CSRF token for forms).
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "http/types.h"
#include "web/shared_page_cache.h"

namespace sy::web {

const std::map<std::string, std::string>& embedded_templates();  // "login.mustache" → text
const std::map<std::string, std::string>& embedded_static();     // "app.css" → bytes

// Renders templates/<name>.mustache with `data` (JSON → mustache data), no layout.
std::string render(const std::string& name, const nlohmann::json& data);
// A full page: the named template inside layout.mustache. The layout receives: title, user,
// nav (by role), csrf_token (use it as a hidden `_csrf` field in every POST form), flash.
http::Response page(const http::Request& req, const std::string& name, const std::string& title,
                    nlohmann::json data = nlohmann::json::object(), int status = 200);
// A shared page (web/shared_page_cache.h): the cached body inside the layout, whose per-user parts
// (navigation, CSRF token, flash) are rendered for this request. etag_seed names the body's
// content and version; the ETag covers the per-user parts too, and If-None-Match answers 304.
// Cache-Control "private, no-cache".
http::Response shared_page(const http::Request& req, const SharedBody& body, const std::string& etag_seed);
// Numbers shown beside navigation links (href → count, e.g. photos awaiting review), set once by
// build_router; asked for on every logged-in page, so it must be cheap.
using NavCounts = std::function<std::map<std::string, std::int64_t>(const http::Request&)>;
void set_nav_counts(NavCounts f);
// Post/redirect/get with a one-line message shown on the next page (?flash=...).
http::Response redirect_with_flash(const std::string& location, const std::string& message);
// The readable error page (set as Router::error_page).
http::Response error_page(const http::Request& req, int status, const std::string& code, const std::string& message);
// /static/* from the embedded files, with ETag and Cache-Control.
void mount_static(http::Router& r);

}  // namespace sy::web
