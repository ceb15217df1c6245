// The attendance and timetable pages, rendered through the real templates: the register form
// (present by default, one tap per exception), saving it from a form post, the same-day rule,
// the reports for a student and their guardian, and the timetable's day and week views.
#include "web/attendance_pages.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "db/attendance_repo.h"
#include "db/subjects_repo.h"
#include "db/timetable_repo.h"
#include "http/types.h"
#include "services/school_days.h"
#include "services/school_fixture.h"
#include "web/timetable_pages.h"

using namespace sy;

namespace {

class AttendancePages : public test::SchoolFixture {
 protected:
  http::Router router;

  void SetUp() override {
    SchoolFixture::SetUp();
    web::mount_attendance_pages(router, *app);
    web::mount_timetable_pages(router, *app);
    seed_two_classes();
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& target,
                      const std::string& form = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = http::parse_urlencoded(target.substr(q + 1));
    req.body = form;
    if (!form.empty()) req.headers.push_back({"content-type", "application/x-www-form-urlencoded"});
    req.remote_ip = "127.0.0.1";
    if (who) {
      auto a = actor(who);
      req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", "tok"};
    }
    return router.dispatch(req);
  }
  static bool has(const http::Response& r, const std::string& s) { return r.body.find(s) != std::string::npos; }
  static std::string location(const http::Response& r) { return r.header("location").value_or(""); }
  std::vector<db::MarkRow> marks_today(std::int64_t cls) {
    return app->db->read_result<std::vector<db::MarkRow>>([&](db::Tx& t) {
      auto reg = db::attendance::find_register(t, cls, services::today(), 0);
      return reg ? db::attendance::marks(t, reg->id) : std::vector<db::MarkRow>{};
    });
  }
  std::string cls(std::int64_t id) { return "/attendance/classes/" + std::to_string(id); }
};

TEST_F(AttendancePages, TheRegisterIsOneFormWithEveryonePresent) {
  auto r = call(t1, "GET", "/attendance");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "1 not taken yet")) << r.body;
  EXPECT_TRUE(has(r, "href=\"" + cls(c1) + "\""));
  EXPECT_FALSE(has(r, cls(c2) + "\""));  // not their class

  r = call(t1, "GET", cls(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "name=\"viewport\""));
  std::string sid = std::to_string(s1);
  EXPECT_TRUE(has(r, "id=\"s" + sid + "-P\" name=\"s_" + sid + "\" value=\"P\" checked")) << r.body;
  EXPECT_TRUE(has(r, "id=\"s" + sid + "-A\" name=\"s_" + sid + "\" value=\"A\" ")) << r.body;
  EXPECT_TRUE(has(r, "Save register"));

  r = call(t1, "POST", cls(c1), "s_" + sid + "=A&n_" + sid + "=dentist&_csrf=tok");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(location(r).rfind("/attendance?flash=Register", 0), 0u) << location(r);
  auto m = marks_today(c1);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].code, "A");
  EXPECT_EQ(m[0].note, "dentist");
  r = call(t1, "GET", cls(c1));
  EXPECT_TRUE(has(r, "value=\"A\" checked")) << r.body;
  EXPECT_TRUE(has(r, "value=\"dentist\""));
  EXPECT_TRUE(has(call(t1, "GET", "/attendance"), "Every register is taken"));

  // Everyone present again: nothing stored.
  ASSERT_EQ(call(t1, "POST", cls(c1), "s_" + sid + "=P&n_" + sid + "=").status, 303);
  EXPECT_TRUE(marks_today(c1).empty());

  // A mark for a student of another class is a message on the register, and nothing is written.
  r = call(t1, "POST", cls(c1), "s_" + std::to_string(s2) + "=A");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("flash=student"), std::string::npos) << location(r);
  EXPECT_TRUE(marks_today(c1).empty());
  EXPECT_EQ(call(t1, "POST", cls(c2), "s_" + std::to_string(s2) + "=A").status, 403);
  EXPECT_EQ(call(s1, "GET", cls(c1)).status, 403);
  EXPECT_EQ(call(g1, "POST", cls(c1), "s_" + sid + "=A").status, 403);
}

TEST_F(AttendancePages, AnotherDayIsReadOnlyForTeachers) {
  auto past = utc_format(now_unix() - 3 * 86400, "%Y-%m-%d");
  auto r = call(t1, "GET", cls(c1) + "?date=" + past);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "Only today's register can be changed"));
  EXPECT_FALSE(has(r, "Save register"));
  EXPECT_TRUE(has(r, "disabled"));
  EXPECT_EQ(call(t1, "POST", cls(c1), "date=" + past + "&s_" + std::to_string(s1) + "=A").status, 403);
  r = call(admin, "GET", cls(c1) + "?date=" + past);
  EXPECT_TRUE(has(r, "Save register"));
  EXPECT_TRUE(has(r, "type=\"date\""));
  EXPECT_EQ(call(admin, "POST", cls(c1), "date=" + past + "&s_" + std::to_string(s1) + "=E").status, 303);
}

TEST_F(AttendancePages, ReportsForTheStudentAndTheirGuardian) {
  ASSERT_EQ(call(t1, "POST", cls(c1), "s_" + std::to_string(s1) + "=L&n_" + std::to_string(s1) + "=bus").status, 303);
  auto r = call(s1, "GET", "/attendance");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(location(r), "/attendance/students/" + std::to_string(s1));
  r = call(g1, "GET", "/attendance");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "/attendance/students/" + std::to_string(s1)));
  EXPECT_FALSE(has(r, "/attendance/students/" + std::to_string(s2)));
  r = call(g1, "GET", "/attendance/students/" + std::to_string(s1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "100.0 %"));
  EXPECT_TRUE(has(r, "<td>Late</td><td>bus</td>")) << r.body;
  EXPECT_EQ(call(g2, "GET", "/attendance/students/" + std::to_string(s1)).status, 403);
  r = call(t1, "GET", cls(c1) + "/report");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "Full student1"));
  EXPECT_EQ(call(g1, "GET", cls(c1) + "/report").status, 403);
}

