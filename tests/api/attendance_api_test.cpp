// The attendance endpoints through the Router: the register (present by default, exceptions
// stored), the same-day rule, validation that writes nothing, codes, registers due today, the
// reports and CSV, the absence-alert outbox key, and every denied / out-of-scope case.
#include "api/attendance_api.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "db/attendance_repo.h"
#include "services/attendance.h"
#include "services/school_fixture.h"

using namespace sy;
using J = nlohmann::json;

namespace {

std::string days_ago(int n) { return utc_format(now_unix() - 86400LL * n, "%Y-%m-%d"); }

class AttendanceApi : public test::SchoolFixture {
 protected:
  http::Router router;
  std::int64_t s4 = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    api::mount_attendance_api(router, *app);
    seed_two_classes();
    s4 = add_user("student4", sy::Role::student);
    enrol(c1, s4);
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.path = req.target = path;
    auto qm = path.find('?');
    if (qm != std::string::npos) {
      req.path = path.substr(0, qm);
      std::string qs = path.substr(qm + 1);
      for (std::size_t at = 0; at <= qs.size();) {
        auto amp = qs.find('&', at);
        if (amp == std::string::npos) amp = qs.size();
        auto kv = qs.substr(at, amp - at);
        auto eq = kv.find('=');
        if (eq != std::string::npos) req.query.emplace(kv.substr(0, eq), kv.substr(eq + 1));
        at = amp + 1;
      }
    }
    req.body = body;
    if (!body.empty()) req.headers.push_back({"content-type", "application/json"});
    req.remote_ip = "127.0.0.1";
    if (who) {
      auto a = actor(who);
      req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", "csrf"};
    }
    return router.dispatch(req);
  }
  http::Response call(std::int64_t who, const std::string& method, const std::string& path, const J& body) {
    return call(who, method, path, body.dump());
  }
  static J body(const http::Response& r) { return J::parse(r.body); }
  static std::string code(const http::Response& r) { return body(r)["error"]["code"].get<std::string>(); }
  std::string reg(std::int64_t c) { return "/api/v1/classes/" + std::to_string(c) + "/attendance"; }
  J marks(std::initializer_list<J> m) { return J{{"marks", J(m)}}; }
  J mark(std::int64_t sid, const std::string& c, const std::string& note = "") {
    return J{{"student_id", sid}, {"code", c}, {"note", note}};
  }
  std::int64_t alerts(std::int64_t sid, const std::string& day) {
    return app->db->read_result<std::int64_t>([&](db::Tx& t) { return db::attendance::alert_count(t, sid, day); });
  }
  bool taken(std::int64_t c, const std::string& day) {
    return app->db->read_result<bool>(
        [&](db::Tx& t) { return db::attendance::find_register(t, c, day, 0).has_value(); });
  }
};

