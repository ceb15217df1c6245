#include "http/types.h"

#include <algorithm>
#include <stdexcept>

#include "core/error.h"
#include "core/text.h"

namespace sy::http {
namespace {

using text::iequals;

// The media type of a Content-Type value, lower-cased, without parameters.
std::string media_type(std::string_view v) {
  auto semi = v.find(';');
  return text::to_lower(text::trim(v.substr(0, semi), text::kSpaceTab));
}

void require_media_type(const Request& req, std::initializer_list<std::string_view> allowed) {
  auto ct = req.header("content-type");
  if (!ct) return;
  auto t = media_type(*ct);
  for (auto a : allowed)
    if (t == a) return;
  fail(ErrorKind::unsupported_type, "unsupported_type", "expected Content-Type " + std::string(*allowed.begin()));
}

bool is_token_char(unsigned char c) {
  static const std::string_view separators = "()<>@,;:\\\"/[]?={} \t";
  return c > 0x20 && c < 0x7f && separators.find(static_cast<char>(c)) == std::string_view::npos;
}

void check_header_text(const std::string& s, const char* what) {
  if (s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    throw std::invalid_argument(std::string("response header ") + what + " contains CR, LF or NUL");
}

}  // namespace

int status_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
      return 400;
    case ErrorKind::unauthorized:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::method_not_allowed:
      return 405;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::gone:
      return 410;
    case ErrorKind::too_large:
      return 413;
    case ErrorKind::unsupported_type:
      return 415;
    case ErrorKind::invalid:
      return 422;
    case ErrorKind::throttled:
      return 429;
    case ErrorKind::unavailable:
      return 503;
    case ErrorKind::internal:
      return 500;
  }
  return 500;
}

std::optional<std::string> Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (!iequals(k, "cookie")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = text::trim(rest.substr(0, semi), text::kSpaceTab);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || text::trim(pair.substr(0, eq), text::kSpaceTab) != name) continue;
      auto value = text::trim(pair.substr(eq + 1), text::kSpaceTab);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string first_value(const std::multimap<std::string, std::string>& fields, std::string_view name) {
  auto it = fields.find(std::string(name));
  return it == fields.end() ? "" : it->second;
}

std::int64_t Request::query_int(std::string_view name, std::int64_t dflt, std::int64_t min, std::int64_t max) const {
  auto v = query_param(name);
  if (!v || v->empty()) return std::clamp(dflt, min, max);
  std::string_view digits = *v;
  if (digits.front() == '-') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    fail(ErrorKind::bad_request, "bad_request", "query parameter '" + std::string(name) + "' must be a whole number");
  return std::clamp<std::int64_t>(std::stoll(*v), min, max);
}

std::int64_t Request::param_id(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty() || it->second.size() > 18 ||
      !std::all_of(it->second.begin(), it->second.end(), [](char c) { return c >= '0' && c <= '9'; }))
    not_found();
  std::int64_t v = std::stoll(it->second);
  if (v <= 0) not_found();
  return v;
}

nlohmann::json Request::json_body(const JsonLimits& limits) const {
  require_media_type(*this, {"application/json"});
  auto j = parse_json(body, limits);
  if (!j.is_object()) bad_request("request body must be a JSON object");
  return j;
}

nlohmann::json Request::json_body() const { return json_body(JsonLimits{}); }

std::multimap<std::string, std::string> Request::form(const FormLimits& limits) const {
  require_media_type(*this, {"application/x-www-form-urlencoded"});
  return parse_urlencoded(body, limits);
}

std::multimap<std::string, std::string> Request::form() const { return form(FormLimits{}); }

namespace {

// Builds the DOM through nlohmann's SAX interface and checks every limit as the value arrives, so
// the cost is linear in the input. (A parse callback used as a depth guard instead makes the parser
// revisit the parent container at every closing bracket: quadratic in the number of elements.)
class LimitedDom {
 public:
  using json = nlohmann::json;
  LimitedDom(json& root, const JsonLimits& limits) : dom_(root), limits_(limits) {}

  bool null() { return value() && dom_.null(); }
  bool boolean(bool v) { return value() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return value() && dom_.number_float(v, s); }
  bool string(json::string_t& v) {
    if (v.size() > limits_.max_string)
      fail(ErrorKind::too_large, "json_string_too_long",
           "a string in the request body is longer than " + std::to_string(limits_.max_string) + " bytes");
    return value() && dom_.string(v);
  }
  bool binary(json::binary_t& v) { return value() && dom_.binary(v); }
  bool start_object(std::size_t n) { return open() && dom_.start_object(n); }
  bool key(json::string_t& k) {
    if (k.size() > limits_.max_key)
      fail(ErrorKind::too_large, "json_key_too_long",
           "an object key in the request body is longer than " + std::to_string(limits_.max_key) + " bytes");
    return value() && dom_.key(k);
  }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return open() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    fail(ErrorKind::bad_request, "invalid_json", "request body is not valid JSON");
  }

