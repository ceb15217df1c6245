#include "web/render.h"

#include <kainjow/mustache.hpp>

#include "core/error.h"
#include "http/static_files.h"

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

nlohmann::json nav_for(const std::string& role) {
  using J = nlohmann::json;
  J nav = J::array();
  auto add = [&](const char* href, const char* label) { nav.push_back({{"href", href}, {"label", label}}); };
  add("/", "Home");
  if (role == "admin") {
    add("/classes", "Classes");
    add("/admin/users", "Users");
    add("/moderation", "Photo review");
    add("/admin/jobs", "Photo queue");
    add("/admin/audit", "Audit log");
  } else if (role == "teacher") {
    add("/classes", "My classes");
    add("/moderation", "Photo review");
  } else if (role == "student") {
    add("/me/photo", "My photo");
    add("/classes", "My class");
  } else if (role == "guardian") {
    add("/consent", "Photo consent");
    add("/classes", "Classes");
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

http::Response page(const http::Request& req, const std::string& name, const std::string& title, nlohmann::json data,
                    int status) {
  nlohmann::json layout = nlohmann::json::object();
  if (req.user) {
    layout["user"] = {{"id", std::to_string(req.user->id)},
                      {"username", req.user->username},
                      {"full_name", req.user->full_name.empty() ? req.user->username : req.user->full_name},
                      {"role", req.user->role}};
    layout["csrf_token"] = req.user->csrf_token;
    layout["nav"] = nav_for(req.user->role);
    if (const auto& counts = nav_counts()) {
      auto n = counts(req);
      for (auto& item : layout["nav"])
        if (auto it = n.find(item["href"].get<std::string>()); it != n.end() && it->second > 0)
          item["count"] = std::to_string(it->second);
    }
    data["csrf_token"] = req.user->csrf_token;
    data["me"] = layout["user"];
  }
  if (auto f = req.query_param("flash")) layout["flash"] = f->substr(0, 300);
  layout["title"] = title;
  layout["content"] = render(name, data);
  auto resp = http::Response::html(status, render("layout", layout));
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