TEST_F(AttendanceApi, EveryoneIsPresentUntilMarkedAndOnlyExceptionsAreStored) {
  auto r = call(t1, "GET", reg(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Cache-Control").value_or(""), "no-store");
  auto j = body(r);
  EXPECT_FALSE(j["taken"].get<bool>());
  EXPECT_TRUE(j["editable"].get<bool>());
  EXPECT_EQ(j["date"], services::today());
  ASSERT_EQ(j["entries"].size(), 2u);
  for (auto& e : j["entries"]) EXPECT_EQ(e["code"], "P");

  r = call(t1, "PUT", reg(c1), marks({mark(s1, "A", "no word from home"), mark(s4, "P")}));
  ASSERT_EQ(r.status, 200) << r.body;
  j = body(r);
  EXPECT_TRUE(j["taken"].get<bool>());
  for (auto& e : j["entries"]) {
    if (e["student_id"] == s1) {
      EXPECT_EQ(e["code"], "A");
      EXPECT_EQ(e["kind"], "absent");
      EXPECT_EQ(e["note"], "no word from home");
    } else {
      EXPECT_EQ(e["code"], "P");
    }
  }
  auto stored = app->db->read_result<std::vector<db::MarkRow>>([&](db::Tx& t) {
    return db::attendance::marks(t, db::attendance::find_register(t, c1, services::today(), 0)->id);
  });
  ASSERT_EQ(stored.size(), 1u);  // the present student is not a row
  EXPECT_EQ(stored[0].student_id, s1);

  // Saved again the same day: the marks are replaced, not added to.
  r = call(t1, "PUT", reg(c1), marks({mark(s4, "L")}));
  ASSERT_EQ(r.status, 200) << r.body;
  j = body(call(t1, "GET", reg(c1)));
  for (auto& e : j["entries"]) EXPECT_EQ(e["code"], e["student_id"] == s4 ? "L" : "P");
  EXPECT_EQ(audit_count("attendance.save"), 2);
}

TEST_F(AttendanceApi, RegisterIsForItsTeachersAndTheOfficeOnly) {
  auto other = reg(c2);
  EXPECT_EQ(call(t1, "GET", other).status, 403);
  EXPECT_EQ(call(t1, "PUT", other, marks({mark(s2, "A")})).status, 403);
  for (auto who : {s1, g1, s2, g2}) {
    EXPECT_EQ(call(who, "GET", reg(c1)).status, 403);
    EXPECT_EQ(call(who, "PUT", reg(c1), marks({})).status, 403);
  }
  EXPECT_EQ(call(0, "GET", reg(c1)).status, 401);
  EXPECT_EQ(call(0, "PUT", reg(c1), marks({})).status, 401);
  EXPECT_EQ(call(t1, "GET", reg(999999)).status, 403);  // no probing for ids
  EXPECT_EQ(call(admin, "GET", reg(999999)).status, 404);
  EXPECT_EQ(call(admin, "GET", reg(c2)).status, 200);
  EXPECT_EQ(call(admin, "PUT", reg(c2), marks({mark(s2, "E")})).status, 200);
  EXPECT_FALSE(taken(c1, services::today()));
  // A teacher taken off the class loses the register at once.
  app->db->tx([&](db::Tx& t) { db::classes::unassign_teacher(t, c1, t1); });
  EXPECT_EQ(call(t1, "GET", reg(c1)).status, 403);
}

TEST_F(AttendanceApi, TeachersChangeTodayOnlyAndTheOfficeAnyDay) {
  auto past = days_ago(2);
  auto r = call(t1, "PUT", reg(c1), J{{"date", past}, {"marks", J::array({mark(s1, "A")})}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "past_register");
  EXPECT_FALSE(taken(c1, past));
  auto g = body(call(t1, "GET", reg(c1) + "?date=" + past));
  EXPECT_FALSE(g["editable"].get<bool>());

  r = call(admin, "PUT", reg(c1), J{{"date", past}, {"marks", J::array({mark(s1, "A")})}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(taken(c1, past));
  EXPECT_EQ(alerts(s1, past), 0);  // an old day's correction emails nobody

  r = call(admin, "PUT", reg(c1), J{{"date", utc_format(now_unix() + 3 * 86400, "%Y-%m-%d")}, {"marks", J::array()}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(code(r), "future_date");
  for (std::string bad : {"2026-02-30", "2026-13-01", "yesterday", "2026-1-01", "0999-01-01"}) {
    r = call(admin, "PUT", reg(c1), J{{"date", bad}, {"marks", J::array()}});
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_EQ(code(r), "invalid_date") << bad;
    EXPECT_EQ(call(admin, "GET", reg(c1) + "?date=" + bad).status, 422) << bad;
  }
  EXPECT_EQ(call(admin, "GET", reg(c1) + "?period_id=3").status, 404);
  EXPECT_EQ(call(admin, "GET", reg(c1) + "?period_id=x").status, 400);
}

TEST_F(AttendanceApi, ABadMarkWritesNothing) {
  auto check = [&](const J& b, int status, const std::string& want) {
    auto r = call(t1, "PUT", reg(c1), b);
    EXPECT_EQ(r.status, status) << b.dump() << " " << r.body;
    if (!want.empty() && r.status >= 400) EXPECT_EQ(code(r), want) << b.dump();
    EXPECT_FALSE(taken(c1, services::today())) << b.dump();
  };
  check(marks({mark(s1, "A"), mark(s2, "A")}), 422, "not_in_class");  // s2 is in 7B
  check(marks({mark(s1, "A"), mark(s1, "L")}), 422, "duplicate_student");
  check(marks({mark(s1, "Z")}), 422, "unknown_code");
  check(marks({mark(s1, "A", std::string(501, 'x'))}), 422, "invalid_note");
  check(marks({mark(s1, "A", "line\nbreak")}), 422, "invalid_note");
  check(J{{"marks", "A"}}, 422, "invalid");
  check(J{{"marks", J::array({J{{"student_id", "x"}, {"code", "A"}}})}}, 422, "invalid");
  check(J{{"marks", J::array()}, {"period_id", -1}}, 422, "invalid");
  auto r = call(t1, "PUT", reg(c1), std::string("{nope"));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(taken(c1, services::today()));
}

TEST_F(AttendanceApi, CodesAreConfiguredByTheOffice) {
  auto r = call(s1, "GET", "/api/v1/attendance/codes");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["codes"].size(), 4u);
  EXPECT_EQ(call(0, "GET", "/api/v1/attendance/codes").status, 401);

  J medical = {{"code", "M"}, {"label", "Medical"}, {"kind", "excused"}};
  EXPECT_EQ(call(t1, "POST", "/api/v1/attendance/codes", medical).status, 403);
  r = call(admin, "POST", "/api/v1/attendance/codes", medical);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(call(admin, "POST", "/api/v1/attendance/codes", medical).status, 409);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/attendance/codes", J{{"code", "Q"}, {"label", "Q"}, {"kind", "gone"}})),
            "invalid_kind");
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/attendance/codes", J{{"code", "a b"}, {"label", "x"}, {"kind", "late"}})),
            "invalid_code");
  EXPECT_EQ(call(t1, "PUT", reg(c1), marks({mark(s1, "M", "dentist")})).status, 200);

  // Retired: no longer accepted on a register, still listed for the office.
  EXPECT_EQ(
      call(t1, "PUT", "/api/v1/attendance/codes/M", J{{"label", "Medical"}, {"kind", "excused"}, {"active", false}})
          .status,
      403);
  r = call(admin, "PUT", "/api/v1/attendance/codes/M", J{{"label", "Medical"}, {"kind", "excused"}, {"active", false}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(body(r)["active"].get<bool>());
  EXPECT_EQ(code(call(t1, "PUT", reg(c1), marks({mark(s1, "M")}))), "unknown_code");
  EXPECT_EQ(body(call(t1, "GET", "/api/v1/attendance/codes"))["codes"].size(), 4u);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/attendance/codes"))["codes"].size(), 5u);
  EXPECT_EQ(call(admin, "PUT", "/api/v1/attendance/codes/NOPE", J{{"label", "x"}, {"kind", "late"}}).status, 404);
  EXPECT_EQ(code(call(admin, "PUT", "/api/v1/attendance/codes/P", J{{"label", "Here"}, {"kind", "absent"}})),
            "code_locked");
  EXPECT_EQ(audit_count("attendance.code_create"), 1);
}

TEST_F(AttendanceApi, RegistersDueToday) {
  auto r = call(t1, "GET", "/api/v1/attendance/today");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  ASSERT_EQ(j["registers"].size(), 1u);
  EXPECT_EQ(j["registers"][0]["class"]["id"], c1);
  EXPECT_FALSE(j["registers"][0]["taken"].get<bool>());
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({})).status, 200);
  EXPECT_TRUE(body(call(t1, "GET", "/api/v1/attendance/today"))["registers"][0]["taken"].get<bool>());
  j = body(call(admin, "GET", "/api/v1/attendance/today"));
  ASSERT_EQ(j["registers"].size(), 2u);
  EXPECT_EQ(j["registers"][0]["class"]["id"], c2);  // the one still due comes first
  EXPECT_FALSE(j["registers"][0]["taken"].get<bool>());
  for (auto who : {s1, g1}) EXPECT_EQ(call(who, "GET", "/api/v1/attendance/today").status, 403);
  EXPECT_EQ(call(0, "GET", "/api/v1/attendance/today").status, 401);
}

TEST_F(AttendanceApi, ReportsWithPercentagesAndStreaks) {
  // Four school days: absent, excused, present, late.
  auto put = [&](int ago, const J& m) {
    auto r = call(admin, "PUT", reg(c1), J{{"date", days_ago(ago)}, {"marks", m}});
    ASSERT_EQ(r.status, 200) << r.body;
  };
  put(4, J::array({mark(s1, "A")}));
  put(3, J::array({mark(s1, "E", "flu")}));
  put(2, J::array());
  put(1, J::array({mark(s1, "L"), mark(s4, "A")}));
  std::string path = "/api/v1/students/" + std::to_string(s1) + "/attendance";
  auto r = call(g1, "GET", path);
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = body(r)["summary"];
  EXPECT_EQ(s["sessions"], 4);
  EXPECT_EQ(s["absent"], 1);
  EXPECT_EQ(s["excused"], 1);
  EXPECT_EQ(s["late"], 1);
  EXPECT_EQ(s["present"], 1);
  EXPECT_DOUBLE_EQ(s["percentage"].get<double>(), 50.0);
  EXPECT_EQ(s["longest_absence_streak"], 2);
  EXPECT_EQ(s["current_absence_streak"], 0);
  EXPECT_EQ(body(r)["exceptions"].size(), 3u);
  EXPECT_EQ(body(r)["exceptions"][0]["date"], days_ago(1));  // newest first

  // A range: the first two days only.
  r = call(s1, "GET", path + "?from=" + days_ago(4) + "&to=" + days_ago(3));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["summary"]["current_absence_streak"], 2);
  EXPECT_DOUBLE_EQ(body(r)["summary"]["percentage"].get<double>(), 0.0);
  EXPECT_EQ(code(call(s1, "GET", path + "?from=" + days_ago(1) + "&to=" + days_ago(3))), "invalid_range");
  EXPECT_EQ(call(s1, "GET", path + "?from=junk").status, 422);

  // Who may read it: the student, their guardian, their teacher, the office.
  for (auto who : {s1, g1, t1, admin}) EXPECT_EQ(call(who, "GET", path).status, 200) << who;
  for (auto who : {s2, g2, t2}) EXPECT_EQ(call(who, "GET", path).status, 403) << who;
  EXPECT_EQ(call(0, "GET", path).status, 401);
  EXPECT_EQ(call(admin, "GET", "/api/v1/students/" + std::to_string(t1) + "/attendance").status, 404);

  r = call(g1, "GET", path + ".csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_NE(r.body.find(days_ago(3) + ",0," + std::to_string(c1) + ",E,excused,flu"), std::string::npos) << r.body;
  EXPECT_EQ(call(g2, "GET", path + ".csv").status, 403);

  // The class report: its teacher and the office, not students or guardians (it lists classmates).
  std::string cpath = reg(c1) + "/report";
  r = call(t1, "GET", cpath);
  ASSERT_EQ(r.status, 200) << r.body;
  auto rows = body(r)["students"];
  ASSERT_EQ(rows.size(), 2u);
  for (auto& row : rows)
    if (row["student_id"] == s4) EXPECT_DOUBLE_EQ(row["summary"]["percentage"].get<double>(), 75.0);
  for (auto who : {s1, g1, t2, s2}) {
    EXPECT_EQ(call(who, "GET", cpath).status, 403) << who;
    EXPECT_EQ(call(who, "GET", cpath + ".csv").status, 403) << who;
  }
  r = call(admin, "GET", cpath + ".csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("student_id,username,full_name,sessions"), std::string::npos);
  EXPECT_NE(r.body.find(",student4,Full student4,4,3,0,1,0,75.0,1,1"), std::string::npos) << r.body;
}

TEST_F(AttendanceApi, OneAbsenceAlertPerStudentPerDay) {
  auto today = services::today();
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({mark(s1, "A")})).status, 200);
  EXPECT_EQ(alerts(s1, today), 1);
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({mark(s1, "A", "still not here")})).status, 200);
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({})).status, 200);
  ASSERT_EQ(call(admin, "PUT", reg(c1), marks({mark(s1, "A")})).status, 200);
  EXPECT_EQ(alerts(s1, today), 1);
  // Excused and late alert nobody.
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({mark(s4, "E"), mark(s1, "A")})).status, 200);
  ASSERT_EQ(call(t1, "PUT", reg(c1), marks({mark(s4, "L")})).status, 200);
  EXPECT_EQ(alerts(s4, today), 0);
}

}  // namespace
