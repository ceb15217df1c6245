#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <stdexcept>

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"

namespace sy::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string default_error_page(const Request& req, int status, const std::string& message) {
  std::string title = std::to_string(status) + " " + std::string(reason_phrase(status));
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
         "</title></head>\n<body><h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(message) +
         "</p>\n<p><small>Request id: " + html_escape(req.request_id) + "</small></p></body></html>\n";
}

// Unique per process start (random prefix) and cheap per request (a counter, no syscall).
std::string new_request_id() {
  static const std::string prefix = random_token(9);
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-'; });
}

std::vector<Router::Segment> Router::parse_pattern(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::logic_error("route pattern must start with '/': " + pattern);
  std::vector<Segment> segments;
  auto parts = split_path(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      std::string name = p.substr(1, p.size() - 2);
      bool rest = name.back() == '*';
      if (rest) name.pop_back();
      if (name.empty() || (rest && i + 1 != parts.size())) throw std::logic_error("bad route parameter in " + pattern);
      segments.push_back({rest ? Segment::rest : Segment::param, name});
    } else {
      segments.push_back({Segment::literal, p});
    }
  }
  return segments;
}

void Router::add(std::string method, std::string pattern, Handler h) {
  Route r{std::move(method), pattern, parse_pattern(pattern), std::move(h)};
  for (const auto& other : routes_)
    if (other.method == r.method && other.pattern == r.pattern)
      throw std::logic_error("duplicate route " + r.method + " " + r.pattern);
  routes_.push_back(std::move(r));
}

void Router::limit_body(std::string method, std::string pattern, std::uint64_t max_bytes) {
  body_rules_.push_back({std::move(method), parse_pattern(pattern), max_bytes});
}

std::optional<std::uint64_t> Router::body_limit(std::string_view method, std::string_view path) const {
  auto parts = split_path(path);
  std::optional<std::uint64_t> best;
  for (const auto& rule : body_rules_) {
    if (rule.method != method) continue;
    bool ok = true;
    std::size_t i = 0;
    for (; ok && i < rule.segments.size(); ++i) {
      const auto& seg = rule.segments[i];
      if (i >= parts.size()) {
        ok = false;
      } else if (seg.kind == Segment::rest) {
        ok = !parts[i].empty() || i + 1 < parts.size();
        i = parts.size();
        break;
      } else {
        ok = seg.kind == Segment::literal ? seg.text == parts[i] : !parts[i].empty();
      }
    }
    if (ok && i == parts.size() && (!best || rule.max_bytes > *best)) best = rule.max_bytes;
  }
  return best;
}

std::uint64_t Router::largest_body_limit() const {
  std::uint64_t m = 0;
  for (const auto& rule : body_rules_) m = std::max(m, rule.max_bytes);
  return m;
}

const Router::Route* Router::match(Request& req, std::vector<std::string>& allowed) const {
  auto parts = split_path(req.path);
  const Route* best = nullptr;
  std::vector<int> best_rank;
  std::map<std::string, std::string> best_params;
  std::set<std::string> methods;
  bool head_via_get = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    std::vector<int> rank;
    bool ok = true;
    std::size_t i = 0;
    for (; ok && i < r.segments.size(); ++i) {
      const auto& seg = r.segments[i];
      if (seg.kind == Segment::rest) {
        if (i >= parts.size()) {
          ok = false;
          break;
        }
        std::string joined = parts[i];
        for (std::size_t j = i + 1; j < parts.size(); ++j) joined += "/" + parts[j];
        if (joined.empty()) {
          ok = false;
          break;
        }
        params[seg.text] = joined;
        rank.push_back(2);
        i = parts.size();
        break;
      }
      if (i >= parts.size()) {
        ok = false;
        break;
      }
      if (seg.kind == Segment::literal) {
        ok = seg.text == parts[i];
        rank.push_back(0);
      } else {
        ok = !parts[i].empty();
        params[seg.text] = parts[i];
        rank.push_back(1);
      }
    }
    if (!ok || i != parts.size()) continue;
    methods.insert(r.method);
    bool via_get = req.method == "HEAD" && r.method == "GET";
    if (r.method != req.method && !via_get) continue;
    // An explicit HEAD route beats GET; otherwise the most specific pattern wins.
    if (!best || rank < best_rank || (rank == best_rank && head_via_get && !via_get)) {
      best = &r;
      best_rank = rank;
      best_params = std::move(params);
      head_via_get = via_get;
    }
  }
  if (best) {
    req.route = best->pattern;
    req.params = std::move(best_params);
  } else {
    if (methods.count("GET")) methods.insert("HEAD");
    allowed.assign(methods.begin(), methods.end());
  }
  return best;
}