 private:
  bool value() {
    if (++values_ > limits_.max_values)
      fail(ErrorKind::too_large, "json_too_many_values",
           "the request body has more than " + std::to_string(limits_.max_values) + " JSON values");
    return true;
  }
  bool open() {
    if (++depth_ > limits_.max_depth)
      fail(ErrorKind::bad_request, "json_too_deep",
           "the request body is nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    return value();
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const JsonLimits& limits_;
  int depth_ = 0;
  std::size_t values_ = 0;
};

}  // namespace

nlohmann::json parse_json(std::string_view text, const JsonLimits& limits) {
  nlohmann::json j;
  LimitedDom sax(j, limits);
  try {
    if (!nlohmann::json::sax_parse(text, &sax))
      fail(ErrorKind::bad_request, "invalid_json", "request body is not valid JSON");
  } catch (const nlohmann::json::exception&) {
    fail(ErrorKind::bad_request, "invalid_json", "request body is not valid JSON");
  }
  return j;
}

void Response::set_header(std::string name, std::string value) {
  check_header_text(name, "name");
  check_header_text(value, "value");
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
}

void Response::add_header(std::string name, std::string value) {
  check_header_text(name, "name");
  check_header_text(value, "value");
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

Response Response::json(int status, const nlohmann::json& j) {
  Response r;
  r.status = status;
  r.set_header("Content-Type", "application/json");
  // Invalid UTF-8 from stored text must not turn a response into an exception.
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::html(int status, std::string body) {
  return text(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.set_header("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::redirect(const std::string& location, int status) {
  Response r;
  r.status = status;
  r.set_header("Location", location);
  return r;
}

Response Response::event_stream(StreamOpen on_open) {
  Response r;
  r.status = 200;
  r.set_header("Content-Type", "text/event-stream; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.set_header("X-Accel-Buffering", "no");
  r.stream = std::move(on_open);
  return r;
}

Response Response::error_json(int status, const std::string& code, const std::string& message) {
  return json(status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string make_set_cookie(const std::string& name, const std::string& value, const CookieOptions& o) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return is_token_char(c); }))
    throw std::invalid_argument("invalid cookie name");
  // RFC 6265 cookie-octet: printable ASCII except space, '"', ',', ';' and '\'.
  for (unsigned char c : value)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
      throw std::invalid_argument("invalid character in cookie value");
  if (o.same_site != "Lax" && o.same_site != "Strict" && o.same_site != "None" && !o.same_site.empty())
    throw std::invalid_argument("invalid SameSite value");
  if (o.path.empty() || o.path.front() != '/' ||
      o.path.find_first_of(std::string_view(";\r\n\0", 4)) != std::string::npos)
    throw std::invalid_argument("invalid cookie path");
  std::string out = name + "=" + value + "; Path=" + o.path;
  if (o.max_age >= 0) {
    out += "; Max-Age=" + std::to_string(o.max_age);
    if (o.max_age == 0) out += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  }
  if (o.http_only) out += "; HttpOnly";
  if (o.secure) out += "; Secure";
  if (!o.same_site.empty()) out += "; SameSite=" + o.same_site;
  return out;
}

std::string url_decode(std::string_view s, bool plus_as_space) { return text::percent_decode(s, plus_as_space); }

std::string url_encode(std::string_view s) { return text::percent_encode(s); }

std::multimap<std::string, std::string> parse_urlencoded(std::string_view s, const FormLimits& limits) {
  std::multimap<std::string, std::string> out;
  std::size_t fields = 0;
  while (!s.empty()) {
    auto amp = s.find('&');
    auto pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
    if (pair.empty()) continue;
    // Counted before anything is stored: a body of "a&a&a&..." must not become millions of nodes.
    if (++fields > limits.max_fields)
      fail(ErrorKind::too_large, "too_many_fields",
           "more than " + std::to_string(limits.max_fields) + " form or query fields");
    auto eq = pair.find('=');
    auto raw_name = pair.substr(0, eq);
    auto raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // Decoding never grows the text, so the raw size bounds what is allocated.
    auto name = url_decode(raw_name, true);
    if (name.size() > limits.max_name)
      fail(ErrorKind::too_large, "field_name_too_long",
           "a field name is longer than " + std::to_string(limits.max_name) + " bytes");
    auto value = url_decode(raw_value, true);
    if (value.size() > limits.max_value)
      fail(ErrorKind::too_large, "field_value_too_long",
           "a field value is longer than " + std::to_string(limits.max_value) + " bytes");
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace sy::http
