#include "web/render.h"

#include <kainjow/mustache.hpp>

#include "core/error.h"
#include "http/static_files.h"

#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace sy::web {

namespace mus = kainjow::mustache;

namespace {

mus::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mus::data d{mus::data::type::object};
      for (auto& [k, v] : j.items()) d.set(k, to_data(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mus::data d{mus::data::type::list};
      for (auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string:
      return mus::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mus::data{j.get<bool>()};
    case nlohmann::json::value_t::null:
      return mus::data{false};
    default:
      return mus::data{j.dump()};
  }
}

const std::string& template_text(const std::string& name) {
  auto& all = embedded_templates();
  auto it = all.find(name + ".mustache");
  if (it == all.end()) throw std::runtime_error("no template " + name);
  return it->second;
}

NavCounts& nav_counts() {
  static NavCounts f;
  return f;
}

nlohmann::json nav_for(Role role) {
  using J = nlohmann::json;
  J nav = J::array();
  auto add = [&](const char* href, const char* label) { nav.push_back({{"href", href}, {"label", label}}); };
  add("/", "Home");
  if (role == Role::admin) {
    add("/classes", "Classes");
    add("/attendance", "Attendance");
    add("/timetable", "Timetable");
    add("/marks", "Marks");
    add("/admin/users", "Users");
    add("/moderation", "Photo review");
    add("/admin/jobs", "Photo queue");
    add("/admin/mail", "Email");
    add("/notices", "Notices");
    add("/admin/results", "Results");
    add("/admin/audit", "Audit log");
  } else if (role == Role::teacher) {
    add("/attendance", "Registers");
    add("/timetable", "Timetable");
    add("/marks", "Marks");
    add("/classes", "My classes");
    add("/moderation", "Photo review");
    add("/notices", "Notices");
    add("/messages", "Messages");
  } else if (role == Role::student) {
    add("/me/photo", "My photo");
    add("/results", "Results");
    add("/notices", "Notices");
    add("/classes", "My class");
    add("/attendance", "Attendance");
    add("/timetable", "Timetable");
  } else if (role == Role::guardian) {
    add("/consent", "Photo consent");
    add("/results", "Results");
    add("/notices", "Notices");
    add("/messages", "Messages");
    add("/classes", "Classes");
    add("/attendance", "Attendance");
    add("/timetable", "Timetable");
  }
  return nav;
}

}  // namespace

std::string render(const std::string& name, const nlohmann::json& data) {
  // Parsed templates are cached per thread: kainjow's render keeps state in the object.
  thread_local std::map<std::string, std::unique_ptr<mus::mustache>> cache;
  auto& t = cache[name];
  if (!t) {
    t = std::make_unique<mus::mustache>(template_text(name));
    if (!t->is_valid()) throw std::runtime_error("template " + name + ": " + t->error_message());
  }
  return t->render(to_data(data));
}

namespace {

// The layout's data for this request: who is logged in, their navigation and CSRF token, the flash.
nlohmann::json layout_for(const http::Request& req, const std::string& title,
                          const std::map<std::string, std::int64_t>& counts) {
  nlohmann::json layout = nlohmann::json::object();
  if (req.user) {
    layout["user"] = {{"id", std::to_string(req.user->id)},
                      {"username", req.user->username},
                      {"full_name", req.user->full_name.empty() ? req.user->username : req.user->full_name},
                      {"role", req.user->role}};
    layout["csrf_token"] = req.user->csrf_token;
    layout["nav"] = nav_for(req.user->role);
    for (auto& item : layout["nav"])
      if (auto it = counts.find(item["href"].get<std::string>()); it != counts.end() && it->second > 0)
        item["count"] = std::to_string(it->second);
  }
  if (auto f = req.query_param("flash")) layout["flash"] = f->substr(0, 300);
  layout["title"] = title;
  return layout;
}

// FNV-1a, 64 bits: stable across builds and instances, so every instance gives a page the same ETag.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Stands for the body in the rendered layout. It cannot come from data: every value the layout
// shows is HTML-escaped, so none can contain "<!--".
constexpr std::string_view kBodyMarker = "<!--sy:shared-body-->";

// The layout rendered around a marker and split there, kept per set of layout inputs (a session's
// user, CSRF token, page title and flash): most requests of a session find theirs here and render
// only their own template.
struct Shell {
  std::string head, tail;
  std::uint64_t hash = 0;  // of head and tail, for ETags
};

class ShellCache {
 public:
  std::shared_ptr<const Shell> get(const http::Request& req, const std::string& title) {
    std::string key;
    auto add = [&](std::string_view v) { key.append(std::to_string(v.size())).append(":").append(v); };
    std::string flash = req.query_param("flash").value_or("").substr(0, 300);
    // The navigation's counts (photos awaiting review) change without the session changing: they
    // are asked for on every page and are part of the key.
    std::map<std::string, std::int64_t> counts;
    if (req.user)
      if (const auto& f = nav_counts()) counts = f(req);
    for (const auto& [href, n] : counts) {
      add(href);
      add(std::to_string(n));
    }
    if (req.user) {
      add(std::to_string(req.user->id));
      add(req.user->username);
      add(req.user->full_name);
      add(to_string(req.user->role));
      add(req.user->csrf_token);
    }
    add(title);
    add(flash);
    {
      std::lock_guard lk(mu_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    nlohmann::json layout = layout_for(req, title, counts);
    layout["content"] = std::string(kBodyMarker);
    const std::string text = render("layout", layout);
    const auto at = text.find(kBodyMarker);
    if (at == std::string::npos) throw std::runtime_error("layout.mustache has no {{{content}}}");
    auto s = std::make_shared<Shell>();
    s->head = text.substr(0, at);
    s->tail = text.substr(at + kBodyMarker.size());
    s->hash = fnv1a(s->tail, fnv1a(s->head));
    std::lock_guard lk(mu_);
    if (map_.size() >= kMax) map_.clear();  // sessions come and go; a full reset is cheap and bounded
    map_.emplace(std::move(key), s);
    return s;
  }

 private:
  static constexpr std::size_t kMax = 4096;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Shell>> map_;
};

ShellCache& shells() {
  static ShellCache c;
  return c;
}

}  // namespace

http::Response shared_page(const http::Request& req, const SharedBody& body, const std::string& etag_seed) {
  auto shell = shells().get(req, body.title);
  char etag[40];
  std::snprintf(etag, sizeof etag, "\"%016llx\"",
                static_cast<unsigned long long>(fnv1a(etag_seed + '\0' + body.title, shell->hash)));
  http::Response resp;
  if (auto inm = req.header("if-none-match"); inm && http::etag_matches(*inm, etag)) {
    resp.status = 304;
  } else {
    resp = http::Response::html(200, "");
    resp.body.reserve(shell->head.size() + body.html.size() + shell->tail.size());
    resp.body.append(shell->head).append(body.html).append(shell->tail);
  }
  resp.set_header("ETag", etag);
  // The browser may keep it but must ask every time: a withdrawn consent shows on the next load.
  resp.set_header("Cache-Control", "private, no-cache");
  return resp;
}

http::Response page(const http::Request& req, const std::string& name, const std::string& title, nlohmann::json data,
                    int status) {
  auto shell = shells().get(req, title);
  if (req.user) {
    data["csrf_token"] = req.user->csrf_token;
    data["me"] = {{"id", std::to_string(req.user->id)},
                  {"username", req.user->username},
                  {"full_name", req.user->full_name.empty() ? req.user->username : req.user->full_name},
                  {"role", req.user->role}};
  }
  std::string content = render(name, data);
  auto resp = http::Response::html(status, "");
  resp.body.reserve(shell->head.size() + content.size() + shell->tail.size());
  resp.body.append(shell->head).append(content).append(shell->tail);
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

http::Response redirect_with_flash(const std::string& location, const std::string& message) {
  std::string sep = location.find('?') == std::string::npos ? "?" : "&";
  return http::Response::redirect(location + sep + "flash=" + http::url_encode(message));
}

http::Response error_page(const http::Request& req, int status, const std::string& code, const std::string& message) {
  nlohmann::json d = {{"status", std::to_string(status)},
                      {"message", message},
                      {"request_id", req.request_id},
                      {"login", status == 401}};
  try {
    return page(req, "error", "Error " + std::to_string(status), d, status);
  } catch (const std::exception&) {
    return http::Response::text(status, message);
  }
}

void set_nav_counts(NavCounts f) { nav_counts() = std::move(f); }

void mount_static(http::Router& r) { http::mount_static_files(r, embedded_static()); }

}  // namespace sy::web
