#include "api/notices_api.h"

#include "api/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/messages.h"
#include "services/notices.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

std::vector<services::TargetInput> targets_of(const J& body) {
  if (!body.contains("targets") || !body["targets"].is_array())
    fail(ErrorKind::invalid, "invalid", "field 'targets' must be a list of {\"class_id\", \"role\"}");
  std::vector<services::TargetInput> out;
  for (const auto& t : body["targets"]) {
    if (!t.is_object()) fail(ErrorKind::invalid, "invalid", "each target must be an object");
    services::TargetInput target;
    if (t.contains("class_id") && !t["class_id"].is_null()) target.class_id = id_field(t, "class_id");
    if (t.contains("role") && !t["role"].is_null()) target.role = str_field(t, "role");
    out.push_back(target);
  }
  return out;
}

J message_json(const db::MessageRow& m) {
  return {{"id", m.id},
          {"student_id", m.student_id},
          {"author_id", m.author_id ? J(*m.author_id) : J()},
          {"author", m.author_name},
          {"author_role", m.author_role ? J(*m.author_role) : J("")},
          {"body", m.body},
          {"created_at", iso8601_utc(m.created_at)}};
}

}  // namespace

J notice_json(const db::NoticeRow& n) {
  J targets = J::array();
  for (const auto& t : n.targets)
    targets.push_back({{"class_id", t.class_id ? J(*t.class_id) : J()}, {"role", t.role ? J(*t.role) : J()}});
  return {{"id", n.id},
          {"title", n.title},
          {"body", n.body},
          {"author_id", n.author_id ? J(*n.author_id) : J()},
          {"author", n.author_name},
          {"publish_at", iso8601_utc(n.publish_at)},
          {"read", n.read},
          {"targets", targets}};
}

void mount_notices_api(http::Router& r, services::App& app) {
  r.get("/api/v1/notices", [&app](http::Request& req) {
    auto a = actor_of(req);
    int limit = static_cast<int>(req.query_int("limit", 50, 1, 200));
    bool sent = req.query_param("sent").value_or("") == "1";
    J out = J::array();
    for (const auto& n : sent ? services::sent_notices(app, a, limit) : services::my_notices(app, a, limit))
      out.push_back(notice_json(n));
    return no_store(http::Response::json(200, {{"notices", out}}));
  });

  r.post("/api/v1/notices", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    services::NoticeInput in;
    in.title = str_field(body, "title");
    in.body = str_field(body, "body");
    std::string publish = str_field(body, "publish_at", false);
    if (!publish.empty()) in.publish_at = services::parse_publish_at(publish);
    in.targets = targets_of(body);
    return no_store(http::Response::json(201, notice_json(services::create_notice(app, a, in))));
  });

  r.get("/api/v1/notices/{id}", [&app](http::Request& req) {
    return no_store(
        http::Response::json(200, notice_json(services::get_notice(app, actor_of(req), req.param_id("id")))));
  });

  r.post("/api/v1/notices/{id}/read", [&app](http::Request& req) {
    services::mark_notice_read(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/notices/{id}/receipts", [&app](http::Request& req) {
    auto rows = services::notice_receipts(app, actor_of(req), req.param_id("id"));
    J out = J::array();
    int read = 0;
    for (const auto& x : rows) {
      read += x.read_at ? 1 : 0;
      out.push_back({{"user_id", x.user_id},
                     {"username", x.username},
                     {"full_name", x.full_name},
                     {"role", x.role},
                     {"read_at", x.read_at ? J(iso8601_utc(*x.read_at)) : J()}});
    }
    return no_store(http::Response::json(200, {{"total", rows.size()}, {"read", read}, {"recipients", out}}));
  });

  r.get("/api/v1/messages", [&app](http::Request& req) {
    J out = J::array();
    for (const auto& t :
         services::my_threads(app, actor_of(req), static_cast<int>(req.query_int("limit", 200, 1, 500))))
      out.push_back({{"student_id", t.student_id},
                     {"student", t.student_name},
                     {"messages", t.messages},
                     {"unread", t.unread},
                     {"last_at", t.last_at ? J(iso8601_utc(t.last_at)) : J()}});
    return no_store(http::Response::json(200, {{"threads", out}}));
  });

  r.get("/api/v1/students/{id}/messages", [&app](http::Request& req) {
    auto th = services::get_thread(app, actor_of(req), req.param_id("id"),
                                   static_cast<int>(req.query_int("limit", 200, 1, 500)));
    J msgs = J::array();
    for (const auto& m : th.messages) msgs.push_back(message_json(m));
    return no_store(http::Response::json(200, {{"student_id", th.student_id},
                                               {"student", th.student_name},
                                               {"can_write", th.can_write},
                                               {"messages", msgs}}));
  });

  r.post("/api/v1/students/{id}/messages", [&app](http::Request& req) {
    auto body = req.json_body();
    auto m = services::post_message(app, actor_of(req), req.param_id("id"), str_field(body, "body"));
    return no_store(http::Response::json(201, message_json(m)));
  });
}

}  // namespace sy::api