TEST_F(AttendancePages, CodesPageForTheOffice) {
  EXPECT_EQ(call(t1, "GET", "/attendance/codes").status, 403);
  ASSERT_EQ(call(admin, "GET", "/attendance/codes").status, 200);
  auto r = call(admin, "POST", "/attendance/codes", "code=T&label=Trip&kind=excused&active=1");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("Code%20saved"), std::string::npos) << location(r);
  r = call(admin, "POST", "/attendance/codes", "code=T&label=Trip&kind=excused&active=1");
  EXPECT_NE(location(r).find("exists"), std::string::npos) << location(r);
  EXPECT_TRUE(has(call(t1, "GET", cls(c1)), "value=\"T\""));
  ASSERT_EQ(call(admin, "POST", "/attendance/codes", "existing=1&code=T&label=Trip&kind=excused").status, 303);
  EXPECT_FALSE(has(call(t1, "GET", cls(c1)), "value=\"T\""));  // retired (no "active")
  EXPECT_EQ(call(t1, "POST", "/attendance/codes", "code=U&label=U&kind=late&active=1").status, 403);
}

TEST_F(AttendancePages, TimetableDayAndWeek) {
  std::int64_t p1 = 0;
  int today = services::iso_weekday(services::today());
  int other_day = today % 7 + 1;
  teach(c1, t1, "Algebra");
  app->db->tx([&](db::Tx& t) {
    p1 = db::timetable::insert_period(t, {0, "1", "08:30", "09:20"}, 1000);
    db::SlotRow s;
    s.class_id = c1;
    s.period_id = p1;
    s.teacher_id = t1;
    s.subject_id = db::subjects::by_name(t, "Maths")->id;
    s.weekday = today;
    db::timetable::insert_slot(t, s, 1000);
    s.weekday = other_day;
    s.subject_id = db::subjects::by_name(t, "Algebra")->id;
    db::timetable::insert_slot(t, s, 1000);
  });
  auto r = call(t1, "GET", "/timetable");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "Maths"));
  EXPECT_TRUE(has(r, "Algebra"));
  EXPECT_TRUE(has(r, "/attendance/classes/" + std::to_string(c1) + "?period_id=" + std::to_string(p1)));
  r = call(s1, "GET", "/timetable?date=" + services::today());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "Maths"));
  EXPECT_FALSE(has(r, "Algebra"));               // the day view
  EXPECT_FALSE(has(r, "/attendance/classes/"));  // students take no register
  r = call(g1, "GET", "/timetable");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "/timetable/students/" + std::to_string(s1)));
  EXPECT_TRUE(has(call(g1, "GET", "/timetable/students/" + std::to_string(s1)), "Algebra"));
  EXPECT_EQ(call(g2, "GET", "/timetable/students/" + std::to_string(s1)).status, 403);
  EXPECT_EQ(call(s2, "GET", "/timetable/classes/" + std::to_string(c1)).status, 403);
  EXPECT_TRUE(has(call(admin, "GET", "/timetable"), "Add lesson"));

  // The office's form: a clash comes back as a message naming it.
  r = call(admin, "POST", "/timetable/slots",
           "class_id=" + std::to_string(c2) + "&weekday=" + std::to_string(today) + "&period_id=" + std::to_string(p1) +
               "&teacher=teacher1");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("not%20an%20active%20teacher"), std::string::npos) << location(r);
  teach(c2, t1, "Art");
  r = call(admin, "POST", "/timetable/slots",
           "class_id=" + std::to_string(c2) + "&weekday=" + std::to_string(today) + "&period_id=" + std::to_string(p1) +
               "&teacher=teacher1");
  EXPECT_NE(location(r).find("already%20teaches%207A"), std::string::npos) << location(r);
}

// "Registers today" with a timetable: each of today's lessons links to its own register and says
// which lesson it is; saving that register ticks the lesson off. A class without lessons today
// keeps the register for the day.
TEST_F(AttendancePages, RegistersTodayOpenEachLessonsOwnRegister) {
  std::int64_t p1 = 0;
  app->db->tx([&](db::Tx& t) {
    p1 = db::timetable::insert_period(t, {0, "Period 1", "08:30", "09:20"}, 1000);
    db::SlotRow s;
    s.class_id = c1;
    s.period_id = p1;
    s.teacher_id = t1;
    s.subject_id = db::subjects::by_name(t, "Maths")->id;
    s.weekday = services::iso_weekday(services::today());
    db::timetable::insert_slot(t, s, 1000);
  });
  std::string lesson = cls(c1) + "?period_id=" + std::to_string(p1);
  auto r = call(t1, "GET", "/attendance");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "href=\"" + lesson + "\"")) << r.body;
  EXPECT_TRUE(has(r, "Period 1 08:30 · Maths")) << r.body;
  EXPECT_FALSE(has(r, "href=\"" + cls(c1) + "\"")) << r.body;  // not the day register
  r = call(admin, "GET", "/attendance");
  EXPECT_TRUE(has(r, "href=\"" + cls(c2) + "\"")) << r.body;  // 7B: no lesson today

  ASSERT_EQ(call(t1, "POST", cls(c1),
                 "date=" + services::today() + "&period_id=" + std::to_string(p1) + "&s_" + std::to_string(s1) + "=A")
                .status,
            303);
  r = call(t1, "GET", "/attendance");
  EXPECT_TRUE(has(r, "Every register is taken.")) << r.body;
}

}  // namespace
