#pragma once
// Setting a scene straight in the database (no password policy, no audit rows), and calling a
// router as one of its users. Shared by the services, api, web and jobs tests.
#include <cstdint>
#include <string>

#include "core/states.h"
#include "db/database.h"
#include "http/router.h"
#include "http/types.h"
#include "services/actor.h"

namespace sy::test {

// The CSRF token of every session call_as makes up.
inline constexpr const char* kCsrf = "csrf";

// A user row with the password hash "not-a-hash" and full name "Full <username>".
std::int64_t insert_user(db::Database& d, const std::string& username, Role role, bool active = true);
// The user as the services see them; throws when there is no such user.
services::Actor actor_of(db::Database& d, std::int64_t id);

// The usual scene: two classes of 2025, 7A (teacher1 teaches Maths; student1, guardian1's child) and
// 7B (teacher2 teaches Art; student2, guardian2's child); student3 in no class; one admin.
struct SchoolScene {
  std::int64_t admin = 0, t1 = 0, t2 = 0, s1 = 0, s2 = 0, s3 = 0, g1 = 0, g2 = 0, c1 = 0, c2 = 0;
};
SchoolScene seed_school(db::Database& d);

// A request dispatched straight into `router` (no socket), as the session middleware would have
// left it for user `who` (0 = nobody logged in): Principal set, CSRF token kCsrf. The query string
// of `target` is parsed; a body gets `content_type`.
http::Response call_as(http::Router& router, db::Database& d, std::int64_t who, const std::string& method,
                       const std::string& target, const std::string& body = "",
                       const std::string& content_type = "application/json");

// The request call_as and test::Client send (host school.test, remote address `ip`).
http::Request make_request(const std::string& method, const std::string& target, const std::string& body,
                           const std::string& content_type, const std::string& ip);

}  // namespace sy::test
