// Email through the whole app: password reset by emailed link (single use, expiry, rate limits,
// no account enumeration, sessions ended) and message notifications (opt-out honoured, never to
// another student's family), read from a real SMTP server (aiosmtpd on loopback).
#include <gtest/gtest.h>

#include <regex>

#include "core/clock.h"
#include "core/random.h"
#include "db/mail_repo.h"
#include "db/reset_repo.h"
#include "jobs/processor.h"
#include "services/password_reset.h"
#include "services/people.h"
#include "support/smtp_sink.h"
#include "support/testapp.h"
#include "support/testenv.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class CommMail : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app = test::make_app();
  http::Router router;
  test::SmtpSink sink;
  bool have_sink = false;
  std::int64_t admin = 0, t1 = 0, t2 = 0, s1 = 0, s2 = 0, g1 = 0, g2 = 0;

  void SetUp() override {
    have_sink = sink.start();
    app->config.smtp_url = have_sink ? sink.url() : "";
    app->config.mail_from = "office@school.test";
    app->config.public_url = "https://school.test";
    web::build_router(router, *app);
    admin = test::make_user(*app, "boss", "admin");
    t1 = test::make_user(*app, "teacher1", "teacher");
    t2 = test::make_user(*app, "teacher2", "teacher");
    s1 = test::make_user(*app, "student1", "student");
    s2 = test::make_user(*app, "student2", "student");
    g1 = test::make_user(*app, "guardian1", "guardian");
    g2 = test::make_user(*app, "guardian2", "guardian");
    auto sys = services::Actor::system("test");
    for (auto [id, mail] : {std::pair{t1, "t1@school.test"},
                            {t2, "t2@school.test"},
                            {g1, "g1@home.test"},
                            {g2, "g2@home.test"},
                            {s1, "s1@school.test"}}) {
      services::PersonInput in;
      in.email = mail;
      services::update_person(*app, sys, id, in);
    }
    test::Client a{router};
    a.login("boss");
    auto c1 =
        a.json(a.call("POST", "/api/v1/classes", J{{"name", "7A"}, {"year", 2025}}.dump()))["id"].get<std::int64_t>();
    auto c2 =
        a.json(a.call("POST", "/api/v1/classes", J{{"name", "7B"}, {"year", 2025}}.dump()))["id"].get<std::int64_t>();
    for (auto [c, t, s, g] : {std::tuple{c1, t1, s1, g1}, {c2, t2, s2, g2}}) {
      EXPECT_EQ(a.call("POST", "/api/v1/classes/" + std::to_string(c) + "/teachers",
                       J{{"teacher_id", t}, {"subject", "Maths"}}.dump())
                    .status,
                201);
      EXPECT_EQ(
          a.call("POST", "/api/v1/classes/" + std::to_string(c) + "/students", J{{"student_id", s}}.dump()).status,
          201);
      auto r = a.call("POST", "/api/v1/guardians", J{{"guardian_id", g}, {"student_id", s}}.dump());
      EXPECT_LT(r.status, 300) << r.body;
    }
  }
  void TearDown() override { set_clock_offset_for_tests(0); }

  jobs::Options options() {
    jobs::Options o;
    o.mail.smtp_url = app->config.smtp_url;
    o.mail.from = app->config.mail_from;
    return o;
  }
  // Delivers everything queued (a worker, as in `serve`).
  int deliver() {
    jobs::Processor p(*app->db, *app->store, options(), "test");
    int n = 0;
    while (auto j = p.claim_next()) n += p.run(*j) == jobs::Outcome::sent;
    return n;
  }
  static std::string link_in(const test::SinkMessage& m) {
    std::smatch mt;
    std::regex re("https://school\\.test/password-reset/confirm\\?token=([A-Za-z0-9_-]+)");
    return std::regex_search(m.body, mt, re) ? mt[1].str() : "";
  }
  std::vector<test::SinkMessage> mail_to(const std::string& address) {
    std::vector<test::SinkMessage> out;
    for (auto& m : sink.messages())
      if (!m.to.empty() && m.to[0] == address) out.push_back(m);
    return out;
  }
};