Response Router::run(std::size_t i, Request& req, const Handler& inner) const {
  if (i == middleware_.size()) return inner(req);
  Handler next = [this, i, &inner](Request& r) { return run(i + 1, r, inner); };
  return middleware_[i](req, next);
}

Response Router::render_error(const Request& req, int status, const std::string& code,
                              const std::string& message) const {
  if (status < 400 || status > 599) status = 500;
  Response r;
  if (req.is_api()) {
    r = Response::json(status, {{"error", {{"code", code}, {"message", message}, {"request_id", req.request_id}}}});
  } else {
    bool rendered = false;
    if (error_page) {
      try {
        r = error_page(req, status, code, message);
        r.status = status;
        rendered = true;
      } catch (const std::exception& e) {
        spdlog::error("request {}: error page failed: {}", req.request_id, log_safe(e.what()));
      }
    }
    if (!rendered) r = Response::html(status, default_error_page(req, status, message));
  }
  r.set_header("Cache-Control", "no-store");
  return r;
}

Response Router::from_current_exception(const Request& req) const {
  try {
    throw;
  } catch (const AppError& e) {
    if (is_server_error(e.kind))
      spdlog::error("request {} {} {}: {} {}", req.request_id, req.method,
                    log_safe(req.route.empty() ? req.path : req.route), status_of(e.kind), log_safe(e.what()));
    return render_error(req, status_of(e.kind), e.code, e.what());
  } catch (const nlohmann::json::exception& e) {
    // A missing or mistyped field in a request body; the text names the field, nothing internal.
    std::string what = e.what();
    auto close = what.find("] ");
    return render_error(req, 400, "bad_request",
                        "invalid request: " + (close == std::string::npos ? what : what.substr(close + 2)));
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", req.request_id, req.method,
                  log_safe(req.route.empty() ? req.path : req.route), log_safe(e.what(), 500));
  } catch (...) {
    spdlog::error("request {} {} {} failed with a non-standard exception", req.request_id, req.method,
                  log_safe(req.route.empty() ? req.path : req.route));
  }
  return render_error(req, 500, "internal", "internal error (request id " + req.request_id + ")");
}

void apply_security_headers(const Request& req, Response& resp) {
  bool html = starts_with_ci(resp.header("content-type").value_or(""), "text/html");
  resp.set_header("X-Content-Type-Options", "nosniff");
  if (!resp.header("content-security-policy")) resp.set_header("Content-Security-Policy", html ? kHtmlCsp : kOtherCsp);
  if (!resp.header("referrer-policy")) resp.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
  if (html) resp.set_header("X-Frame-Options", "DENY");
  if (req.secure) resp.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

void Router::finish(Request& req, Response& resp) const {
  bool ok = true;
  for (const auto& [k, v] : resp.headers)
    if (k.empty() || k.find_first_of(std::string_view("\r\n\0:", 4)) != std::string::npos ||
        v.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      ok = false;
  if (!ok) {
    // A handler put CR/LF into a header (bypassing set_header): answer 500, never send it.
    spdlog::error("request {}: handler produced an invalid response header", req.request_id);
    resp = render_error(req, 500, "internal", "internal error (request id " + req.request_id + ")");
  }
  apply_security_headers(req, resp);
  resp.set_header("X-Request-Id", req.request_id);
}

Response Router::error_response(Request& req, int status, const std::string& code, const std::string& message) const {
  if (!valid_request_id(req.request_id)) req.request_id = new_request_id();
  Response resp = render_error(req, status, code, message);
  finish(req, resp);
  return resp;
}

Response Router::dispatch(Request& req) const {
  if (!valid_request_id(req.request_id)) {
    auto incoming = req.header("x-request-id");
    req.request_id = incoming && valid_request_id(*incoming) ? *incoming : new_request_id();
  }
  Response resp;
  try {
    std::vector<std::string> allowed;
    const Route* route = match(req, allowed);
    Handler inner = [&](Request& r) -> Response {
      if (!route) {
        if (allowed.empty()) return render_error(r, 404, "not_found", "not found");
        Response e = render_error(r, 405, "method_not_allowed", r.method + " is not allowed here");
        std::string allow;
        for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        e.set_header("Allow", allow);
        return e;
      }
      try {
        return route->handler(r);
      } catch (...) {
        return from_current_exception(r);
      }
    };
    resp = run(0, req, inner);
  } catch (...) {
    resp = from_current_exception(req);
  }
  finish(req, resp);
  return resp;
}

}  // namespace sy::http
