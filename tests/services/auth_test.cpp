#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"
#include "db/accounts_repo.h"
#include "http/types.h"
#include "services/auth.h"
#include "services/users.h"
#include "support/testapp.h"

using namespace sy;

namespace {
int status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const AppError& e) {
    return sy::http::status_of(e.kind);
  }
  return 0;
}
}  // namespace

TEST(Passwords, Argon2idHashVerifies) {
  auto h = services::hash_password("correct horse battery");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_NE(h.find("m=19456"), std::string::npos) << h;  // 19 MiB
  EXPECT_NE(h.find("t=2"), std::string::npos) << h;
  EXPECT_TRUE(services::verify_password(h, "correct horse battery"));
  EXPECT_FALSE(services::verify_password(h, "correct horse batterY"));
  EXPECT_FALSE(services::verify_password("", "x"));
  EXPECT_NE(services::hash_password("correct horse battery"), h);  // salted
}

TEST(Passwords, PolicyIsLengthOnly) {
  EXPECT_EQ(status_of([] { services::validate_password("short"); }), 422);
  EXPECT_EQ(status_of([] { services::validate_password("aaaaaaaaaaa"); }), 422);  // 11
  EXPECT_EQ(status_of([] { services::validate_password("aaaaaaaaaaaa"); }), 0);   // 12, no composition rules
  EXPECT_EQ(status_of([] { services::validate_password("ééééééééééé"); }), 422);  // 11 code points, 22 bytes
  EXPECT_EQ(status_of([] { services::validate_password(std::string(128, 'x')); }), 0);
  EXPECT_EQ(status_of([] { services::validate_password(std::string(129, 'x')); }), 422);
  EXPECT_EQ(services::generate_password().size(), 20u);
}

class AuthTest : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app = test::make_app();
  void TearDown() override { set_clock_offset_for_tests(0); }
};

TEST_F(AuthTest, LoginCreatesHashedSessionAndRotatesToken) {
  test::make_user(*app, "amy", "teacher");
  auto l1 = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r1");
  EXPECT_GE(l1.token.size(), 43u);  // 256 bits base64url
  app->db->read([&](db::Tx& t) {
    EXPECT_FALSE(db::sessions::by_token_hash(t, l1.token));  // never stored raw
    EXPECT_TRUE(db::sessions::by_token_hash(t, sha256_hex(l1.token)));
  });
  auto l2 = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r2", l1.token);
  EXPECT_NE(l1.token, l2.token);
  EXPECT_FALSE(services::resolve_session(*app, l1.token));  // the old one ended at login
  ASSERT_TRUE(services::resolve_session(*app, l2.token));
  EXPECT_EQ(services::resolve_session(*app, l2.token)->user.username, "amy");
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserAnswerTheSame) {
  test::make_user(*app, "amy", "teacher");
  try {
    services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r");
    FAIL();
  } catch (const AppError& e) {
    EXPECT_EQ(sy::http::status_of(e.kind), 401);
    EXPECT_EQ(e.code, "invalid_credentials");
    std::string m1 = e.what();
    try {
      services::login(*app, "nobody", "wrong password!!", "1.1.1.1", "r");
      FAIL();
    } catch (const AppError& e2) {
      EXPECT_EQ(sy::http::status_of(e2.kind), 401);
      EXPECT_EQ(std::string(e2.what()), m1);
    }
  }
}

TEST_F(AuthTest, IdleAndAbsoluteExpiry) {
  test::make_user(*app, "amy", "teacher");
  auto l = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
  set_clock_offset_for_tests(29 * 60);
  ASSERT_TRUE(services::resolve_session(*app, l.token));  // touched at 29 min
  set_clock_offset_for_tests(29 * 60 + 31 * 60);
  EXPECT_FALSE(services::resolve_session(*app, l.token));  // 31 min idle

  set_clock_offset_for_tests(0);
  auto l2 = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
  // Keep it busy every 20 minutes: still dies at 12 h.
  for (int m = 20; m < 12 * 60; m += 20) {
    set_clock_offset_for_tests(m * 60);
    ASSERT_TRUE(services::resolve_session(*app, l2.token)) << m;
  }
  set_clock_offset_for_tests(12 * 3600 + 60);
  EXPECT_FALSE(services::resolve_session(*app, l2.token));
}

