#pragma once
// A whole application for handler tests: fresh database (SQLite or MariaDB), a file store in a temp
// dir, the real router with its middleware, and a small cookie-keeping client that calls
// Router::dispatch directly (no socket).
#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "services/app.h"

namespace sy::test {

std::unique_ptr<services::App> make_app();
std::int64_t make_user(services::App& app, const std::string& username, const std::string& role,
                       const std::string& password = "correct horse battery");

struct Client {
  http::Router& router;
  std::string cookie;  // "name=value" of the session cookie, once logged in
  std::string device;  // "name=value" of the device cookie (login throttling), once logged in
  std::string csrf;    // from the login response
  std::string ip = "192.0.2.10";
  bool secure = false;  // as if over HTTPS (TLS, or a trusted proxy said so)
  bool send_csrf = true;

  http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::string& content_type = "application/json",
                      std::vector<std::pair<std::string, std::string>> headers = {});
  http::Response login(const std::string& username, const std::string& password = "correct horse battery");
  nlohmann::json json(const http::Response& r) const { return nlohmann::json::parse(r.body); }
};

// The Set-Cookie header values of a response.
std::vector<std::string> set_cookies(const http::Response& r);

}  // namespace sy::test
