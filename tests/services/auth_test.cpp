#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/clock_testing.h"
#include "core/error.h"
#include "core/random.h"
#include "db/accounts_repo.h"
#include "http/types.h"
#include "services/auth.h"
#include "services/login_throttle.h"
#include "services/users.h"
#include "support/testapp.h"

using namespace sy;

namespace {
int test_status(const std::function<void()>& f, std::string* code = nullptr) {
  try {
    f();
  } catch (const AppError& e) {
    if (code) *code = e.code;
    return sy::http::status_of(e.kind);
  }
  return 0;
}
int status_of(const std::function<void()>& f) { return test_status(f); }
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
  // Frozen: login delays are whole seconds and must not depend on how fast this machine is.
  void SetUp() override { freeze_clock_for_tests(true); }
  void TearDown() override {
    freeze_clock_for_tests(false);
    set_clock_offset_for_tests(0);
  }
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

// Finding (a): ten wrong passwords every 15 minutes used to lock the account out for good. The
// owner's device cookie is judged only by its own failures.
TEST_F(AuthTest, KnownDeviceIsNotSlowedByFailuresElsewhere) {
  test::make_user(*app, "amy", "admin");
  auto first = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
  ASSERT_FALSE(first.device_cookie.empty());
  std::string device = first.device_cookie;
  for (int round = 0; round < 8; ++round) {
    set_clock_offset_for_tests(round * 15 * 60);
    for (int i = 0; i < 10; ++i) status_of([&] { services::login(*app, "amy", "wrong password!!", "6.6.6.6", "r"); });
    for (int i = 0; i < 10; ++i)
      status_of([&] { services::login(*app, "amy", "wrong password!!", "6.6.6." + std::to_string(i), "r"); });
    services::Login l;
    EXPECT_EQ(status_of([&] { l = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r", "", device); }),
              0)
        << round;
    device = l.device_cookie.empty() ? device : l.device_cookie;
    // Meanwhile the attacker's address is slowed for that account, whatever the password.
    if (round == 0)
      EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "6.6.6.6", "r"); }), 429);
  }
}

// Finding (b): one client address blocked logins for everyone behind it (a school NAT).
TEST_F(AuthTest, OneHammeringClientBehindANatDoesNotBlockOthers) {
  test::make_user(*app, "carl", "student");
  test::make_user(*app, "dora", "student");
  auto carl = services::login(*app, "carl", "correct horse battery", "6.6.6.6", "r");
  for (int i = 0; i < 60; ++i)
    status_of([&] { services::login(*app, "user" + std::to_string(i % 3), "wrong password!!", "6.6.6.6", "r"); });
  EXPECT_EQ(status_of([&] {
              services::login(*app, "carl", "correct horse battery", "6.6.6.6", "r", "", carl.device_cookie);
            }),
            0);
  EXPECT_EQ(status_of([&] { services::login(*app, "dora", "correct horse battery", "6.6.6.6", "r"); }), 0);
  EXPECT_EQ(status_of([&] { services::login(*app, "user1", "correct horse battery", "6.6.6.6", "r"); }), 429);
}

TEST_F(AuthTest, AddressLimitIsGenerousAndKnownDevicesIgnoreIt) {
  test::make_user(*app, "carl", "student");
  auto carl = services::login(*app, "carl", "correct horse battery", "6.6.6.6", "r");
  app->db->tx([&](db::Tx& t) {
    for (int i = 0; i < services::kAddressFreeFailures; ++i)
      db::auth_failures::record(t, "pupil" + std::to_string(i), "6.6.6.6", now_unix());
  });
  test::make_user(*app, "dora", "student");
  EXPECT_EQ(status_of([&] { services::login(*app, "dora", "correct horse battery", "6.6.6.6", "r"); }), 429);
  EXPECT_EQ(status_of([&] { services::login(*app, "dora", "correct horse battery", "7.7.7.7", "r"); }), 0);
  EXPECT_EQ(status_of([&] {
              services::login(*app, "carl", "correct horse battery", "6.6.6.6", "r", "", carl.device_cookie);
            }),
            0);
}