TEST_F(AuthTest, ThrottleAfterTenFailuresEvenWithRightPasswordThenCoolsOff) {
  test::make_user(*app, "amy", "teacher");
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r"); }), 401) << i;
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r"); }), 429);
  // The right password still waits (no oracle), from another client too.
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "2.2.2.2", "r"); }), 429);
  // Another account is not affected.
  test::make_user(*app, "bob", "teacher");
  EXPECT_EQ(status_of([&] { services::login(*app, "bob", "correct horse battery", "2.2.2.2", "r"); }), 0);
  // Hammering during the cooling-off does not extend it.
  for (int i = 0; i < 20; ++i) status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r"); });
  set_clock_offset_for_tests(services::kFailureWindowSeconds + 1);
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r"); }), 0);
}

TEST_F(AuthTest, PerClientLimit) {
  for (int i = 0; i < services::kClientFailureLimit; ++i)
    status_of([&] { services::login(*app, "user" + std::to_string(i), "wrong password!!", "6.6.6.6", "r"); });
  test::make_user(*app, "carl", "student");
  EXPECT_EQ(status_of([&] { services::login(*app, "carl", "correct horse battery", "6.6.6.6", "r"); }), 429);
  EXPECT_EQ(status_of([&] { services::login(*app, "carl", "correct horse battery", "7.7.7.7", "r"); }), 0);
}

TEST_F(AuthTest, DeactivatedUserCannotLoginAndLosesSessions) {
  auto id = test::make_user(*app, "amy", "teacher");
  auto l = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
  services::set_user_active(*app, services::Actor::system(), id, false);
  EXPECT_FALSE(services::resolve_session(*app, l.token));
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r"); }), 401);
}

TEST_F(AuthTest, RoleRules) {
  test::make_user(*app, "root", "admin");
  auto t = test::make_user(*app, "tina", "teacher");
  auto s = test::make_user(*app, "sam", "student");
  services::Actor teacher{t, "tina", "teacher", "", ""}, student{s, "sam", "student", "", ""};
  EXPECT_EQ(status_of([&] { services::create_user(*app, student, {"x-user", "", "student", ""}); }), 403);
  EXPECT_EQ(status_of([&] { services::create_user(*app, teacher, {"x-admin", "", "admin", ""}); }), 403);
  services::Actor admin{1, "root", "admin", "", ""};
  auto c = services::create_user(*app, admin, {"new-admin", "", "admin", "N"});
  EXPECT_EQ(c.user.role, "admin");
  EXPECT_EQ(status_of([&] { services::create_user(*app, admin, {"new-admin", "", "student", ""}); }), 409);
  EXPECT_EQ(status_of([&] { services::create_user(*app, admin, {"Bad Name", "", "student", ""}); }), 422);
  EXPECT_EQ(status_of([&] { services::create_user(*app, admin, {"someone", "", "superuser", ""}); }), 422);
}

TEST_F(AuthTest, LastAdminCannotBeDeactivated) {
  auto a = test::make_user(*app, "root", "admin");
  EXPECT_EQ(status_of([&] { services::set_user_active(*app, services::Actor::system(), a, false); }), 409);
}

TEST_F(AuthTest, BootstrapAdminOnlyOnce) {
  auto c = services::bootstrap_admin(*app);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user.role, "admin");
  EXPECT_EQ(c->generated_password.size(), 20u);
  EXPECT_FALSE(services::bootstrap_admin(*app));
  EXPECT_EQ(status_of([&] { services::login(*app, "admin", c->generated_password, "1.1.1.1", "r"); }), 0);
}
