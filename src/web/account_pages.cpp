#include "web/account_pages.h"

#include "api/auth_api.h"
#include "api/context.h"
#include "api/session.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/login_throttle.h"
#include "services/people.h"
#include "services/permissions.h"
#include "services/personal_lists.h"
#include "services/setup_checklist.h"
#include "services/users.h"
#include "web/notice_pages.h"
#include "web/personal_cache.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

int page_number(const http::Request& req) { return static_cast<int>(req.query_int("page", 0, 0, 100000)); }

http::Response users_page(services::App& app, http::Request& req, J extra = J::object()) {
  auto actor = api::actor_of(req);
  db::PeopleFilter f;
  f.role = parse_role(req.query_param("role").value_or(""));
  if (f.role && services::role_rank(*f.role) == 0) f.role.reset();
  f.status = parse_person_status(req.query_param("status").value_or(""));
  f.q = text::trim_copy(req.query_param("q").value_or("")).substr(0, 100);
  f.by_username = true;
  int pg = page_number(req);
  const int per = 50;
  auto res = services::search_people(app, actor, f, {per, pg * per});
  J users = J::array();
  for (const auto& u : res.items)
    users.push_back({{"id", std::to_string(u.id)},
                     {"username", u.username},
                     {"full_name", u.full_name},
                     {"role", u.role},
                     {"status", u.status == PersonStatus::active ? J() : J(u.status)},
                     {"admission_no", u.admission_no.empty() ? J() : J(u.admission_no)},
                     {"active", u.active}});
  J roles = J::array();
  for (Role r : {Role::admin, Role::teacher, Role::student, Role::guardian})
    roles.push_back({{"value", r}, {"label", to_string(r) + "s"}, {"selected", f.role == r}});
  J statuses = J::array();
  for (PersonStatus st : {PersonStatus::active, PersonStatus::left, PersonStatus::graduated})
    statuses.push_back({{"value", st}, {"selected", f.status == st}});
  J d = {{"users", users}, {"roles", roles}, {"statuses", statuses}, {"q", f.q}, {"total", std::to_string(res.total)}};
  std::string base = "/admin/users?role=" + http::url_encode(to_string_or_empty(f.role)) +
                     "&status=" + http::url_encode(to_string_or_empty(f.status)) + "&q=" + http::url_encode(f.q) +
                     "&page=";
  if (pg > 0) d["prev"] = base + std::to_string(pg - 1);
  if (static_cast<std::int64_t>(pg + 1) * per < res.total) d["next"] = base + std::to_string(pg + 1);
  d.update(extra);
  return page(req, "admin_users", "Users", d);
}

}  // namespace