TEST_F(AuthTest, ADeviceCookieIsLockedOutByItsOwnFailures) {
  test::make_user(*app, "amy", "teacher");
  auto dev = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r").device_cookie;
  // Unknown clients have pushed the account into a delay...
  app->db->tx([&](db::Tx& t) {
    for (int i = 0; i < services::kAccountFreeFailures + 5; ++i)
      db::auth_failures::record(t, "amy", "6.6.6.6", now_unix());
  });
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r"); }), 429);
  // ...which the device cookie passes, until the cookie itself has failed too often.
  for (int i = 0; i < services::kDeviceFailureLimit; ++i)
    EXPECT_EQ(status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r", "", dev); }), 401) << i;
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r", "", dev); }), 429);
  // A cookie for another account or with a changed signature is no device cookie.
  test::make_user(*app, "bob", "teacher");
  auto bob_dev = services::login(*app, "bob", "correct horse battery", "1.1.1.1", "r").device_cookie;
  EXPECT_EQ(services::device_of(*app, "amy", bob_dev), "");
  EXPECT_NE(services::device_of(*app, "bob", bob_dev), "");
  std::string forged = bob_dev;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';  // another nonce, same signature
  EXPECT_EQ(services::device_of(*app, "bob", forged), "");
  EXPECT_EQ(services::device_of(*app, "bob", ""), "");
  EXPECT_EQ(services::device_of(*app, "bob", "no-dot-here"), "");
}

TEST_F(AuthTest, GrowingDelaysAreCappedAndThrottledAttemptsDoNotCount) {
  EXPECT_EQ(services::backoff_seconds(4, 5), 0);
  EXPECT_EQ(services::backoff_seconds(5, 5), 1);
  EXPECT_EQ(services::backoff_seconds(6, 5), 2);
  EXPECT_EQ(services::backoff_seconds(12, 5), 128);
  EXPECT_EQ(services::backoff_seconds(15, 5), services::kMaxDelaySeconds);
  EXPECT_EQ(services::backoff_seconds(1000000, 5), services::kMaxDelaySeconds);
  test::make_user(*app, "amy", "teacher");
  for (int i = 0; i < services::kAccountAddressFreeFailures; ++i)
    EXPECT_EQ(status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r"); }), 401);
  try {
    services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
    FAIL();
  } catch (const services::Throttled& e) {
    EXPECT_EQ(sy::http::status_of(e.kind), 429);
    EXPECT_EQ(e.retry_after, 1);
  }
  // Hammering during the delay does not extend it.
  for (int i = 0; i < 20; ++i) status_of([&] { services::login(*app, "amy", "wrong password!!", "1.1.1.1", "r"); });
  set_clock_offset_for_tests(1);
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r"); }), 0);
}

TEST_F(AuthTest, EveryInstanceSharesTheDeviceKey) {
  test::make_user(*app, "amy", "teacher");
  auto dev = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r").device_cookie;
  services::App other;  // a second instance on the same database
  other.db.swap(app->db);
  EXPECT_NE(services::device_of(other, "amy", dev), "");
  other.db.swap(app->db);
}

TEST_F(AuthTest, OwnPasswordChangeNeedsTheCurrentOneAndKeepsThisSession) {
  auto id = test::make_user(*app, "amy", "teacher");
  auto here = services::login(*app, "amy", "correct horse battery", "1.1.1.1", "r");
  auto there = services::login(*app, "amy", "correct horse battery", "2.2.2.2", "r");
  services::Actor me{id, "amy", Role::teacher, "1.1.1.1", "r"};
  std::string code;
  EXPECT_EQ(test_status(
                [&] { services::change_own_password(*app, me, here.session_id, "wrong!!!!!!!!", "new passphrase 1"); },
                &code),
            403);
  EXPECT_EQ(code, "wrong_password");
  EXPECT_EQ(
      status_of([&] { services::change_own_password(*app, me, here.session_id, "correct horse battery", "short"); }),
      422);
  EXPECT_EQ(status_of([&] { services::reset_password(*app, me, id, "new passphrase 1"); }), 403);
  EXPECT_EQ(status_of([&] {
              services::change_own_password(*app, me, here.session_id, "correct horse battery", "new passphrase 1");
            }),
            0);
  EXPECT_TRUE(services::resolve_session(*app, here.token));
  EXPECT_FALSE(services::resolve_session(*app, there.token));
  EXPECT_EQ(status_of([&] { services::login(*app, "amy", "new passphrase 1", "3.3.3.3", "r"); }), 0);
  // Guessing the current password is throttled like a login.
  for (int i = 0; i < services::kAccountAddressFreeFailures; ++i)
    status_of(
        [&] { services::change_own_password(*app, me, here.session_id, "guess guess guess", "new passphrase 2"); });
  EXPECT_EQ(status_of([&] {
              services::change_own_password(*app, me, here.session_id, "new passphrase 1", "new passphrase 2");
            }),
            429);
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
  services::Actor teacher{t, "tina", Role::teacher, "", ""}, student{s, "sam", Role::student, "", ""};
  EXPECT_EQ(status_of([&] { services::create_user(*app, student, {"x-user", "", "student", ""}); }), 403);
  EXPECT_EQ(status_of([&] { services::create_user(*app, teacher, {"x-admin", "", "admin", ""}); }), 403);
  services::Actor admin{1, "root", Role::admin, "", ""};
  auto c = services::create_user(*app, admin, {"new-admin", "", "admin", "N"});
  EXPECT_EQ(c.user.role, Role::admin);
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
  EXPECT_EQ(c->user.role, Role::admin);
  EXPECT_EQ(c->generated_password.size(), 20u);
  EXPECT_FALSE(services::bootstrap_admin(*app));
  EXPECT_EQ(status_of([&] { services::login(*app, "admin", c->generated_password, "1.1.1.1", "r"); }), 0);
}
