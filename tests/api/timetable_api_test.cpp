// The timetable endpoints through the Router: periods, rooms, slots with clash detection (409
// naming the clash, nothing written), the day and week views per role, and registers per period.
#include "api/timetable_api.h"

#include <gtest/gtest.h>

#include "api/attendance_api.h"
#include "api/school_core_api.h"
#include "db/subjects_repo.h"
#include "db/timetable_repo.h"
#include "services/school_days.h"
#include "services/school_fixture.h"
#include "services/setup_checklist.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class TimetableApi : public test::SchoolFixture {
 protected:
  http::Router router;
  std::int64_t p1 = 0, p2 = 0, room1 = 0, maths = 0;
  int today = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    api::mount_timetable_api(router, *app);
    api::mount_attendance_api(router, *app);
    api::mount_school_core_api(router, *app);
    seed_two_classes();
    teach(c2, t1, "Maths");  // teacher1 teaches Maths in both classes; teacher2 Art in 7B
    maths = app->db->read_result<std::int64_t>([](db::Tx& t) { return db::subjects::by_name(t, "Maths")->id; });
    today = services::iso_weekday(services::today());
    p1 = body(call(admin, "POST", "/api/v1/timetable/periods",
                   J{{"name", "1"}, {"starts_at", "08:30"}, {"ends_at", "09:20"}}))["id"];
    p2 = body(call(admin, "POST", "/api/v1/timetable/periods",
                   J{{"name", "2"}, {"starts_at", "09:25"}, {"ends_at", "10:15"}}))["id"];
    room1 = body(call(admin, "POST", "/api/v1/timetable/rooms", J{{"name", "Lab 1"}}))["id"];
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& type = "application/json") {
    http::Request req;
    req.method = method;
    req.path = req.target = path;
    auto qm = path.find('?');
    if (qm != std::string::npos) {
      req.path = path.substr(0, qm);
      auto kv = path.substr(qm + 1);
      auto eq = kv.find('=');
      req.query.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    req.body = body;
    if (!body.empty()) req.headers.push_back({"content-type", type});
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
  J slot(std::int64_t cls, int weekday, std::int64_t period, std::int64_t teacher, std::int64_t room = 0,
         std::int64_t subject = 0) {
    J j = {{"class_id", cls}, {"weekday", weekday}, {"period_id", period}, {"teacher_id", teacher}};
    if (room) j["room_id"] = room;
    if (subject) j["subject_id"] = subject;
    return j;
  }
  std::int64_t slots() {
    return app->db->read_result<std::int64_t>([](db::Tx& t) { return db::timetable::slot_count(t); });
  }
};

TEST_F(TimetableApi, PeriodsAndRooms) {
  auto r = call(s1, "GET", "/api/v1/timetable/periods");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body(r)["periods"].size(), 2u);
  EXPECT_EQ(body(r)["periods"][0]["starts_at"], "08:30");
  EXPECT_EQ(call(0, "GET", "/api/v1/timetable/periods").status, 401);
  EXPECT_EQ(
      call(t1, "POST", "/api/v1/timetable/periods", J{{"name", "3"}, {"starts_at", "10:30"}, {"ends_at", "11:00"}})
          .status,
      403);
  r = call(admin, "POST", "/api/v1/timetable/periods", J{{"name", "3"}, {"starts_at", "09:00"}, {"ends_at", "09:30"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "period_overlap");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("08:30"), std::string::npos);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/periods",
                      J{{"name", "1"}, {"starts_at", "12:00"}, {"ends_at", "13:00"}})),
            "period_exists");
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/periods",
                      J{{"name", "x"}, {"starts_at", "25:00"}, {"ends_at", "26:00"}})),
            "invalid_time");
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/periods",
                      J{{"name", "x"}, {"starts_at", "13:00"}, {"ends_at", "12:00"}})),
            "invalid_times");

  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/rooms", J{{"name", "Lab 1"}})), "room_exists");
  EXPECT_EQ(call(g1, "POST", "/api/v1/timetable/rooms", J{{"name", "Hall"}}).status, 403);
  EXPECT_EQ(body(call(t1, "GET", "/api/v1/timetable/rooms"))["rooms"].size(), 1u);

  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t1, room1)).status, 201);
  r = call(admin, "DELETE", "/api/v1/timetable/periods/" + std::to_string(p1));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "period_in_use");
  EXPECT_EQ(code(call(admin, "DELETE", "/api/v1/timetable/rooms/" + std::to_string(room1))), "room_in_use");
  EXPECT_EQ(call(t1, "DELETE", "/api/v1/timetable/periods/" + std::to_string(p2)).status, 403);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/timetable/periods/" + std::to_string(p2)).status, 204);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/timetable/periods/" + std::to_string(p2)).status, 404);
}

