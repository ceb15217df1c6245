#include "web/notice_pages.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/messages.h"
#include "services/notices.h"
#include "services/permissions.h"
#include "services/school.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string when(std::int64_t t) { return utc_format(t, "%Y-%m-%d %H:%M UTC"); }

J paragraphs(const std::string& text) {
  J out = J::array();
  std::string cur;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

J notice_item(const db::NoticeRow& n) {
  return {{"id", std::to_string(n.id)},
          {"title", n.title},
          {"author", n.author_name},
          {"publish_at", when(n.publish_at)},
          {"read", n.read}};
}

std::string audience(const db::NoticeRow& n, const std::map<std::int64_t, std::string>& class_names) {
  std::string out;
  for (const auto& t : n.targets) {
    if (!out.empty()) out += "; ";
    std::string who = t.role ? to_string(*t.role) + "s" : "everyone";
    if (!t.class_id) {
      out += (t.role ? "all " + who : std::string("the whole school"));
    } else {
      auto it = class_names.find(*t.class_id);
      out += who + " of " + (it == class_names.end() ? "class " + std::to_string(*t.class_id) : it->second);
    }
  }
  return out;
}

http::Response new_notice_page(services::App& app, http::Request& req, J extra = J::object()) {
  auto actor = api::actor_of(req);
  if (services::scope_for(actor.role, "notices.write") == services::Scope::none)
    services::deny(actor, "notices.write", "notices");
  J classes = J::array();
  for (const auto& c : services::list_classes(app, actor))
    classes.push_back({{"id", std::to_string(c.id)}, {"name", c.name}, {"year", std::to_string(c.year)}});
  J d = {{"classes", classes}, {"school_wide", services::can(actor, "notices.write")}};
  d.update(extra);
  return page(req, "notice_new", "Write a notice", d, extra.contains("error") ? 422 : 200);
}

}  // namespace

J home_notices(services::App& app, const services::Actor& actor) {
  return home_notice_items(services::my_notices(app, actor, 5));
}

J home_notice_items(const std::vector<db::NoticeRow>& notices) {
  J out = J::array();
  for (const auto& n : notices) out.push_back(notice_item(n));
  return out;
}

void mount_notice_pages(http::Router& r, services::App& app) {
  r.get("/notices", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    J mine = J::array();
    for (const auto& n : services::my_notices(app, actor, 100)) mine.push_back(notice_item(n));
    bool can_write = services::scope_for(actor.role, "notices.write") != services::Scope::none;
    J d = {{"notices", mine}, {"can_write", can_write}};
    if (can_write) {
      std::map<std::int64_t, std::string> names;
      for (const auto& c : services::list_classes(app, actor)) names[c.id] = c.name;
      J sent = J::array();
      std::int64_t now = now_unix();
      for (const auto& n : services::sent_notices(app, actor, 100)) {
        J item = notice_item(n);
        item["scheduled"] = n.publish_at > now;
        item["audience"] = audience(n, names);
        sent.push_back(item);
      }
      d["sent"] = sent;
      d["sent_heading"] = actor.role == sy::Role::admin ? "All notices" : "Written by you";
    }
    return page(req, "notices", "Notices", d);
  });

  r.get("/notices/new", [&app](http::Request& req) { return new_notice_page(app, req); });

  r.post("/notices", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    services::NoticeInput in;
    in.title = http::first_value(f, "title");
    in.body = http::first_value(f, "body");
    std::string role = http::first_value(f, "role");
    try {
      std::string publish = http::first_value(f, "publish_at");
      if (!publish.empty()) in.publish_at = services::parse_publish_at(publish);
      if (http::first_value(f, "school") == "1") in.targets.push_back({std::nullopt, role});
      auto [lo, hi] = f.equal_range("class_id");
      for (auto it = lo; it != hi; ++it) {
        const auto& v = it->second;
        if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
          fail(ErrorKind::invalid, "invalid", "unknown class");
        in.targets.push_back({std::stoll(v), role});
      }
      auto n = services::create_notice(app, actor, in);
      return redirect_with_flash("/notices/" + std::to_string(n.id), "Notice published.");
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid) throw;
      return new_notice_page(app, req, {{"error", e.what()}, {"title", in.title}, {"body", in.body}});
    }
  });

  r.get("/notices/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    auto n = services::get_notice(app, actor, id);
    J d = {{"notice", notice_item(n)}, {"paragraphs", paragraphs(n.body)}};
    if (services::can_see_receipts(actor, n)) {
      J people = J::array();
      int read = 0;
      auto rows = services::notice_receipts(app, actor, id);
      for (const auto& x : rows) {
        read += x.read_at ? 1 : 0;
        people.push_back({{"full_name", x.full_name.empty() ? x.username : x.full_name},
                          {"role", x.role},
                          {"read_at", x.read_at ? when(*x.read_at) : std::string("not yet")}});
      }
      d["receipts"] = {{"people", people}, {"read", std::to_string(read)}, {"total", std::to_string(rows.size())}};
    } else {
      // Opening the notice is reading it.
      services::mark_notice_read(app, actor, id);
    }
    return page(req, "notice_view", n.title, d);
  });

  r.get("/messages", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    J threads = J::array();
    for (const auto& t : services::my_threads(app, actor, 500))
      threads.push_back({{"student_id", std::to_string(t.student_id)},
                         {"student", t.student_name},
                         {"messages", std::to_string(t.messages)},
                         {"unread", t.unread > 0 ? J(std::to_string(t.unread)) : J(false)},
                         {"last_at", t.last_at ? J(when(t.last_at)) : J(false)}});
    return page(req, "messages", "Messages", {{"threads", threads}});
  });

  auto thread_page = [&app](http::Request& req, J extra) {
    auto actor = api::actor_of(req);
    auto th = services::get_thread(app, actor, req.param_id("student_id"));
    J msgs = J::array();
    for (const auto& m : th.messages)
      msgs.push_back({{"author", m.author_name.empty() ? std::string("(removed)") : m.author_name},
                      {"author_role", m.author_role ? J(*m.author_role) : J("")},
                      {"created_at", when(m.created_at)},
                      {"paragraphs", paragraphs(m.body)}});
    J d = {{"student", th.student_name},
           {"student_id", std::to_string(th.student_id)},
           {"can_write", th.can_write},
           {"messages", msgs}};
    d.update(extra);
    return page(req, "message_thread", "Messages about " + th.student_name, d, extra.contains("error") ? 422 : 200);
  };

  r.get("/messages/{student_id}", [thread_page](http::Request& req) { return thread_page(req, J::object()); });

  r.post("/messages/{student_id}", [&app, thread_page](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("student_id");
    try {
      services::post_message(app, actor, id, http::first_value(req.form(), "body"));
    } catch (const AppError& e) {
      if (e.kind != ErrorKind::invalid) throw;
      return thread_page(req, {{"error", e.what()}});
    }
    return redirect_with_flash("/messages/" + std::to_string(id), "Sent.");
  });
}

}  // namespace sy::web