TEST_F(CommMail, PasswordResetByEmailedSingleUseLink) {
  SY_REQUIRE_COMPONENT(have_sink, "no aiosmtpd SMTP sink");
  test::Client victim_session{router};
  ASSERT_EQ(victim_session.login("teacher1").status, 200);

  test::Client anon{router};
  auto r = anon.call("POST", "/api/v1/password-reset", J{{"login", "teacher1"}}.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(sink.messages().empty()) << "nothing is sent inside the request";
  ASSERT_EQ(deliver(), 1);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to[0], "t1@school.test");
  std::string token = link_in(got[0]);
  ASSERT_FALSE(token.empty()) << got[0].body;
  EXPECT_GE(token.size(), 40u);

  // Only the token's hash is stored.
  app->db->read([&](db::Tx& t) {
    EXPECT_TRUE(db::resets::by_token_hash(t, sha256_hex(token)).has_value());
    EXPECT_FALSE(db::resets::by_token_hash(t, token).has_value());
  });

  // The page with the link shows the form and sends no referrer.
  auto page = anon.call("GET", "/password-reset/confirm?token=" + token);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("referrer-policy").value_or(""), "no-referrer");

  // A weak password keeps the link usable; a good one sets it.
  r = anon.call("POST", "/api/v1/password-reset/confirm", J{{"token", token}, {"new_password", "short"}}.dump());
  EXPECT_EQ(r.status, 422);
  r = anon.call("POST", "/api/v1/password-reset/confirm",
                J{{"token", token}, {"new_password", "a brand new long password"}}.dump());
  EXPECT_EQ(r.status, 204) << r.body;
  // Every session of the account ended; the new password works, the old one does not.
  EXPECT_EQ(victim_session.call("GET", "/api/v1/me").status, 401);
  test::Client fresh{router};
  EXPECT_EQ(fresh.login("teacher1", "a brand new long password").status, 200);
  test::Client old{router};
  EXPECT_EQ(old.login("teacher1").status, 401);
  // Single use.
  r = anon.call("POST", "/api/v1/password-reset/confirm",
                J{{"token", token}, {"new_password", "yet another long password"}}.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(anon.json(r)["error"]["code"], "invalid_token");
}

TEST_F(CommMail, ResetLinkExpires) {
  SY_REQUIRE_COMPONENT(have_sink, "no aiosmtpd SMTP sink");
  test::Client anon{router};
  ASSERT_EQ(anon.call("POST", "/api/v1/password-reset", J{{"login", "g1@home.test"}}.dump()).status, 202);
  ASSERT_EQ(deliver(), 1);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to[0], "g1@home.test") << "found by email address too";
  std::string token = link_in(got[0]);
  set_clock_offset_for_tests(31 * 60);
  auto r = anon.call("POST", "/api/v1/password-reset/confirm",
                     J{{"token", token}, {"new_password", "a brand new long password"}}.dump());
  EXPECT_EQ(r.status, 422);
  test::Client c{router};
  set_clock_offset_for_tests(0);
  EXPECT_EQ(c.login("guardian1").status, 200) << "the password did not change";
}

TEST_F(CommMail, ResetAnswersTheSameWhetherOrNotTheAccountExists) {
  test::Client anon{router};
  auto a = anon.call("POST", "/api/v1/password-reset", J{{"login", "teacher1"}}.dump());
  auto b = anon.call("POST", "/api/v1/password-reset", J{{"login", "no.such.user"}}.dump());
  auto c = anon.call("POST", "/api/v1/password-reset", J{{"login", "student2"}}.dump());  // no email on file
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.body, c.body);
  // The page too.
  auto pa = anon.call("POST", "/password-reset", "login=teacher1", "application/x-www-form-urlencoded");
  auto pb = anon.call("POST", "/password-reset", "login=no.such.user", "application/x-www-form-urlencoded");
  EXPECT_EQ(pa.status, 200);
  EXPECT_EQ(pa.status, pb.status);
  EXPECT_EQ(pa.body, pb.body);
  // Every answer waited out the same floor, whatever work it did (the bound is the padding,
  // not a speed claim).
  for (const char* login : {"teacher1", "nobody.at.all"}) {
    auto start = std::chrono::steady_clock::now();
    anon.call("POST", "/api/v1/password-reset", J{{"login", login}}.dump());
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_GE(ms, services::kResetAnswerFloorMs) << login;
  }
}

