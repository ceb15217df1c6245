// The school-core endpoints through the Router: years, terms, rollover, subjects, assignments,
// people, the checklist and the import — status codes, bodies, validation and scope (IDOR).
#include "api/school_core_api.h"

#include <gtest/gtest.h>

#include "api/school_api.h"
#include "services/school_fixture.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class SchoolCoreApi : public test::SchoolFixture {
 protected:
  http::Router router;

  void SetUp() override {
    SchoolFixture::SetUp();
    api::mount_school_api(router, *app);
    api::mount_school_core_api(router, *app);
    seed_two_classes();
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& type = "application/json") {
    http::Request req;
    req.method = method;
    req.target = path;
    req.path = path.substr(0, path.find('?'));
    if (auto q = path.find('?'); q != std::string::npos) req.query = http::parse_urlencoded(path.substr(q + 1));
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
  std::string id(std::int64_t v) { return std::to_string(v); }
};

TEST_F(SchoolCoreApi, YearsAndTerms) {
  auto r = call(admin, "POST", "/api/v1/years",
                J{{"year", 2026}, {"name", "2026/27"}, {"start_date", "2026-09-01"}, {"end_date", "2027-07-15"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto y = body(r);
  EXPECT_EQ(y["name"], "2026/27");
  EXPECT_EQ(y["current"], false);
  auto yid = y["id"].get<std::int64_t>();
  EXPECT_EQ(call(admin, "POST", "/api/v1/years",
                 J{{"year", "2027"}, {"start_date", "2027-09-01"}, {"end_date", "2028-07-01"}})
                .status,
            422);
  EXPECT_EQ(call(admin, "POST", "/api/v1/years", J{{"year", 2027}, {"start_date", "2027-09-01"}}).status, 422);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/years",
                      J{{"year", 2027}, {"start_date", "2027-02-30"}, {"end_date", "2028-07-01"}})),
            "invalid_date");
  EXPECT_EQ(call(admin, "POST", "/api/v1/years", std::string("{")).status, 400);
  EXPECT_EQ(
      call(t1, "POST", "/api/v1/years", J{{"year", 2030}, {"start_date", "2030-09-01"}, {"end_date", "2031-07-01"}})
          .status,
      403);
  EXPECT_EQ(call(0, "GET", "/api/v1/years").status, 401);
  EXPECT_EQ(body(call(s1, "GET", "/api/v1/years"))["years"].size(), 2u);

  r = call(admin, "POST", "/api/v1/years/" + id(yid) + "/terms",
           J{{"name", "Autumn"}, {"start_date", "2026-09-01"}, {"end_date", "2026-12-18"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto tid = body(r)["id"].get<std::int64_t>();
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/years/" + id(yid) + "/terms",
                      J{{"name", "Late"}, {"start_date", "2026-12-01"}, {"end_date", "2027-01-10"}})),
            "term_overlap");
  EXPECT_EQ(call(admin, "POST", "/api/v1/years/999999/terms",
                 J{{"name", "X"}, {"start_date", "2026-09-01"}, {"end_date", "2026-10-01"}})
                .status,
            404);
  EXPECT_EQ(call(admin, "PUT", "/api/v1/terms/" + id(tid),
                 J{{"name", "Autumn term"}, {"start_date", "2026-09-02"}, {"end_date", "2026-12-18"}})
                .status,
            200);
  EXPECT_EQ(body(call(g1, "GET", "/api/v1/terms/" + id(tid)))["name"], "Autumn term");
  auto detail = body(call(admin, "GET", "/api/v1/years/" + id(yid)));
  EXPECT_EQ(detail["terms"].size(), 1u);
  EXPECT_EQ(body(call(s1, "GET", "/api/v1/years/" + id(yid)))["classes"].size(), 0u);  // the calendar only

  r = call(admin, "POST", "/api/v1/years/" + id(yid) + "/current");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["current"], true);
  auto cal = body(call(s1, "GET", "/api/v1/calendar"));
  EXPECT_EQ(cal["year"]["id"], yid);
  EXPECT_EQ(call(admin, "PUT", "/api/v1/years/" + id(yid),
                 J{{"name", "2026-27"}, {"start_date", "2026-09-01"}, {"end_date", "2027-07-20"}})
                .status,
            200);
  EXPECT_EQ(code(call(admin, "DELETE", "/api/v1/years/" + id(yid))), "year_is_current");
  EXPECT_EQ(call(t1, "DELETE", "/api/v1/terms/" + id(tid)).status, 403);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/terms/" + id(tid)).status, 204);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/terms/" + id(tid)).status, 404);
}