void mount_account_pages(http::Router& r, services::App& app) {
  r.get("/login", [](http::Request& req) {
    if (req.user) return http::Response::redirect("/");
    return page(req, "login", "Log in");
  });

  r.post("/login", [&app](http::Request& req) {
    auto f = req.form();
    std::string username = http::first_value(f, "username");
    try {
      auto login = services::login(app, username, http::first_value(f, "password"), req.remote_ip, req.request_id,
                                   api::session_token(req), api::device_cookie(req));
      auto resp = http::Response::redirect("/");
      api::set_session_cookie(resp, req, login.token);
      api::set_device_cookie(resp, req, login.device_cookie);
      return resp;
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::unauthorized && e.kind != ErrorKind::throttled) throw;
      req.user.reset();
      auto resp = page(req, "login", "Log in", {{"error", e.what()}, {"username", username}}, http::status_of(e.kind));
      if (auto* t = dynamic_cast<const services::Throttled*>(&e))
        resp.set_header("Retry-After", std::to_string(t->retry_after));
      return resp;
    }
  });

  r.post("/logout", [&app](http::Request& req) {
    if (req.user) services::logout(app, api::session_token(req), api::actor_of(req));
    auto resp = http::Response::redirect("/login");
    api::clear_session_cookie(resp, req);
    return resp;
  });

  // The home page is a function of the role, the name shown and the user's notices (read or not).
  // The notices are kept per user at the version of the personal lists they were read at
  // (services/personal_lists.h), until the next scheduled notice is due; the body rendered with
  // them is kept beside them. So a request asks the database for that one counter, and renders
  // nothing. The admin's setup checklist is read per request (it is for admins only).
  struct Home {
    std::string who;  // role and name the body was rendered for
    J notices;
    std::shared_ptr<const SharedBody> body;
    std::string etag_seed;
  };
  auto homes = std::make_shared<PersonalCache<Home>>();
  r.get("/", [&app, homes](http::Request& req) {
    if (!req.user) return http::Response::redirect("/login");
    const auto& role = req.user->role;
    const auto& name = req.user->full_name.empty() ? req.user->username : req.user->full_name;
    const auto role_name = to_string(role);
    const std::string who = std::to_string(role_name.size()) + ":" + role_name + name;
    // The template's data only when something is rendered (a miss, or the admin's page).
    auto data = [&] {
      return J{{"is_admin", role == Role::admin},
               {"is_teacher", role == Role::teacher},
               {"is_student", role == Role::student},
               {"is_guardian", role == Role::guardian},
               {"me", {{"full_name", name}}}};
    };
    auto actor = api::actor_of(req);
    auto home = homes->find(req.user->id, services::personal_lists_version(app), now_unix());
    if (!home || home->who != who) {
      J d = data();
      auto at = services::my_notices_at(app, actor, 5);
      auto fresh = std::make_shared<Home>();
      fresh->who = who;
      fresh->notices = home_notice_items(at.notices);
      d["notices"] = fresh->notices;
      auto body = std::make_shared<SharedBody>();
      body->title = "Home";
      body->html = render("home", d);
      // FNV-1a of the body: the same bytes give the same ETag on every instance.
      std::uint64_t h = 1469598103934665603ull;
      for (unsigned char c : body->html) h = (h ^ c) * 1099511628211ull;
      fresh->etag_seed = "home:" + std::to_string(req.user->id) + ":" + std::to_string(h);
      fresh->body = std::move(body);
      homes->put(req.user->id, at.version, at.valid_until, fresh);
      home = std::move(fresh);
    }
    // What is missing before teachers can work, for those who can fix it.
    if (services::can(actor, "classes.manage")) {
      J d = data();
      J items = J::array();
      for (const auto& i : services::setup_checklist(app, actor))
        items.push_back({{"message", i.message}, {"fix_url", i.fix_url}});
      d["setup"] = items;
      d["has_setup"] = !items.empty();
      d["notices"] = home->notices;
      return page(req, "home", "Home", d);
    }
    return shared_page(req, *home->body, home->etag_seed);
  });

  r.get("/account/password", [](http::Request& req) {
    if (!req.user) return http::Response::redirect("/login");
    return page(req, "account_password", "Change password");
  });

  r.post("/account/password", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    try {
      services::change_own_password(app, actor, api::session_id_of(req), http::first_value(f, "current_password"),
                                    http::first_value(f, "new_password"));
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::forbidden && e.kind != ErrorKind::invalid && e.kind != ErrorKind::throttled) throw;
      auto resp = page(req, "account_password", "Change password", {{"error", e.what()}}, http::status_of(e.kind));
      if (auto* t = dynamic_cast<const services::Throttled*>(&e))
        resp.set_header("Retry-After", std::to_string(t->retry_after));
      return resp;
    }
    return redirect_with_flash("/", "Password changed; your other sessions have ended.");
  });

  r.get("/admin/users", [&app](http::Request& req) { return users_page(app, req); });

  r.post("/admin/users", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    services::NewUser u{http::first_value(f, "username"), "", http::first_value(f, "role"),
                        http::first_value(f, "full_name")};
    try {
      auto c = services::create_user(app, actor, u);
      // Shown once on this response; never stored or logged in clear.
      return users_page(
          app, req,
          {{"created", {{"username", c.user.username}, {"role", c.user.role}, {"password", c.generated_password}}}});
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid && e.kind != ErrorKind::conflict) throw;
      return redirect_with_flash("/admin/users", e.what());
    }
  });

  for (const char* action : {"deactivate", "activate"}) {
    bool active = std::string(action) == "activate";
    r.post(std::string("/admin/users/{id}/") + action, [&app, active](http::Request& req) {
      auto id = req.param_id("id");
      try {
        services::set_user_active(app, api::actor_of(req), id, active);
      } catch (const AppError& e) {
        if (e.kind != ErrorKind::conflict) throw;
        return redirect_with_flash("/admin/users", e.what());
      }
      return redirect_with_flash("/admin/users",
                                 active ? "User activated." : "User deactivated; their sessions ended.");
    });
  }

  r.post("/admin/users/{id}/reset-password", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto pw = services::reset_password(app, actor, id);
    auto u = services::get_user(app, actor, id);
    return users_page(app, req, {{"created", {{"username", u.username}, {"role", u.role}, {"password", pw}}}});
  });

  r.get("/admin/audit", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    int pg = page_number(req);
    const int per = 100;
    std::string action = req.query_param("action").value_or(""), who = req.query_param("actor").value_or("");
    auto rows = services::audit_log(app, actor, action, who, per + 1, pg * per);
    J list = J::array();
    for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(per); ++i) {
      auto& a = rows[i];
      list.push_back({{"at", iso8601_utc(a.at)},
                      {"actor", a.actor_username},
                      {"action", a.action},
                      {"entity", a.entity_type + " " + a.entity_id},
                      {"detail", a.detail},
                      {"ip", a.ip}});
    }
    J d = {{"rows", list}, {"action", action}, {"actor", who}};
    std::string base = "/admin/audit?action=" + http::url_encode(action) + "&actor=" + http::url_encode(who) + "&page=";
    if (pg > 0) d["prev"] = base + std::to_string(pg - 1);
    if (rows.size() > static_cast<std::size_t>(per)) d["next"] = base + std::to_string(pg + 1);
    return page(req, "admin_audit", "Audit log", d);
  });
}

}  // namespace sy::web