TEST_F(CommMail, ResetIsRateLimited) {
  test::Client anon{router};
  // Per account: at most 3 links an hour, silently.
  for (int i = 0; i < 5; ++i) anon.call("POST", "/api/v1/password-reset", J{{"login", "teacher2"}}.dump());
  auto links = app->db->read_result<std::size_t>([&](db::Tx& t) { return db::mail::list(t, "", 100).size(); });
  EXPECT_EQ(links, 3u);
  // Per client address: 10 requests an hour, then 429 with Retry-After — for any login.
  for (int i = 0; i < 5; ++i) anon.call("POST", "/api/v1/password-reset", J{{"login", "x" + std::to_string(i)}}.dump());
  auto r = anon.call("POST", "/api/v1/password-reset", J{{"login", "no.such.user"}}.dump());
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.header("retry-after").has_value());
  // Another address is not affected.
  test::Client other{router};
  other.ip = "198.51.100.7";
  EXPECT_EQ(other.call("POST", "/api/v1/password-reset", J{{"login", "no.such.user"}}.dump()).status, 202);
}

TEST_F(CommMail, MessageNotificationsReachOnlyTheOtherSideOfThatStudent) {
  SY_REQUIRE_COMPONENT(have_sink, "no aiosmtpd SMTP sink");
  test::Client teacher{router};
  teacher.login("teacher1");
  auto r = teacher.call("POST", "/api/v1/students/" + std::to_string(s1) + "/messages",
                        J{{"body", "Ann did great today."}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(deliver(), 1);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to[0], "g1@home.test");
  EXPECT_NE(got[0].body.find("Ann did great today."), std::string::npos);
  EXPECT_NE(got[0].body.find("/me/profile"), std::string::npos) << "non-essential mail says how to stop it";
  EXPECT_TRUE(mail_to("g2@home.test").empty());
  EXPECT_TRUE(mail_to("t2@school.test").empty());
  EXPECT_TRUE(mail_to("s1@school.test").empty()) << "students are not in the thread";

  // The guardian answers: the student's teacher is told, nobody else.
  test::Client guardian{router};
  guardian.login("guardian1");
  ASSERT_EQ(guardian.call("POST", "/api/v1/students/" + std::to_string(s1) + "/messages", J{{"body", "Thanks!"}}.dump())
                .status,
            201);
  EXPECT_EQ(deliver(), 1);
  EXPECT_EQ(mail_to("t1@school.test").size(), 1u);
  EXPECT_TRUE(mail_to("t2@school.test").empty());

  // The guardian opts out on their profile: the next message is recorded, not sent.
  auto p = guardian.call("PATCH", "/api/v1/me/profile", J{{"email_opt_out", true}}.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  ASSERT_EQ(teacher.call("POST", "/api/v1/students/" + std::to_string(s1) + "/messages", J{{"body", "See you."}}.dump())
                .status,
            201);
  EXPECT_EQ(deliver(), 0);
  EXPECT_EQ(mail_to("g1@home.test").size(), 1u);
  auto skipped =
      app->db->read_result<std::vector<db::OutboxRow>>([&](db::Tx& t) { return db::mail::list(t, "skipped", 10); });
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].skipped, "opt_out");
  // Essential mail still goes: a password reset reaches the opted-out guardian.
  test::Client anon{router};
  anon.call("POST", "/api/v1/password-reset", J{{"login", "guardian1"}}.dump());
  EXPECT_EQ(deliver(), 1);
  EXPECT_EQ(mail_to("g1@home.test").size(), 2u);
}

}  // namespace
