// Login throttling that cannot be turned against users (device cookies, growing delays), changing
// one's own password, and the protected /metrics, through the real router and middleware.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/clock_testing.h"
#include "db/accounts_repo.h"
#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class Accounts : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app = test::make_app();
  http::Router router;
  std::int64_t root = 0, tina = 0, sam = 0;
  void SetUp() override {
    freeze_clock_for_tests(true);  // login delays are whole seconds: not the machine's speed
    web::build_router(router, *app);
    root = test::make_user(*app, "root", "admin");
    tina = test::make_user(*app, "tina", "teacher");
    sam = test::make_user(*app, "sam", "student");
  }
  void TearDown() override {
    freeze_clock_for_tests(false);
    set_clock_offset_for_tests(0);
  }
  test::Client client(const std::string& ip = "192.0.2.10") {
    test::Client c{router};
    c.ip = ip;
    return c;
  }
  // A browser that logged in once (and out again): it keeps only its device cookie.
  test::Client known_device(const std::string& user, const std::string& ip) {
    auto c = client(ip);
    EXPECT_EQ(c.login(user).status, 200);
    EXPECT_FALSE(c.device.empty()) << "no device cookie after a successful login";
    EXPECT_EQ(c.call("DELETE", "/api/v1/session").status, 204);
    c.csrf.clear();
    return c;
  }
  int retry_after(const http::Response& r) { return std::stoi(r.header("retry-after").value_or("-1")); }
};

// Finding (a): ten wrong passwords every 15 minutes kept the admin locked out for good, because a
// correct password was refused while cooling off. A browser the admin logged in from before is
// judged only by its own failures.
TEST_F(Accounts, TenFailuresEveryQuarterHourDoNotLockOutTheAdminsBrowser) {
  auto admin = known_device("root", "198.51.100.7");
  auto attacker = client("203.0.113.66");
  std::int64_t t = 0;
  for (int round = 0; round < 8; ++round) {  // two hours of attack
    set_clock_offset_for_tests(t);
    for (int i = 0; i < 10; ++i) attacker.login("root", "wrong password!!");
    auto r = admin.login("root");
    EXPECT_EQ(r.status, 200) << "round " << round << ": " << r.body;
    EXPECT_EQ(admin.call("DELETE", "/api/v1/session").status, 204);
    admin.csrf.clear();
    t += 15 * 60;
  }
}

// Finding (b): behind one school NAT, one student's failures blocked logins for everyone.
TEST_F(Accounts, OneStudentBehindTheSchoolNatDoesNotBlockTheOthers) {
  const std::string nat = "10.20.30.40";
  auto sam_browser = known_device("sam", nat);
  auto hammer = client(nat);
  for (int i = 0; i < 40; ++i) hammer.login("tina", "wrong password!!");
  for (int i = 0; i < 40; ++i) hammer.login("user" + std::to_string(i), "wrong password!!");
  // A pupil whose browser logged in before is not slowed at all.
  EXPECT_EQ(sam_browser.login("sam").status, 200);
  // Nor is someone without a device cookie logging in to an account nobody attacked: the limits
  // for unknown clients count per account+address, and the per-address one is generous.
  auto fresh = client(nat);
  EXPECT_EQ(fresh.login("root").status, 200);
  // The hammered account itself is slowed for unknown clients behind that address...
  EXPECT_EQ(client(nat).login("tina").status, 429);
}

TEST_F(Accounts, UnknownClientsGetGrowingDelaysWith429AndRetryAfter) {
  auto c = client("203.0.113.5");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(c.login("tina", "wrong password!!").status, 401) << i;
  std::int64_t t = 0;
  int last = 0;
  for (int step = 0; step < 14; ++step) {
    auto r = c.login("tina", "wrong password!!");
    ASSERT_EQ(r.status, 429) << step << " " << r.body;
    EXPECT_EQ(c.json(r)["error"]["code"], "throttled");
    int wait = retry_after(r);
    EXPECT_GE(wait, last) << step;     // grows
    EXPECT_LE(wait, 15 * 60) << step;  // capped
    if (step < 8) EXPECT_EQ(wait, 1 << step);
    // The right password waits too (no oracle)...
    EXPECT_EQ(c.login("tina").status, 429);
    last = wait;
    t += wait;
    set_clock_offset_for_tests(t);
    EXPECT_EQ(c.login("tina", "wrong password!!").status, 401) << step;
  }
  EXPECT_EQ(last, 15 * 60);
  // ...and is let in once the delay has passed.
  set_clock_offset_for_tests(t + 15 * 60);
  EXPECT_EQ(c.login("tina").status, 200);
}