TEST_F(TimetableApi, ClashesAreRefusedWithTheirName) {
  auto r = call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t1, room1, maths));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["room"]["name"], "Lab 1");
  EXPECT_EQ(body(r)["subject"]["name"], "Maths");
  EXPECT_EQ(slots(), 1);

  // teacher1 is in 7A on Monday period 1: not in 7B at the same time.
  r = call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 1, p1, t1));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "teacher_clash");
  auto msg = body(r)["error"]["message"].get<std::string>();
  EXPECT_NE(msg.find("Full teacher1 already teaches 7A Maths"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Monday, 1 (08:30–09:20)"), std::string::npos) << msg;

  r = call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 1, p1, t2, room1));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "room_clash");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("Lab 1 is already booked for 7A"), std::string::npos);

  r = call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t1));
  EXPECT_EQ(code(r), "teacher_clash");
  teach(c1, t2, "Art");
  r = call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t2));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "class_clash");
  EXPECT_EQ(slots(), 1);  // nothing written by any refusal

  // Other periods or days are free; a teacher must teach the class; unknown ids are 404.
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 1, p2, t1, room1)).status, 201);
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 2, p1, t2, room1)).status, 201);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 3, p1, s1))), "invalid_teacher");
  // teacher2 teaches Art in 7B, not Maths: the lesson must match a teaching assignment.
  r = call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 3, p1, t2, 0, maths));
  EXPECT_EQ(code(r), "invalid_teacher");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("for Maths"), std::string::npos);
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 3, p1, t2, 0, 999999)).status, 404);
  app->db->tx([&](db::Tx& t) { db::classes::unassign_teacher(t, c1, t2); });
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 3, p1, t2))), "invalid_teacher");
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(999999, 1, p1, t1)).status, 404);
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, 999999, t1)).status, 404);
  EXPECT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 4, p1, t1, 999999)).status, 404);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 8, p1, t1))), "invalid_weekday");
  EXPECT_EQ(call(t1, "POST", "/api/v1/timetable/slots", slot(c1, 5, p1, t1)).status, 403);
  EXPECT_EQ(slots(), 3);

  auto id = body(call(admin, "GET", "/api/v1/classes/" + std::to_string(c1) + "/timetable"))["slots"][0]["id"]
                .get<long long>();
  EXPECT_EQ(call(t1, "DELETE", "/api/v1/timetable/slots/" + std::to_string(id)).status, 403);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/timetable/slots/" + std::to_string(id)).status, 204);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/timetable/slots/" + std::to_string(id)).status, 404);
  EXPECT_EQ(audit_count("timetable.slot_create"), 3);
}

TEST_F(TimetableApi, DayAndWeekViewsByRole) {
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t1, room1)).status, 201);
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 3, p2, t1)).status, 201);
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, 1, p2, t2)).status, 201);
  auto cls1 = "/api/v1/classes/" + std::to_string(c1) + "/timetable";
  auto st1 = "/api/v1/students/" + std::to_string(s1) + "/timetable";
  auto te1 = "/api/v1/teachers/" + std::to_string(t1) + "/timetable";

  auto r = call(s1, "GET", st1);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(body(r)["slots"].size(), 2u);
  EXPECT_EQ(body(r)["slots"][0]["weekday"], 1);
  EXPECT_EQ(body(r)["slots"][1]["weekday"], 3);
  // The day view: a Monday.
  r = call(g1, "GET", st1 + "?date=2026-11-30");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["weekday"], 1);
  ASSERT_EQ(body(r)["slots"].size(), 1u);
  EXPECT_EQ(body(r)["slots"][0]["period"]["starts_at"], "08:30");
  EXPECT_EQ(body(call(g1, "GET", st1 + "?weekday=3"))["slots"].size(), 1u);
  EXPECT_EQ(code(call(g1, "GET", st1 + "?date=2026-11-31")), "invalid_date");
  EXPECT_EQ(code(call(g1, "GET", st1 + "?weekday=9")), "invalid_weekday");

  for (auto who : {s1, g1, t1, admin}) EXPECT_EQ(call(who, "GET", st1).status, 200) << who;
  for (auto who : {s2, g2, t2}) EXPECT_EQ(call(who, "GET", st1).status, 403) << who;
  for (auto who : {s1, g1, t1, admin}) EXPECT_EQ(call(who, "GET", cls1).status, 200) << who;
  for (auto who : {s2, g2, t2}) EXPECT_EQ(call(who, "GET", cls1).status, 403) << who;
  EXPECT_EQ(call(0, "GET", cls1).status, 401);
  EXPECT_EQ(call(t2, "GET", "/api/v1/classes/999999/timetable").status, 403);
  EXPECT_EQ(call(admin, "GET", "/api/v1/classes/999999/timetable").status, 404);

  ASSERT_EQ(call(t1, "GET", te1).status, 200);
  EXPECT_EQ(body(call(t1, "GET", te1))["slots"].size(), 2u);
  for (auto who : {t2, s1, g1}) EXPECT_EQ(call(who, "GET", te1).status, 403) << who;
  EXPECT_EQ(call(admin, "GET", te1).status, 200);
  EXPECT_EQ(call(admin, "GET", "/api/v1/teachers/" + std::to_string(s1) + "/timetable").status, 404);
}

