#pragma once
// Method + path-pattern routing ("/api/v1/classes/{id}/students"). Unknown path → 404, known path
// with another method → 405 (never RESTinio's 501).
//
// Patterns: literal segments, `{name}` (one non-empty segment, in Request::params) and a final
// `{name*}` (the non-empty rest of the path, '/' included). The most specific match wins: literal
// before `{name}` before `{name*}`, compared segment by segment. HEAD uses the GET route when no
// HEAD route exists (the server sends no body).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/types.h"

namespace sy::http {

class Router {
 public:
  void add(std::string method, std::string pattern, Handler h);  // std::logic_error on a duplicate
  void get(std::string p, Handler h) { add("GET", std::move(p), std::move(h)); }
  void post(std::string p, Handler h) { add("POST", std::move(p), std::move(h)); }
  void put(std::string p, Handler h) { add("PUT", std::move(p), std::move(h)); }
  void del(std::string p, Handler h) { add("DELETE", std::move(p), std::move(h)); }
  // Middleware runs in the order added (the first is outermost), around the matched handler and
  // around the 404/405 answers too; Request::route and params are already set when it runs.
  void use(Middleware m) { middleware_.push_back(std::move(m)); }

  // Request bodies are small unless a route says otherwise: the server refuses with 413, at header
  // time and before buffering anything, a body over body_limit(method, path), which is the largest
  // limit_body() whose method and pattern match, or std::nullopt (then ServerOptions::max_body_bytes).
  // Upload routes register theirs where they are mounted.
  void limit_body(std::string method, std::string pattern, std::uint64_t max_bytes);
  std::optional<std::uint64_t> body_limit(std::string_view method, std::string_view path) const;
  std::uint64_t largest_body_limit() const;  // 0 when no route has its own
  // Every registered (method, pattern) in the order added: route-coverage tests enumerate it so a
  // new route cannot be missed (tests/api/authz_matrix_test.cpp).
  std::vector<std::pair<std::string, std::string>> routes() const;

  // Runs middleware + the matched handler; AppError and other exceptions become error responses
  // (JSON for /api/, HTML via the error page renderer otherwise). Then, on every response: the
  // request id (a sane incoming X-Request-Id or a new one) in X-Request-Id, nosniff, a CSP, the
  // HTML security headers of CONTRACT.md, HSTS when Request::secure.
  // AppError keeps its status/code/message; nlohmann::json errors (a missing or mistyped field)
  // become 400; anything else is a 500 whose message only names the request id.
  Response dispatch(Request& req) const;

  // The error response dispatch produces for (status, code, message), with the same headers; for
  // requests refused before routing (413, malformed).
  Response error_response(Request& req, int status, const std::string& code, const std::string& message) const;

  // Renders an HTML error page (set by the web layer; default is a plain page).
  std::function<Response(const Request&, int status, const std::string& code, const std::string& message)> error_page;

 private:
  struct Segment {
    enum Kind { literal, param, rest } kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };
  const Route* match(Request& req, std::vector<std::string>& allowed) const;
  Response run(std::size_t i, Request& req, const Handler& inner) const;
  Response render_error(const Request& req, int status, const std::string& code, const std::string& message) const;
  Response from_current_exception(const Request& req) const;
  void finish(Request& req, Response& resp) const;

  struct BodyRule {
    std::string method;
    std::vector<Segment> segments;
    std::uint64_t max_bytes;
  };
  static std::vector<Segment> parse_pattern(const std::string& pattern);

  std::vector<Route> routes_;
  std::vector<BodyRule> body_rules_;
  std::vector<Middleware> middleware_;
};

// Security headers applied by dispatch (exposed for tests and for responses built elsewhere).
void apply_security_headers(const Request& req, Response& resp);
constexpr const char* kHtmlCsp =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
// Non-HTML responses (JSON, images) must never run as a document.
constexpr const char* kOtherCsp = "default-src 'none'; frame-ancestors 'none'; sandbox";

// A sane incoming request id: 1-64 of [A-Za-z0-9._:-].
bool valid_request_id(std::string_view id);

}  // namespace sy::http
