// The absence alert end to end, against a real SMTP server (aiosmtpd on loopback): a teacher saves
// the register through the whole HTTP stack, the emails wait in the job queue (none is sent by the
// request), a worker delivers them, and however often the register is saved that day each guardian
// gets exactly one email per absent student per day.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/clock.h"
#include "db/people_repo.h"
#include "db/school_repo.h"
#include "jobs/processor.h"
#include "services/school_days.h"
#include "support/smtp_sink.h"
#include "support/testapp.h"
#include "support/testenv.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

struct AbsenceMail : ::testing::Test {
  std::unique_ptr<services::App> app = test::make_app();
  http::Router router;
  test::SmtpSink sink;
  std::int64_t teacher = 0, ann = 0, ben = 0, mum = 0, dad = 0, gran = 0, cls = 0;

  void SetUp() override {
    SY_REQUIRE_COMPONENT(sink.start(), "no aiosmtpd SMTP sink");
    app->config.smtp_url = sink.url();
    app->config.mail_from = "office@school.test";
    app->config.public_url = "https://school.test";
    web::build_router(router, *app);
    teacher = test::make_user(*app, "teacher", "teacher");
    test::make_user(*app, "boss", "admin");
    ann = test::make_user(*app, "ann", "student");
    ben = test::make_user(*app, "ben", "student");
    mum = test::make_user(*app, "mum", "guardian");
    dad = test::make_user(*app, "dad", "guardian");
    gran = test::make_user(*app, "gran", "guardian");
    app->db->tx([&](db::Tx& t) {
      cls = db::classes::insert(t, "7A", 2025, 1000);
      db::classes::assign_teacher(t, cls, teacher, "Maths", 1000);
      db::classes::enrol(t, cls, ann, 1000);
      db::classes::enrol(t, cls, ben, 1000);
      db::guardians::link(t, mum, ann, 1000);
      db::guardians::link(t, dad, ann, 1000);
      db::guardians::link(t, gran, ben, 1000);
      for (auto& [id, email] : std::vector<std::pair<std::int64_t, std::string>>{
               {mum, "mum@example.test"}, {dad, "dad@example.test"}, {gran, "gran@example.test"}}) {
        auto p = *db::people::by_id(t, id);
        p.email = email;
        db::people::update(t, p, 1000);
      }
    });
  }
  void TearDown() override { set_clock_offset_for_tests(0); }

  jobs::Options options() {
    jobs::Options o;
    o.mail.smtp_url = app->config.smtp_url;
    o.mail.from = app->config.mail_from;
    o.mail.connect_timeout_ms = 2000;
    o.mail.total_timeout_ms = 10000;
    return o;
  }
  // Runs every visible job; how many ran.
  int drain() {
    jobs::Processor p(*app->db, *app->store, options(), "absence-test");
    int n = 0;
    while (auto j = p.claim_next()) {
      p.run(*j);
      ++n;
    }
    return n;
  }
  http::Response save(test::Client& c, const J& marks) {
    return c.call("PUT", "/api/v1/classes/" + std::to_string(cls) + "/attendance", J{{"marks", marks}}.dump());
  }
  J absent(std::int64_t sid, const std::string& note = "") {
    return J{{"student_id", sid}, {"code", "A"}, {"note", note}};
  }
};

TEST_F(AbsenceMail, OneEmailPerGuardianPerAbsentStudentPerDay) {
  test::Client t{router};
  ASSERT_EQ(t.login("teacher").status, 200);
  test::Client office{router};
  ASSERT_EQ(office.login("boss").status, 200);

  auto r = save(t, J::array({absent(ann, "no word from home")}));
  ASSERT_EQ(r.status, 200) << r.body;
  // Saved again, changed, cleared and marked again, by the teacher and by the office: still one.
  ASSERT_EQ(save(t, J::array({absent(ann, "still not here")})).status, 200);
  ASSERT_EQ(save(t, J::array()).status, 200);
  ASSERT_EQ(save(office, J::array({absent(ann)})).status, 200);
  // Excused and late email nobody.
  ASSERT_EQ(save(t, J::array({absent(ann), J{{"student_id", ben}, {"code", "E"}}})).status, 200);
  ASSERT_EQ(save(t, J::array({absent(ann), J{{"student_id", ben}, {"code", "L"}}})).status, 200);

  // Nothing was sent from the requests: the emails wait in the queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(sink.messages().empty());
  EXPECT_EQ(drain(), 2);  // mum and dad
  auto got = sink.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> to;
  for (auto& m : got) {
    ASSERT_EQ(m.to.size(), 1u);
    to.insert(m.to[0]);
    EXPECT_EQ(m.subject, "Full ann was absent on " + services::today());
    EXPECT_NE(m.body.find("marked absent (Absent) in 7A"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("no word from home"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("https://school.test/attendance/students/" + std::to_string(ann)), std::string::npos);
  }
  EXPECT_EQ(to, (std::set<std::string>{"mum@example.test", "dad@example.test"}));

  // Saved again after delivery: still nothing new.
  ASSERT_EQ(save(t, J::array({absent(ann)})).status, 200);
  EXPECT_EQ(drain(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink.messages().size(), 2u);

  // The next day is a new day: one more each, and ben's gran now too.
  set_clock_offset_for_tests(86400);
  test::Client tomorrow{router};
  ASSERT_EQ(tomorrow.login("teacher").status, 200);
  ASSERT_EQ(save(tomorrow, J::array({absent(ann), absent(ben)})).status, 200);
  ASSERT_EQ(save(tomorrow, J::array({absent(ann), absent(ben)})).status, 200);
  EXPECT_EQ(drain(), 3);
  EXPECT_EQ(sink.wait_for(5).size(), 5u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink.messages().size(), 5u);
}

}  // namespace