TEST_F(TimetableApi, RegistersPerLessonWhenTheClassHasATimetableToday) {
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, today, p1, t1)).status, 201);
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c2, today, p2, t1)).status, 201);
  teach(c1, t2, "Art");
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, today, p2, t2)).status, 201);

  auto r = call(t1, "GET", "/api/v1/attendance/today");
  ASSERT_EQ(r.status, 200) << r.body;
  auto regs = body(r)["registers"];
  ASSERT_EQ(regs.size(), 2u);  // their two lessons, not teacher2's lesson in 7A
  for (auto& x : regs) EXPECT_NE(x["period_id"], 0);

  auto path = "/api/v1/classes/" + std::to_string(c1) + "/attendance";
  auto pq = "?period_id=" + std::to_string(p1);
  ASSERT_EQ(call(t1, "GET", path + pq).status, 200);
  r = call(t1, "PUT", path, J{{"period_id", p1}, {"marks", J::array({J{{"student_id", s1}, {"code", "L"}}})}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["period_id"], p1);
  // 7A has no lesson in a period that is not on today's timetable for it.
  auto p3 = body(call(admin, "POST", "/api/v1/timetable/periods",
                      J{{"name", "3"}, {"starts_at", "11:00"}, {"ends_at", "11:45"}}))["id"]
                .get<long long>();
  EXPECT_EQ(call(t1, "PUT", path, J{{"period_id", p3}, {"marks", J::array()}}).status, 404);
  regs = body(call(t1, "GET", "/api/v1/attendance/today"))["registers"];
  int taken = 0;
  for (auto& x : regs) taken += x["taken"].get<bool>();
  EXPECT_EQ(taken, 1);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/attendance/today"))["registers"].size(), 3u);
}

TEST_F(TimetableApi, CsvImportWithDryRunIsAllOrNothing) {
  std::string head = "class_name,year,weekday,period,subject,teacher_username,room\n";
  std::string good = head + "7A,2025,Mon,1,Maths,teacher1,Lab 1\n7B,2025,2,1,Maths,teacher1,\n";
  auto path = std::string("/api/v1/import/timetable");
  auto r = call(admin, "POST", path + "?dry_run=1", good, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["counts"]["created"], 2);
  EXPECT_FALSE(body(r)["committed"].get<bool>());
  EXPECT_EQ(slots(), 0);  // the dry run wrote nothing

  // One bad row (teacher1 twice on Monday period 1, the second in 7B): nothing is written, and
  // the report names the clash with the earlier row of the same file.
  std::string bad = head + "7A,2025,Monday,1,Maths,teacher1,Lab 1\n7B,2025,monday,1,Maths,teacher1,\n";
  r = call(admin, "POST", path, bad, "text/csv");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(body(r)["rows"][0]["outcome"], "created");
  EXPECT_EQ(body(r)["rows"][1]["outcome"], "error");
  EXPECT_NE(body(r)["rows"][1]["message"].get<std::string>().find("already teaches 7A"), std::string::npos) << r.body;
  EXPECT_EQ(slots(), 0);

  r = call(admin, "POST", path, good, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body(r)["committed"].get<bool>());
  EXPECT_EQ(slots(), 2);
  r = call(admin, "POST", path, good, "text/csv");  // again: unchanged
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["counts"]["unchanged"], 2);
  EXPECT_EQ(slots(), 2);

  for (std::string row :
       {"7C,2025,1,1,,teacher1,\n", "7A,2025,8,1,,teacher1,\n", "7A,2025,3,9,,teacher1,\n",
        "7A,2025,3,1,Latin,teacher1,\n", "7A,2025,3,1,,teacher2,\n", "7A,2025,3,1,,teacher1,Attic\n"}) {
    r = call(admin, "POST", path, head + row, "text/csv");
    EXPECT_EQ(r.status, 422) << row << r.body;
  }
  EXPECT_EQ(slots(), 2);
  EXPECT_EQ(call(t1, "POST", path, good, "text/csv").status, 403);
}

TEST_F(TimetableApi, TheSetupChecklistAsksForATimetableUntilThereIsOne) {
  auto has_item = [&] {
    for (auto& i : services::setup_checklist(*app, actor(admin)))
      if (i.check == "no_timetable") return i.fix_url == "/timetable";
    return false;
  };
  EXPECT_TRUE(has_item());
  ASSERT_EQ(call(admin, "POST", "/api/v1/timetable/slots", slot(c1, 1, p1, t1)).status, 201);
  EXPECT_FALSE(has_item());
}

}  // namespace
