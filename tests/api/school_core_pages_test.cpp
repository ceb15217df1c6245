// The school-core pages (rendered through the real templates): years and terms, subjects and
// assignments, a person's page, the import's dry run and commit, the home checklist, and the
// search and paging of the user, class and student lists.
#include "web/school_core_pages.h"

#include <gtest/gtest.h>

#include "http/types.h"
#include "services/people.h"
#include "services/school.h"
#include "services/school_fixture.h"
#include "services/years.h"
#include "web/account_pages.h"
#include "web/school_pages.h"

using namespace sy;

namespace {

class SchoolCorePages : public test::SchoolFixture {
 protected:
  http::Router router;

  void SetUp() override {
    SchoolFixture::SetUp();
    web::mount_account_pages(router, *app);
    web::mount_school_pages(router, *app);
    web::mount_school_core_pages(router, *app);
    seed_two_classes();
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& type = "application/x-www-form-urlencoded") {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = http::parse_urlencoded(target.substr(q + 1));
    req.body = body;
    if (!body.empty()) req.headers.push_back({"content-type", type});
    req.remote_ip = "127.0.0.1";
    if (who) {
      auto a = actor(who);
      req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", "tok"};
    }
    return router.dispatch(req);
  }
  static bool has(const http::Response& r, const std::string& s) { return r.body.find(s) != std::string::npos; }
  static std::string location(const http::Response& r) { return r.header("location").value_or(""); }
  static std::string multipart(const std::string& step, const std::string& csv) {
    return "--B\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--B\r\nContent-Disposition: "
           "form-data; name=\"step\"\r\n\r\n" +
           step +
           "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\nContent-Type: "
           "text/csv\r\n\r\n" +
           csv + "\r\n--B--\r\n";
  }
  std::string id(std::int64_t v) { return std::to_string(v); }
};

TEST_F(SchoolCorePages, YearsTermsAndTheChecklist) {
  auto home = call(admin, "GET", "/");
  ASSERT_EQ(home.status, 200) << home.body;
  auto y = *services::current_year(*app);
  EXPECT_TRUE(has(home, "Before teachers can work"));
  EXPECT_TRUE(has(home, "href=\"/years/" + id(y.id) + "\""));  // the fix for "no current term"
  EXPECT_FALSE(has(call(t1, "GET", "/"), "Before teachers can work"));

  auto r = call(admin, "POST", "/years", "year=2026&name=2026%2F27&start_date=2026-09-01&end_date=2027-07-15");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(location(r).rfind("/years/", 0), 0u) << location(r);
  EXPECT_TRUE(has(call(admin, "GET", "/years"), "2026/27"));
  r = call(admin, "POST", "/years", "year=20x6&start_date=2026-09-01&end_date=2027-07-15");
  EXPECT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("flash=The%20year%20must"), std::string::npos) << location(r);
  EXPECT_EQ(call(t1, "POST", "/years", "year=2027&start_date=2027-09-01&end_date=2028-07-15").status, 403);

  // A term covering today empties the checklist of its first item.
  std::string today = services::today();
  ASSERT_EQ(
      call(admin, "POST", "/years/" + id(y.id), "name=" + y.name + "&start_date=1900-01-01&end_date=2999-12-31").status,
      303);
  r = call(admin, "POST", "/years/" + id(y.id) + "/terms", "name=Now&start_date=" + today + "&end_date=" + today);
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("Term%20added"), std::string::npos) << location(r);
  auto page = call(s1, "GET", "/years/" + id(y.id));
  EXPECT_TRUE(has(page, "<strong>Now</strong>"));
  EXPECT_FALSE(has(page, "action=\"/terms/"));  // students read, never edit
  // The "no current term" item is gone (the timetable one stays until a lesson exists).
  EXPECT_FALSE(has(call(admin, "GET", "/"), "href=\"/years/" + id(y.id) + "\""));
  EXPECT_EQ(call(admin, "GET", "/years/999999").status, 404);
}

TEST_F(SchoolCorePages, SubjectsAssignmentsAndRollover) {
  auto r = call(admin, "POST", "/subjects", "name=Physics&code=phy");
  ASSERT_EQ(r.status, 303);
  auto list = call(t1, "GET", "/subjects?q=phy");
  EXPECT_TRUE(has(list, ">Physics</a>"));
  EXPECT_FALSE(has(list, "action=\"/subjects\""));
  EXPECT_TRUE(has(call(admin, "GET", "/"), "Nobody teaches subject Physics"));

  auto cls = call(admin, "GET", "/classes/" + id(c1));
  ASSERT_EQ(cls.status, 200);
  EXPECT_TRUE(has(cls, ">Physics</option>"));
  auto physics = cls.body.substr(cls.body.find(">Physics</option>") - 30, 30);
  auto v = physics.substr(physics.find("value=\"") + 7);
  std::string sid = v.substr(0, v.find('"'));
  r = call(admin, "POST", "/classes/" + id(c1) + "/assignments", "username=teacher2&subject_id=" + sid);
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("Teacher%20assigned"), std::string::npos) << location(r);
  r = call(admin, "POST", "/classes/" + id(c1) + "/assignments", "username=student1&subject_id=" + sid);
  EXPECT_NE(location(r).find("no%20active%20teacher"), std::string::npos) << location(r);
  EXPECT_EQ(call(t1, "POST", "/classes/" + id(c1) + "/assignments", "username=teacher1&subject_id=0").status, 403);
  cls = call(t2, "GET", "/classes/" + id(c1));  // teacher2 teaches 7A now
  ASSERT_EQ(cls.status, 200);
  EXPECT_TRUE(has(cls, "Full teacher2 — Physics"));

  services::YearInput next;
  next.year = 2026;
  next.start_date = "2026-09-01";
  next.end_date = "2027-07-15";
  services::create_year(*app, actor(admin), next);
  r = call(admin, "POST", "/classes/" + id(c1) + "/rollover", "to_name=8A");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("1%20students%20moved%20to%208A"), std::string::npos) << location(r);
  EXPECT_EQ(call(t1, "POST", "/classes/" + id(c1) + "/rollover", "to_name=8A").status, 403);
}

