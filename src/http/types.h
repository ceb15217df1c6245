#pragma once
// Our own small HTTP types: handlers and middleware see these, never RESTinio or asio, so they can
// be tested without a socket (build a Request, call the handler, inspect the Response).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/states.h"
#include "http/events.h"

namespace sy::http {

// The HTTP status for a kind of failure (the one place that decides it).
int status_of(ErrorKind kind);

// The logged-in user, filled by the session middleware (web layer).
struct Principal {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::anonymous;
  std::string full_name;
  std::string session_id;  // database id of the session row (never the raw token)
  std::string csrf_token;
};

// Hostile JSON must cost time linear in its size and memory bounded by these, never a stall.
// Over a limit: AppError 400 json_too_deep, 413 json_too_many_values / json_string_too_long /
// json_key_too_long; malformed: 400 invalid_json.
struct JsonLimits {
  int max_depth = 32;                  // nesting of arrays and objects
  std::size_t max_values = 10'000;     // values of any kind, containers and object keys included
  std::size_t max_string = 64 * 1024;  // bytes of one string value (decoded)
  std::size_t max_key = 256;           // bytes of one object key (decoded)
};

// Forms and query strings. Over a limit: AppError 413 too_many_fields / field_name_too_long /
// field_value_too_long, before more than max_fields fields are stored.
struct FormLimits {
  std::size_t max_fields = 200;
  std::size_t max_name = 256;         // bytes, decoded
  std::size_t max_value = 64 * 1024;  // bytes, decoded
};

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // percent-decoded path, no query string
  std::string target;                                        // raw request target as received
  std::multimap<std::string, std::string> query;             // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;  // peer address (or the client from a trusted proxy)
  bool secure = false;    // HTTPS, or X-Forwarded-Proto: https from a trusted proxy
  std::string request_id;
  std::string route;                          // matched route pattern, for metrics ("" if none)
  std::map<std::string, std::string> params;  // route parameters ({id} → "42")
  std::optional<Principal> user;

  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
  std::optional<std::string> cookie(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  // An integer query parameter: `dflt` when absent or empty, clamped into [min, max]; AppError 400
  // when it is not a whole number.
  std::int64_t query_int(std::string_view name, std::int64_t dflt, std::int64_t min, std::int64_t max) const;
  std::int64_t param_id(const std::string& name) const;  // positive integer or AppError 404
  // The parsers below check Content-Type when one is sent (415 otherwise), answer malformed input
  // with AppError 400 and input over a limit (JsonLimits, FormLimits) with 400/413 and its own code.
  bool is_api() const { return path.rfind("/api/", 0) == 0; }
  bool is_unsafe() const { return !(method == "GET" || method == "HEAD" || method == "OPTIONS"); }
  nlohmann::json json_body(const JsonLimits& limits) const;  // parsed object or AppError
  nlohmann::json json_body() const;
  // application/x-www-form-urlencoded body
  std::multimap<std::string, std::string> form(const FormLimits& limits) const;
  std::multimap<std::string, std::string> form() const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set by event_stream(): the server sends the status and headers, keeps the connection open and
  // hands on_open the stream (http/events.h). Empty for every ordinary response.
  StreamOpen stream;

  // Replaces any header of that name (case-insensitive). Names and values with CR, LF or NUL throw
  // std::invalid_argument (no header injection).
  void set_header(std::string name, std::string value);
  void add_header(std::string name, std::string value);  // keeps others (Set-Cookie)
  std::optional<std::string> header(std::string_view name) const;

  static Response json(int status, const nlohmann::json& j);
  static Response html(int status, std::string body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response no_content();
  static Response redirect(const std::string& location, int status = 303);
  static Response error_json(int status, const std::string& code, const std::string& message);
  // text/event-stream, never cached or buffered by a proxy (X-Accel-Buffering: no).
  static Response event_stream(StreamOpen on_open);
};

using Handler = std::function<Response(Request&)>;
// Middleware wraps the rest of the chain; call next(req) to continue.
using Middleware = std::function<Response(Request&, const Handler& next)>;

struct CookieOptions {
  bool http_only = true;
  bool secure = false;
  std::string same_site = "Lax";
  std::string path = "/";
  std::int64_t max_age = -1;  // -1 = session cookie, 0 = delete
};
// Throws std::invalid_argument for a name that is not a token or a value with characters a cookie
// cannot carry (callers pass tokens or url_encode()d text).
std::string make_set_cookie(const std::string& name, const std::string& value, const CookieOptions& o);

// Invalid %-escapes are kept literally.
std::string url_decode(std::string_view s, bool plus_as_space);
std::string url_encode(std::string_view s);  // everything but A-Z a-z 0-9 - . _ ~ is %XX
std::multimap<std::string, std::string> parse_urlencoded(std::string_view s, const FormLimits& limits = {});
nlohmann::json parse_json(std::string_view text, const JsonLimits& limits = {});  // any JSON value
// The first value of a form or query field, "" when absent.
std::string first_value(const std::multimap<std::string, std::string>& fields, std::string_view name);
std::string html_escape(std::string_view s);
std::string_view reason_phrase(int status);  // "Not Found"; "Unknown" for codes we never send

}  // namespace sy::http