TEST_F(Accounts, DeviceCookieIsSignedBoundToTheAccountAndStrict) {
  auto c = client();
  auto r = c.login("sam");
  ASSERT_EQ(r.status, 200);
  std::string dev;
  for (auto& sc : test::set_cookies(r))
    if (sc.rfind("sy_device=", 0) == 0) dev = sc;
  ASSERT_FALSE(dev.empty());
  EXPECT_NE(dev.find("HttpOnly"), std::string::npos);
  EXPECT_NE(dev.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(dev.find("Max-Age="), std::string::npos);
  EXPECT_EQ(dev.find("Secure"), std::string::npos);  // plain HTTP here

  auto https = client("192.0.2.1");
  https.secure = true;
  auto rs = https.login("tina");
  ASSERT_EQ(rs.status, 200);
  bool host_prefixed = false;
  for (auto& sc : test::set_cookies(rs))
    if (sc.rfind("__Host-sy_device=", 0) == 0) {
      host_prefixed = true;
      EXPECT_NE(sc.find("Secure"), std::string::npos);
      EXPECT_NE(sc.find("Path=/"), std::string::npos);
      EXPECT_EQ(sc.find("Domain"), std::string::npos);
    }
  EXPECT_TRUE(host_prefixed);

  // Throttle tina for unknown clients, then try to pass with sam's cookie or a forged one.
  auto attacker = client("203.0.113.9");
  for (int i = 0; i < 6; ++i) attacker.login("tina", "wrong password!!");
  ASSERT_EQ(attacker.login("tina").status, 429);
  attacker.device = c.device;  // sam's genuine cookie: bound to sam, not tina
  EXPECT_EQ(attacker.login("tina").status, 429);
  auto tina_dev = known_device("tina", "192.0.2.50").device;
  std::string forged = tina_dev;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';  // a changed signature
  attacker.device = forged;
  EXPECT_EQ(attacker.login("tina").status, 429);
  attacker.device = tina_dev;  // tina's own (stolen) cookie works: it is what a device cookie is
  EXPECT_EQ(attacker.login("tina").status, 200);
}

TEST_F(Accounts, LoginPageAnswers429WithRetryAfterToo) {
  auto c = client("203.0.113.5");
  for (int i = 0; i < 5; ++i)
    c.call("POST", "/login", "username=tina&password=wrong+password%21%21", "application/x-www-form-urlencoded");
  auto r =
      c.call("POST", "/login", "username=tina&password=correct+horse+battery", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(retry_after(r), 1);
  // A browser that logged in through the page before gets a device cookie there too.
  auto b = client("198.51.100.3");
  auto ok =
      b.call("POST", "/login", "username=tina&password=correct+horse+battery", "application/x-www-form-urlencoded");
  EXPECT_EQ(ok.status, 303);
  EXPECT_FALSE(b.device.empty());
  b.cookie.clear();
  EXPECT_EQ(
      b.call("POST", "/login", "username=tina&password=correct+horse+battery", "application/x-www-form-urlencoded")
          .status,
      303);
}

// Changing one's own password needs the current one, and ends the user's other sessions.
TEST_F(Accounts, OwnPasswordChangeNeedsTheCurrentOneAndEndsOtherSessions) {
  auto phone = client("192.0.2.20");
  auto laptop = client("192.0.2.21");
  ASSERT_EQ(phone.login("tina").status, 200);
  ASSERT_EQ(laptop.login("tina").status, 200);
  auto bad = laptop.call("POST", "/api/v1/me/password",
                         J{{"current_password", "not my password"}, {"new_password", "a brand new passphrase"}}.dump());
  EXPECT_EQ(bad.status, 403) << bad.body;
  EXPECT_EQ(laptop.json(bad)["error"]["code"], "wrong_password");
  auto weak = laptop.call("POST", "/api/v1/me/password",
                          J{{"current_password", "correct horse battery"}, {"new_password", "short"}}.dump());
  EXPECT_EQ(weak.status, 422);
  auto ok =
      laptop.call("POST", "/api/v1/me/password",
                  J{{"current_password", "correct horse battery"}, {"new_password", "a brand new passphrase"}}.dump());
  EXPECT_EQ(ok.status, 204) << ok.body;
  EXPECT_EQ(laptop.call("GET", "/api/v1/me").status, 200);  // this session stays
  EXPECT_EQ(phone.call("GET", "/api/v1/me").status, 401);   // the others end
  EXPECT_EQ(client().login("tina").status, 401);
  EXPECT_EQ(client().login("tina", "a brand new passphrase").status, 200);
  // The admin reset route is not a way around the current password for one's own account.
  auto self_reset = laptop.call("POST", "/api/v1/users/" + std::to_string(tina) + "/password",
                                J{{"password", "yet another passphrase"}}.dump());
  EXPECT_EQ(self_reset.status, 403) << self_reset.body;
  EXPECT_EQ(client().login("tina", "a brand new passphrase").status, 200);
}

TEST_F(Accounts, OwnPasswordChangePage) {
  auto c = client();
  ASSERT_EQ(c.call("POST", "/login", "username=sam&password=correct+horse+battery", "application/x-www-form-urlencoded")
                .status,
            303);
  auto other = client("192.0.2.77");
  ASSERT_EQ(other.login("sam").status, 200);
  auto page = c.call("GET", "/account/password");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("name=\"current_password\""), std::string::npos);
  auto me = c.call("GET", "/api/v1/me");
  std::string csrf = c.json(me)["csrf_token"];
  auto form = [&](const std::string& cur, const std::string& nw) {
    return "_csrf=" + http::url_encode(csrf) + "&current_password=" + http::url_encode(cur) +
           "&new_password=" + http::url_encode(nw);
  };
  auto wrong = c.call("POST", "/account/password", form("nope nope nope", "a brand new passphrase"),
                      "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("current password"), std::string::npos);
  auto ok = c.call("POST", "/account/password", form("correct horse battery", "a brand new passphrase"),
                   "application/x-www-form-urlencoded");
  EXPECT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(c.call("GET", "/api/v1/me").status, 200);
  EXPECT_EQ(other.call("GET", "/api/v1/me").status, 401);
}

TEST_F(Accounts, AdminResetEndsEverySessionOfThatUser) {
  auto admin = client();
  ASSERT_EQ(admin.login("root").status, 200);
  auto t = client("192.0.2.30");
  ASSERT_EQ(t.login("tina").status, 200);
  auto r = admin.call("POST", "/api/v1/users/" + std::to_string(tina) + "/password");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(t.call("GET", "/api/v1/me").status, 401);
  EXPECT_EQ(admin.call("GET", "/api/v1/me").status, 200);
}

TEST_F(Accounts, MetricsOnlyForLoopbackOrTrustedProxiesWithoutAToken) {
  EXPECT_EQ(client("127.0.0.1").call("GET", "/metrics").status, 200);
  EXPECT_EQ(client("::1").call("GET", "/metrics").status, 200);
  auto outsider = client("203.0.113.40").call("GET", "/metrics");
  EXPECT_EQ(outsider.status, 403);
  EXPECT_EQ(outsider.body.find("schoolyard_"), std::string::npos);
  // Logged in is not enough either.
  auto admin = client("203.0.113.41");
  ASSERT_EQ(admin.login("root").status, 200);
  EXPECT_EQ(admin.call("GET", "/metrics").status, 403);
}

TEST_F(Accounts, MetricsWithATokenNeedTheBearer) {
  app->config.metrics_token = "s3cret-scrape-token-0123456789";
  http::Router r2;
  web::build_router(r2, *app);
  test::Client c{r2};
  c.ip = "203.0.113.40";
  auto none = c.call("GET", "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate").value_or(""), "Bearer");
  EXPECT_EQ(c.call("GET", "/metrics", "", "", {{"authorization", "Bearer wrong"}}).status, 401);
  // With a token set, loopback needs it too (one rule, no surprise through a local proxy).
  c.ip = "127.0.0.1";
  EXPECT_EQ(c.call("GET", "/metrics").status, 401);
  auto ok = c.call("GET", "/metrics", "", "", {{"authorization", "Bearer s3cret-scrape-token-0123456789"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("content-type").value_or("").rfind("text/plain", 0), 0u);
}

}  // namespace
