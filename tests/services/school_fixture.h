#pragma once
// A fresh database with a small school in it, for the school and yearbook tests (services and api).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/error.h"
#include "db/accounts_repo.h"
#include "db/school_repo.h"
#include "http/types.h"
#include "services/actor.h"
#include "services/app.h"
#include "support/db_testing.h"
#include "support/school_scene.h"
#include "support/testenv.h"

namespace sy::test {

class SchoolFixture : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app;

  void SetUp() override {
    app = std::make_unique<services::App>();
    app->db = fresh_db();
  }

  std::int64_t add_user(const std::string& username, Role role, bool active = true) {
    return insert_user(*app->db, username, role, active);
  }
  services::Actor actor(std::int64_t id) { return actor_of(*app->db, id); }

  // Direct writes, bypassing permissions, to set the scene.
  std::int64_t add_class(const std::string& name, int year) {
    return app->db->tx_result<std::int64_t>([&](db::Tx& t) { return db::classes::insert(t, name, year, 1000); });
  }
  void enrol(std::int64_t class_id, std::int64_t student_id) {
    app->db->tx([&](db::Tx& t) { db::classes::enrol(t, class_id, student_id, 1000); });
  }
  void teach(std::int64_t class_id, std::int64_t teacher_id, const std::string& subject = "") {
    app->db->tx([&](db::Tx& t) { db::classes::assign_teacher(t, class_id, teacher_id, subject, 1000); });
  }
  void link(std::int64_t guardian_id, std::int64_t student_id) {
    app->db->tx([&](db::Tx& t) { db::guardians::link(t, guardian_id, student_id, 1000); });
  }
  void consent(std::int64_t student_id, const std::string& c) {
    app->db->tx([&](db::Tx& t) { db::consent::set(t, student_id, c, 0, 1000); });
  }
  std::int64_t photo(std::int64_t student_id, const std::string& status = "ready",
                     const std::string& moderation = "approved", bool current = true, const std::string& quote = "") {
    return app->db->tx_result<std::int64_t>(
        [&](db::Tx& t) { return db::school_testing::insert_photo(t, student_id, status, moderation, current, quote); });
  }
  std::int64_t audit_count(const std::string& action) {
    return app->db->read_result<std::int64_t>(
        [&](db::Tx& t) { return static_cast<std::int64_t>(db::audit::list(t, action, "", 1000, 0).size()); });
  }

  // The usual scene (test::seed_school): two classes with a teacher, a student and a guardian each,
  // one student in no class. Tests that need it call seed_two_classes() from SetUp.
  std::int64_t admin = 0, t1 = 0, t2 = 0, s1 = 0, s2 = 0, s3 = 0, g1 = 0, g2 = 0, c1 = 0, c2 = 0;
  void seed_two_classes() {
    auto s = seed_school(*app->db);
    admin = s.admin, t1 = s.t1, t2 = s.t2, s1 = s.s1, s2 = s.s2, s3 = s.s3, g1 = s.g1, g2 = s.g2, c1 = s.c1, c2 = s.c2;
  }
};

// The status of the AppError fn throws (0 when it does not throw one).
template <class F>
int status_of(F&& fn, std::string* code = nullptr) {
  try {
    fn();
  } catch (const AppError& e) {
    if (code) *code = e.code;
    return sy::http::status_of(e.kind);
  }
  return 0;
}

}  // namespace sy::test