TEST_F(SchoolCoreApi, ClassesByYearAndRollover) {
  auto y = body(call(admin, "POST", "/api/v1/years",
                     J{{"year", 2026}, {"start_date", "2026-09-01"}, {"end_date", "2027-07-15"}}));
  auto r = call(admin, "POST", "/api/v1/classes", J{{"name", "8Z"}, {"academic_year_id", y["id"]}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["year"], 2026);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", J{{"name", "8Y"}, {"academic_year_id", 999999}}).status, 404);
  auto list = body(call(admin, "GET", "/api/v1/classes?academic_year_id=" + id(y["id"].get<std::int64_t>())));
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/classes?q=7&limit=1"))["classes"].size(), 1u);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/classes?q=7&limit=1"))["total"], 2);

  r = call(admin, "POST", "/api/v1/classes/" + id(c1) + "/rollover", J{{"to_name", "8A"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["promoted"], 1);
  EXPECT_EQ(body(r)["to"]["year"], 2026);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes/" + id(c1) + "/rollover", J{{"graduate", "yes"}}).status, 422);
  EXPECT_EQ(call(t1, "POST", "/api/v1/classes/" + id(c1) + "/rollover", J::object()).status, 403);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes/999999/rollover", J::object()).status, 404);
}

TEST_F(SchoolCoreApi, SubjectsAndAssignments) {
  auto r = call(admin, "POST", "/api/v1/subjects", J{{"name", "Physics"}, {"code", "phy"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto sid = body(r)["id"].get<std::int64_t>();
  EXPECT_EQ(body(r)["code"], "PHY");
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/subjects", J{{"name", "physics"}})), "subject_exists");
  EXPECT_EQ(call(t1, "POST", "/api/v1/subjects", J{{"name", "Chemistry"}}).status, 403);
  auto list = body(call(s1, "GET", "/api/v1/subjects?q=ph&limit=10"));
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(list["subjects"][0]["name"], "Physics");
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/subjects?limit=1&offset=1"))["subjects"].size(), 1u);

  r = call(admin, "POST", "/api/v1/classes/" + id(c1) + "/assignments", J{{"subject_id", sid}, {"teacher_id", t2}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto aid = body(r)["id"].get<std::int64_t>();
  EXPECT_EQ(body(r)["subject"], "Physics");
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/classes/" + id(c1) + "/assignments",
                      J{{"subject_id", sid}, {"teacher_id", t2}})),
            "already_assigned");
  EXPECT_EQ(
      call(admin, "POST", "/api/v1/classes/" + id(c1) + "/assignments", J{{"subject_id", nullptr}, {"teacher_id", t2}})
          .status,
      201);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/classes/" + id(c1) + "/assignments", J{{"teacher_id", s1}})),
            "not_a_teacher");
  EXPECT_EQ(call(t1, "POST", "/api/v1/classes/" + id(c1) + "/assignments", J{{"teacher_id", t1}}).status, 403);
  EXPECT_EQ(body(call(t1, "GET", "/api/v1/classes/" + id(c1) + "/assignments"))["assignments"].size(), 3u);
  EXPECT_EQ(call(t1, "GET", "/api/v1/classes/" + id(c2) + "/assignments").status, 403);  // not their class
  EXPECT_EQ(call(g2, "GET", "/api/v1/classes/" + id(c1) + "/assignments").status, 403);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/subjects/" + id(sid)))["assignments"].size(), 1u);
  EXPECT_EQ(body(call(t1, "GET", "/api/v1/subjects/" + id(sid)))["assignments"].size(), 0u);
  EXPECT_EQ(code(call(admin, "DELETE", "/api/v1/subjects/" + id(sid))), "subject_in_use");
  // An assignment id through another class's path is not found (no probing across classes).
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/classes/" + id(c2) + "/assignments/" + id(aid)).status, 404);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/classes/" + id(c1) + "/assignments/" + id(aid)).status, 204);
  EXPECT_EQ(
      call(admin, "PUT", "/api/v1/subjects/" + id(sid), J{{"name", "Physics & Astronomy"}, {"code", "PHY"}}).status,
      200);
  EXPECT_EQ(call(admin, "DELETE", "/api/v1/subjects/" + id(sid)).status, 204);
  EXPECT_EQ(call(admin, "GET", "/api/v1/subjects/" + id(sid)).status, 404);
}

