#include "support/school_scene.h"

#include <stdexcept>

#include "db/accounts_repo.h"
#include "db/school_repo.h"

namespace sy::test {

std::int64_t insert_user(db::Database& d, const std::string& username, Role role, bool active) {
  db::UserRow u;
  u.username = username;
  u.password_hash = "not-a-hash";
  u.role = role;
  u.full_name = "Full " + username;
  u.active = active;
  u.created_at = u.updated_at = 1000;
  return d.tx_result<std::int64_t>([&](db::Tx& t) { return db::users::insert(t, u); });
}

services::Actor actor_of(db::Database& d, std::int64_t id) {
  auto u = d.read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, id); });
  if (!u) throw std::runtime_error("no such test user " + std::to_string(id));
  return services::Actor{u->id, u->username, u->role, "127.0.0.1", "test-req"};
}

SchoolScene seed_school(db::Database& d) {
  SchoolScene s;
  s.admin = insert_user(d, "admin", Role::admin);
  s.t1 = insert_user(d, "teacher1", Role::teacher);
  s.t2 = insert_user(d, "teacher2", Role::teacher);
  s.s1 = insert_user(d, "student1", Role::student);
  s.s2 = insert_user(d, "student2", Role::student);
  s.s3 = insert_user(d, "student3", Role::student);
  s.g1 = insert_user(d, "guardian1", Role::guardian);
  s.g2 = insert_user(d, "guardian2", Role::guardian);
  d.tx([&](db::Tx& t) {
    s.c1 = db::classes::insert(t, "7A", 2025, 1000);
    s.c2 = db::classes::insert(t, "7B", 2025, 1000);
    db::classes::assign_teacher(t, s.c1, s.t1, "Maths", 1000);
    db::classes::assign_teacher(t, s.c2, s.t2, "Art", 1000);
    db::classes::enrol(t, s.c1, s.s1, 1000);
    db::classes::enrol(t, s.c2, s.s2, 1000);
    db::guardians::link(t, s.g1, s.s1, 1000);
    db::guardians::link(t, s.g2, s.s2, 1000);
  });
  return s;
}

http::Request make_request(const std::string& method, const std::string& target, const std::string& body,
                           const std::string& content_type, const std::string& ip) {
  http::Request req;
  req.method = method;
  req.target = target;
  auto q = target.find('?');
  req.path = http::url_decode(target.substr(0, q), false);
  if (q != std::string::npos) req.query = http::parse_urlencoded(target.substr(q + 1));
  req.body = body;
  req.remote_ip = ip;
  req.headers.emplace_back("host", "school.test");
  if (!body.empty()) req.headers.emplace_back("content-type", content_type);
  return req;
}

http::Response call_as(http::Router& router, db::Database& d, std::int64_t who, const std::string& method,
                       const std::string& target, const std::string& body, const std::string& content_type) {
  auto req = make_request(method, target, body, content_type, "127.0.0.1");
  req.request_id = "test-req";
  if (who) {
    auto a = actor_of(d, who);
    req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", kCsrf};
  }
  return router.dispatch(req);
}

}  // namespace sy::test