TEST_F(SchoolCorePages, PersonPageEditsWithValidation) {
  auto r = call(admin, "POST", "/people/" + id(s1),
                "full_name=Student+One&admission_no=A1&date_of_birth=2013-05-06&status=active&email=s1%40example.org&"
                "phone=&preferred_language=en&email_prefs=1");
  ASSERT_EQ(r.status, 303);
  EXPECT_NE(location(r).find("flash=Saved"), std::string::npos) << location(r);
  auto page = call(t1, "GET", "/people/" + id(s1));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(has(page, "A1"));
  EXPECT_TRUE(has(page, "s1@example.org"));
  EXPECT_FALSE(has(page, "action=\"/people/"));  // teachers read
  r = call(admin, "POST", "/people/" + id(s1), "email=not-an-email");
  EXPECT_NE(location(r).find("email%20address%20is%20not%20valid"), std::string::npos) << location(r);
  // Self-service: the form has the contact fields only, and a sneaked-in status is refused.
  auto mine = call(g1, "GET", "/me/profile");
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(has(mine, "name=\"email\""));
  EXPECT_FALSE(has(mine, "name=\"status\""));
  EXPECT_EQ(call(g1, "POST", "/people/" + id(g1), "email=g1%40example.org&email_prefs=1&email_opt_out=1").status, 303);
  EXPECT_TRUE(services::get_person(*app, actor(g1), g1).person.email_opt_out);
  EXPECT_EQ(call(g1, "POST", "/people/" + id(g1), "status=left").status, 403);
  EXPECT_EQ(call(g1, "GET", "/people/" + id(s2)).status, 403);
}

TEST_F(SchoolCorePages, ImportDryRunThenCommit) {
  std::string csv = "username,full_name,class_name,year,guardian_username\nnia,Nia Obi,7A,2025,papa.obi\n";
  auto r = call(admin, "POST", "/import/students", multipart("dry_run", csv), "multipart/form-data; boundary=B");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "Dry run: nothing was written"));
  EXPECT_TRUE(has(r, "Import for real"));
  EXPECT_FALSE(has(r, "class=\"secret\""));
  EXPECT_EQ(services::get_class(*app, actor(admin), c1).students.size(), 1u);
  r = call(admin, "POST", "/import/students", multipart("commit", csv), "multipart/form-data; boundary=B");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "<h2>Imported</h2>"));
  EXPECT_TRUE(has(r, "nia (student): <code class=\"secret\">"));
  EXPECT_EQ(services::get_class(*app, actor(admin), c1).students.size(), 2u);
  r = call(admin, "POST", "/import/students", multipart("dry_run", csv + "bad name,X,,,\n"),
           "multipart/form-data; boundary=B");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r, "1 with errors"));
  EXPECT_FALSE(has(r, "Import for real"));
  r = call(admin, "POST", "/import/students", multipart("dry_run", "shoe_size\n9\n"),
           "multipart/form-data; boundary=B");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r, "unknown column"));
  EXPECT_EQ(call(admin, "GET", "/import?kind=subjects").status, 200);
  EXPECT_EQ(call(t1, "GET", "/import").status, 403);
  EXPECT_EQ(call(t1, "POST", "/import/students", multipart("commit", csv), "multipart/form-data; boundary=B").status,
            403);
}

TEST_F(SchoolCorePages, ListsSearchAndPage) {
  for (int i = 0; i < 60; ++i) enrol(c1, add_user("kid" + std::to_string(100 + i), Role::student));
  auto users = call(admin, "GET", "/admin/users?role=student&q=kid1");
  ASSERT_EQ(users.status, 200) << users.body;
  EXPECT_TRUE(has(users, "60 found."));
  EXPECT_TRUE(has(users, "page=1\">Next"));
  auto second = call(admin, "GET", "/admin/users?role=student&q=kid1&page=1");
  EXPECT_TRUE(has(second, "kid159"));
  EXPECT_FALSE(has(second, "kid100"));
  auto roster = call(t1, "GET", "/classes/" + id(c1) + "?q=kid15");
  EXPECT_TRUE(has(roster, "10 found."));
  EXPECT_TRUE(has(call(t1, "GET", "/classes/" + id(c1)), "Next →"));
  auto classes = call(admin, "GET", "/classes?q=7b");
  EXPECT_TRUE(has(classes, ">7B</a>"));
  EXPECT_FALSE(has(classes, ">7A</a>"));
}

}  // namespace
