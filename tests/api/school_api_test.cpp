// The school endpoints through the Router: status codes, bodies, validation and IDOR cases.
#include "api/school_api.h"

#include <gtest/gtest.h>

#include "services/school_fixture.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class SchoolApi : public test::SchoolFixture {
 protected:
  http::Router router;

  void SetUp() override {
    SchoolFixture::SetUp();
    api::mount_school_api(router, *app);
    seed_two_classes();
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& type = "application/json") {
    return test::call_as(router, *app->db, who, method, path, body, type);
  }
  http::Response call(std::int64_t who, const std::string& method, const std::string& path, const J& body) {
    return call(who, method, path, body.dump());
  }
  static J body(const http::Response& r) { return J::parse(r.body); }
  static std::string code(const http::Response& r) { return body(r)["error"]["code"].get<std::string>(); }
  std::string cls(std::int64_t id) { return "/api/v1/classes/" + std::to_string(id); }
};

TEST_F(SchoolApi, CreateClass) {
  auto r = call(admin, "POST", "/api/v1/classes", J{{"name", "8A"}, {"year", 2026}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_GT(body(r)["id"].get<long long>(), 0);
  EXPECT_EQ(body(r)["name"], "8A");
  EXPECT_EQ(body(r)["year"], 2026);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", J{{"name", "8A"}, {"year", 2026}}).status, 409);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", J{{"name", "8B"}, {"year", "2026"}}).status, 422);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", J{{"year", 2026}}).status, 422);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", J{{"name", 5}, {"year", 2026}}).status, 422);
  EXPECT_EQ(call(admin, "POST", "/api/v1/classes", std::string("{not json")).status, 400);
  EXPECT_EQ(call(t1, "POST", "/api/v1/classes", J{{"name", "8C"}, {"year", 2026}}).status, 403);
  EXPECT_EQ(call(0, "POST", "/api/v1/classes", J{{"name", "8C"}, {"year", 2026}}).status, 401);
}

TEST_F(SchoolApi, ListAndGetClasses) {
  auto all = body(call(admin, "GET", "/api/v1/classes"))["classes"];
  EXPECT_EQ(all.size(), 2u);
  auto mine = body(call(t1, "GET", "/api/v1/classes"))["classes"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], c1);
  EXPECT_EQ(body(call(g2, "GET", "/api/v1/classes"))["classes"][0]["name"], "7B");
  EXPECT_EQ(body(call(s3, "GET", "/api/v1/classes"))["classes"].size(), 0u);

  auto r = call(t1, "GET", cls(c1));
  ASSERT_EQ(r.status, 200);
  auto d = body(r);
  EXPECT_EQ(d["name"], "7A");
  ASSERT_EQ(d["students"].size(), 1u);
  EXPECT_EQ(d["students"][0]["username"], "student1");
  EXPECT_TRUE(d["students"][0]["consent"].is_null());
  EXPECT_EQ(d["teachers"][0]["subject"], "Maths");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  auto fam = body(call(s1, "GET", cls(c1)));
  EXPECT_FALSE(fam["students"][0].contains("username"));
  EXPECT_FALSE(fam["students"][0].contains("consent"));

  EXPECT_EQ(call(t1, "GET", cls(c2)).status, 403);  // another teacher's class
  EXPECT_EQ(call(s1, "GET", cls(c2)).status, 403);
  EXPECT_EQ(call(g1, "GET", cls(c2)).status, 403);
  EXPECT_EQ(call(admin, "GET", cls(999)).status, 404);
  EXPECT_EQ(call(admin, "GET", "/api/v1/classes/abc").status, 404);
  EXPECT_EQ(code(call(t1, "GET", cls(c2))), "forbidden");
}