TEST_F(SchoolCoreApi, PeopleFieldsAndScope) {
  auto r = call(
      admin, "PATCH", "/api/v1/people/" + id(s1),
      J{{"admission_no", "A7"}, {"date_of_birth", "2013-04-05"}, {"status", "active"}, {"phone", "+1 555 010 9999"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["admission_no"], "A7");
  EXPECT_EQ(code(call(admin, "PATCH", "/api/v1/people/" + id(s1), J{{"email", "nope"}})), "invalid_email");
  EXPECT_EQ(code(call(admin, "PATCH", "/api/v1/people/" + id(s1), J{{"status", "expelled"}})), "invalid_status");
  EXPECT_EQ(call(admin, "PATCH", "/api/v1/people/" + id(s1), J{{"email_opt_out", "yes"}}).status, 422);
  EXPECT_EQ(call(admin, "PATCH", "/api/v1/people/" + id(s2), J{{"admission_no", "a7"}}).status, 409);
  EXPECT_EQ(call(admin, "PATCH", "/api/v1/people/999999", J{{"phone", "123456"}}).status, 404);
  EXPECT_EQ(call(t1, "PATCH", "/api/v1/people/" + id(s1), J{{"phone", "123456"}}).status, 403);
  EXPECT_EQ(call(g1, "PATCH", "/api/v1/people/" + id(s1), J{{"phone", "123456"}}).status, 403);

  auto me = call(g1, "PATCH", "/api/v1/me/profile",
                 J{{"email", "g1@example.org"}, {"preferred_language", "fr"}, {"email_opt_out", true}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body(me)["email_opt_out"], true);
  EXPECT_EQ(call(g1, "PATCH", "/api/v1/me/profile", J{{"status", "left"}}).status, 403);
  EXPECT_EQ(body(call(g1, "GET", "/api/v1/me/profile"))["children"].size(), 1u);

  auto seen = body(call(t1, "GET", "/api/v1/people/" + id(s1)));
  EXPECT_EQ(seen["admission_no"], "A7");
  EXPECT_EQ(seen["guardians"][0]["email"], "g1@example.org");
  EXPECT_EQ(call(t1, "GET", "/api/v1/people/" + id(s2)).status, 403);
  EXPECT_EQ(call(t1, "GET", "/api/v1/people/" + id(g2)).status, 403);
  EXPECT_EQ(call(g1, "GET", "/api/v1/people/" + id(s2)).status, 403);
  EXPECT_EQ(call(s1, "GET", "/api/v1/people/" + id(s2)).status, 403);
  EXPECT_EQ(call(0, "GET", "/api/v1/people/" + id(s1)).status, 401);

  auto people = body(call(admin, "GET", "/api/v1/people?role=student&q=a7"));
  EXPECT_EQ(people["total"], 1);
  EXPECT_EQ(call(admin, "GET", "/api/v1/people?role=wizard").status, 422);
  EXPECT_EQ(call(admin, "GET", "/api/v1/people?active=maybe").status, 422);
  EXPECT_EQ(call(t1, "GET", "/api/v1/people").status, 403);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/people?limit=2"))["people"].size(), 2u);

  auto roster = body(call(t1, "GET", "/api/v1/classes/" + id(c1) + "/students?q=student"));
  EXPECT_EQ(roster["total"], 1);
  EXPECT_EQ(roster["students"][0]["admission_no"], "A7");
  auto mates = body(call(s1, "GET", "/api/v1/classes/" + id(c1) + "/students"));
  EXPECT_FALSE(mates["students"][0].contains("username"));
  EXPECT_FALSE(mates["students"][0].contains("admission_no"));
  EXPECT_EQ(call(t2, "GET", "/api/v1/classes/" + id(c1) + "/students").status, 403);
  EXPECT_EQ(call(admin, "GET", "/api/v1/classes/" + id(c1) + "/students?status=gone").status, 422);
}

TEST_F(SchoolCoreApi, Checklist) {
  auto r = call(admin, "GET", "/api/v1/setup/checklist");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["done"], false);
  EXPECT_EQ(j["items"][0]["check"], "no_current_term");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  for (auto who : {t1, s1, g1}) EXPECT_EQ(call(who, "GET", "/api/v1/setup/checklist").status, 403);
}

TEST_F(SchoolCoreApi, ImportDryRunThenCommit) {
  std::string csv =
      "username,full_name,class_name,year,guardian_username,guardian_email\n"
      "nia,Nia Obi,7A,2025,papa.obi,papa@example.org\n"
      "olu,Olu Obi,7A,2025,papa.obi,\n";
  auto r = call(admin, "POST", "/api/v1/import/students?dry_run=1", csv, "text/csv; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("cache-control"), "no-store");
  auto j = body(r);
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["committed"], false);
  EXPECT_EQ(j["counts"]["created"], 2);
  EXPECT_EQ(j["accounts"].size(), 0u);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/classes/" + id(c1)))["students"].size(), 1u);

  r = call(admin, "POST", "/api/v1/import/students", csv, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  j = body(r);
  EXPECT_EQ(j["committed"], true);
  ASSERT_EQ(j["accounts"].size(), 3u);
  EXPECT_EQ(j["accounts"][0]["password"].get<std::string>().size(), 20u);
  EXPECT_EQ(j["totals"]["guardian_links"], 2);
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/classes/" + id(c1)))["students"].size(), 3u);
  r = call(admin, "POST", "/api/v1/import/students", csv, "text/csv");
  EXPECT_EQ(body(r)["counts"]["unchanged"], 2);

  r = call(admin, "POST", "/api/v1/import/students", std::string(csv) + "pip,Pip,7A,2025,nia,\n", "text/csv");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(code(r), "invalid_csv");
  EXPECT_EQ(body(r)["error"]["message"], "line 4: 'nia' is used both as a student and as a guardian");
  EXPECT_EQ(body(r)["rows"].size(), 3u);
  EXPECT_EQ(call(admin, "POST", "/api/v1/import/students", "username\n\"x\n", "text/csv").status, 422);
  EXPECT_EQ(call(admin, "POST", "/api/v1/import/students", csv, "application/json").status, 415);
  EXPECT_EQ(call(admin, "POST", "/api/v1/import/wizards", csv, "text/csv").status, 404);
  EXPECT_EQ(call(t1, "POST", "/api/v1/import/students", csv, "text/csv").status, 403);
  EXPECT_EQ(call(t1, "POST", "/api/v1/import/students", csv, "application/json").status, 403);  // permission first
  auto kinds = body(call(admin, "GET", "/api/v1/import"))["kinds"];
  EXPECT_GE(kinds.size(), 5u);
  EXPECT_EQ(kinds[0]["kind"], "students");
  EXPECT_EQ(call(s1, "GET", "/api/v1/import").status, 403);
}

}  // namespace