TEST_F(SchoolApi, EnrolAndUnenrol) {
  auto r = call(admin, "POST", cls(c1) + "/students", J{{"student_id", s3}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["student_id"], s3);
  EXPECT_EQ(body(r)["class_id"], c1);
  r = call(admin, "POST", cls(c1) + "/students", J{{"student_id", s3}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "already_enrolled");
  EXPECT_EQ(code(call(admin, "POST", cls(c1) + "/students", J{{"student_id", t2}})), "not_a_student");
  EXPECT_EQ(call(admin, "POST", cls(c1) + "/students", J{{"student_id", "3"}}).status, 422);
  EXPECT_EQ(call(admin, "POST", cls(c1) + "/students", J{{"student_id", -1}}).status, 422);
  EXPECT_EQ(call(admin, "POST", cls(c1) + "/students", J::object()).status, 422);
  EXPECT_EQ(call(admin, "POST", cls(999) + "/students", J{{"student_id", s2}}).status, 404);
  // Teachers cannot enrol: not in their own class, not in someone else's.
  EXPECT_EQ(call(t1, "POST", cls(c1) + "/students", J{{"student_id", s2}}).status, 403);
  EXPECT_EQ(call(t1, "POST", cls(c2) + "/students", J{{"student_id", s3}}).status, 403);
  EXPECT_EQ(body(call(admin, "GET", cls(c2)))["students"].size(), 1u);

  EXPECT_EQ(call(t1, "DELETE", cls(c1) + "/students/" + std::to_string(s3)).status, 403);
  EXPECT_EQ(call(admin, "DELETE", cls(c1) + "/students/" + std::to_string(s3)).status, 204);
  EXPECT_EQ(call(admin, "DELETE", cls(c1) + "/students/" + std::to_string(s3)).status, 404);
}

TEST_F(SchoolApi, AssignTeachers) {
  auto r = call(admin, "POST", cls(c1) + "/teachers", J{{"teacher_id", t2}, {"subject", "Science"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["subject"], "Science");
  EXPECT_EQ(call(admin, "POST", cls(c1) + "/teachers", J{{"teacher_id", t2}, {"subject", "Science"}}).status, 409);
  EXPECT_EQ(code(call(admin, "POST", cls(c1) + "/teachers", J{{"teacher_id", s1}, {"subject", "X"}})), "not_a_teacher");
  EXPECT_EQ(call(admin, "POST", cls(c1) + "/teachers", J{{"teacher_id", t2}, {"subject", 7}}).status, 422);
  EXPECT_EQ(call(t1, "POST", cls(c1) + "/teachers", J{{"teacher_id", t2}, {"subject", "Y"}}).status, 403);
  // Now teacher2 sees class 7A too.
  EXPECT_EQ(call(t2, "GET", cls(c1)).status, 200);
  EXPECT_EQ(call(admin, "DELETE", cls(c1) + "/teachers/" + std::to_string(t2)).status, 204);
  EXPECT_EQ(call(t2, "GET", cls(c1)).status, 403);
}

TEST_F(SchoolApi, GuardiansAndChildren) {
  auto r = call(admin, "POST", "/api/v1/guardians", J{{"guardian_id", g1}, {"student_id", s3}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(call(admin, "POST", "/api/v1/guardians", J{{"guardian_id", g1}, {"student_id", s3}}).status, 409);
  EXPECT_EQ(code(call(admin, "POST", "/api/v1/guardians", J{{"guardian_id", t1}, {"student_id", s3}})),
            "not_a_guardian");
  EXPECT_EQ(call(g2, "POST", "/api/v1/guardians", J{{"guardian_id", g2}, {"student_id", s1}}).status, 403);
  EXPECT_EQ(call(t1, "POST", "/api/v1/guardians", J{{"guardian_id", g2}, {"student_id", s1}}).status, 403);

  auto kids = body(call(g1, "GET", "/api/v1/me/children"))["children"];
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0]["username"], "student1");
  EXPECT_EQ(kids[0]["classes"][0]["name"], "7A");
  EXPECT_TRUE(kids[0]["consent"].is_null());
  EXPECT_EQ(call(s1, "GET", "/api/v1/me/children").status, 403);

  std::string link = "/api/v1/guardians/" + std::to_string(g1) + "/students/" + std::to_string(s3);
  EXPECT_EQ(call(g1, "DELETE", link).status, 403);
  EXPECT_EQ(call(admin, "DELETE", link).status, 204);
  EXPECT_EQ(call(admin, "DELETE", link).status, 404);
}

TEST_F(SchoolApi, Consent) {
  std::string url = "/api/v1/students/" + std::to_string(s1) + "/consent";
  auto r = call(g1, "PUT", url, J{{"consent", "print"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r), (J{{"student_id", s1}, {"consent", "print"}}));
  EXPECT_EQ(body(call(g1, "GET", url))["consent"], "print");
  EXPECT_EQ(call(admin, "PUT", url, J{{"consent", "none"}}).status, 200);
  EXPECT_EQ(body(call(g1, "GET", "/api/v1/me/children"))["children"][0]["consent"], "none");
  EXPECT_EQ(code(call(admin, "PUT", url, J{{"consent", "maybe"}})), "invalid_consent");
  EXPECT_EQ(call(admin, "PUT", url, J::object()).status, 422);

  // IDOR: guardian2 for guardian1's child, the teacher, the student.
  EXPECT_EQ(call(g2, "PUT", url, J{{"consent", "yearbook"}}).status, 403);
  EXPECT_EQ(call(g2, "GET", url).status, 403);
  EXPECT_EQ(call(t1, "PUT", url, J{{"consent", "yearbook"}}).status, 403);
  EXPECT_EQ(call(s1, "PUT", url, J{{"consent", "yearbook"}}).status, 403);
  EXPECT_EQ(body(call(admin, "GET", url))["consent"], "none");
}

TEST_F(SchoolApi, YearbookShapeAndRules) {
  auto p1 = photo(s1, "ready", "approved", true, "Hello");
  auto s4 = add_user("student4", Role::student);
  enrol(c1, s4);
  photo(s4, "ready", "pending", true, "unmoderated");
  consent(s1, "yearbook");
  consent(s4, "yearbook");
  auto r = call(s1, "GET", "/api/v1/yearbook/" + std::to_string(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("cache-control"), "no-store");
  auto y = body(r);
  EXPECT_EQ(y["class"], (J{{"id", c1}, {"name", "7A"}, {"year", 2025}}));
  ASSERT_EQ(y["entries"].size(), 2u);
  auto e = y["entries"][0];
  EXPECT_EQ(e["student_id"], s1);
  EXPECT_EQ(e["full_name"], "Full student1");
  EXPECT_EQ(e["quote"], "Hello");
  std::string base = "/api/v1/photos/" + std::to_string(p1) + "/";
  EXPECT_EQ(e["photo"], (J{{"jpeg", base + "jpeg"}, {"webp", base + "webp"}, {"thumb", base + "thumb"}}));
  EXPECT_TRUE(y["entries"][1]["photo"].is_null());  // pending: never listed
  EXPECT_EQ(y["entries"][1]["quote"], "");

  // Consent none hides the photo with the very next request.
  EXPECT_EQ(call(g1, "PUT", "/api/v1/students/" + std::to_string(s1) + "/consent", J{{"consent", "none"}}).status, 200);
  EXPECT_TRUE(body(call(s1, "GET", "/api/v1/yearbook/" + std::to_string(c1)))["entries"][0]["photo"].is_null());

  // Scope: a student cannot see another class's yearbook; guardians and teachers only their own.
  EXPECT_EQ(call(s1, "GET", "/api/v1/yearbook/" + std::to_string(c2)).status, 403);
  EXPECT_EQ(call(g1, "GET", "/api/v1/yearbook/" + std::to_string(c2)).status, 403);
  EXPECT_EQ(call(t1, "GET", "/api/v1/yearbook/" + std::to_string(c2)).status, 403);
  EXPECT_EQ(call(g2, "GET", "/api/v1/yearbook/" + std::to_string(c2)).status, 200);
  EXPECT_EQ(call(0, "GET", "/api/v1/yearbook/" + std::to_string(c1)).status, 401);
  EXPECT_EQ(call(admin, "GET", "/api/v1/yearbook/999").status, 404);
}

// The import over HTTP (POST /api/v1/import/{kind}): tests/api/school_core_api_test.cpp.

TEST_F(SchoolApi, RosterAndStudentExports) {
  consent(s1, "yearbook");
  auto r = call(admin, "GET", cls(c1) + "/roster.csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"roster-" + std::to_string(c1) + ".csv\"");
  EXPECT_EQ(r.body,
            "student_id,username,full_name,consent\r\n" + std::to_string(s1) + ",student1,Full student1,yearbook\r\n");
  EXPECT_EQ(call(t1, "GET", cls(c1) + "/roster.csv").status, 403);
  EXPECT_EQ(call(admin, "GET", cls(999) + "/roster.csv").status, 404);

  r = call(admin, "GET", "/api/v1/export/students.csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("student1,Full student1,7A,2025,guardian1\r\n"), std::string::npos) << r.body;
  EXPECT_EQ(call(g1, "GET", "/api/v1/export/students.csv").status, 403);
}

TEST_F(SchoolApi, UnknownRoutesAre404) {
  EXPECT_EQ(call(admin, "GET", "/api/v1/classes/1/nothing").status, 404);
  EXPECT_EQ(call(admin, "PATCH", cls(c1)).status, 405);
}

}  // namespace
