// The marks API and pages (api/marks_api.cpp, web/marks_pages.cpp) through the router: JSON
// shapes, error codes, the lock, the reopen refusal, the CSV import's report, and the grid page's
// DOM that static/marks.js and the browser test rely on.
#include "api/marks_api.h"

#include <gtest/gtest.h>

#include "db/marks_repo.h"
#include "db/subjects_repo.h"
#include "services/school_fixture.h"
#include "services/years.h"
#include "web/marks_pages.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class MarksApi : public test::SchoolFixture {
 protected:
  http::Router router;
  std::int64_t term = 0, maths = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    api::mount_marks_api(router, *app);
    web::mount_marks_pages(router, *app);
    seed_two_classes();
    auto year = services::current_year(*app);
    ASSERT_TRUE(year);
    term = services::create_term(*app, actor(admin), year->id, {"Term 1", "2025-01-06", "2025-04-04"}).id;
    app->db->read([&](db::Tx& t) { maths = db::subjects::by_name(t, "Maths")->id; });
  }
  http::Response call(std::int64_t who, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& type = "application/json") {
    return test::call_as(router, *app->db, who, method, target, body, type);
  }
  static J json(const http::Response& r) { return J::parse(r.body); }
  static std::string code(const http::Response& r) { return json(r)["error"]["code"].get<std::string>(); }
  static bool has(const http::Response& r, const std::string& s) { return r.body.find(s) != std::string::npos; }
  std::int64_t create(std::int64_t who = 0) {
    auto r = call(who ? who : t1, "POST", "/api/v1/assessments",
                  J{{"term_id", term},
                    {"class_id", c1},
                    {"subject_id", maths},
                    {"name", "Mid-term"},
                    {"max", "20"},
                    {"weight", 200},
                    {"show_rank", true}}
                      .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json(r)["id"].get<std::int64_t>();
  }
  std::string path(std::int64_t id, const std::string& tail = "") {
    return "/api/v1/assessments/" + std::to_string(id) + tail;
  }
  J marks(std::initializer_list<std::pair<std::int64_t, J>> m) {
    J arr = J::array();
    for (auto& [sid, v] : m) arr.push_back({{"student_id", sid}, {"mark", v}});
    return J{{"marks", arr}};
  }
};

TEST_F(MarksApi, CreateGetAndSaveMarks) {
  auto id = create();
  auto r = call(t1, "GET", path(id));
  ASSERT_EQ(r.status, 200);
  auto j = json(r);
  EXPECT_EQ(j["max"], "20");
  EXPECT_EQ(j["weight"], 200);
  EXPECT_EQ(j["status"], "open");
  EXPECT_EQ(j["grade_scale"]["default"], true);
  ASSERT_EQ(j["students"].size(), 1u);
  EXPECT_TRUE(j["students"][0]["mark"].is_null());

  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, "15.5"}}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  j = json(r);
  EXPECT_EQ(j["students"][0]["mark"], "15.5");
  EXPECT_EQ(j["students"][0]["percent"], "77.5");
  EXPECT_EQ(j["students"][0]["grade"], "B");
  EXPECT_EQ(j["students"][0]["rank"], 1);
  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, 7}}).dump());  // a JSON number works too
  EXPECT_EQ(json(r)["students"][0]["mark"], "7");
  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, "a"}}).dump());
  EXPECT_EQ(json(r)["students"][0]["code"], "absent");
  EXPECT_TRUE(json(r)["students"][0]["mark"].is_null());
  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, nullptr}}).dump());
  EXPECT_TRUE(json(r)["students"][0]["code"].is_null());
}

TEST_F(MarksApi, BadMarksAre422AndNothingIsWritten) {
  auto id = create();
  call(t1, "PUT", path(id, "/marks"), marks({{s1, "10"}}).dump());
  auto r = call(t1, "PUT", path(id, "/marks"), marks({{s1, "20.5"}}).dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(code(r), "invalid_mark");
  EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("student " + std::to_string(s1)), std::string::npos);
  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, "12"}, {s2, "3"}}).dump());
  EXPECT_EQ(code(r), "not_enrolled");
  r = call(t1, "PUT", path(id, "/marks"), J{{"marks", "x"}}.dump());
  EXPECT_EQ(r.status, 422);
  r = call(t1, "PUT", path(id, "/marks"), "{not json");
  EXPECT_EQ(r.status / 100, 4);
  EXPECT_EQ(json(call(t1, "GET", path(id)))["students"][0]["mark"], "10");
}

TEST_F(MarksApi, OthersGet404) {
  auto id = create();
  for (auto who : {t2, s1, g1}) {
    EXPECT_EQ(call(who, "GET", path(id)).status, 404) << who;
    EXPECT_EQ(call(who, "PUT", path(id, "/marks"), marks({{s1, "1"}}).dump()).status, 404) << who;
    EXPECT_EQ(call(who, "GET", "/marks/" + std::to_string(id)).status, 404) << who;
  }
  EXPECT_EQ(call(0, "GET", path(id)).status, 401);
  EXPECT_EQ(call(t1, "GET", path(id + 100)).status, 404);
}

TEST_F(MarksApi, FinaliseLocksReopenRefusedWhilePublished) {
  auto id = create();
  EXPECT_EQ(call(t1, "POST", path(id, "/finalise")).status, 403);
  auto r = call(admin, "POST", path(id, "/finalise"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["status"], "final");
  r = call(t1, "PUT", path(id, "/marks"), marks({{s1, "1"}}).dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "assessment_final");
  r = call(t1, "POST", path(id, "/marks/import"), "username,mark\nstudent1,3\n", "text/csv");
  EXPECT_EQ(r.status, 409);
  std::int64_t pub = 0;
  app->db->tx([&](db::Tx& t) { pub = db::marks_testing::insert_publication(t, term, id, "building"); });
  r = call(admin, "POST", path(id, "/reopen"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "assessment_published");
  app->db->tx([&](db::Tx& t) { db::marks_testing::set_publication_status(t, pub, "withdrawn"); });
  r = call(admin, "POST", path(id, "/reopen"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["status"], "open");
}

TEST_F(MarksApi, CsvImportReportsPerRow) {
  auto id = create();
  auto r = call(t1, "POST", path(id, "/marks/import?dry_run=1"), "username,mark\nstudent1,12\n", "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json(r)["dry_run"], true);
  EXPECT_EQ(json(r)["rows"][0]["outcome"], "created");
  EXPECT_TRUE(json(call(t1, "GET", path(id)))["students"][0]["mark"].is_null());
  r = call(t1, "POST", path(id, "/marks/import"), "username,mark\nstudent1,12\nnobody,3\n", "text/csv");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json(r)["rows"][1]["outcome"], "error");
  EXPECT_TRUE(json(call(t1, "GET", path(id)))["students"][0]["mark"].is_null());
  r = call(t1, "POST", path(id, "/marks/import"), "username,mark\nstudent1,12\n", "text/csv");
  EXPECT_EQ(json(r)["committed"], true);
  EXPECT_EQ(json(call(t1, "GET", path(id)))["students"][0]["mark"], "12");
  EXPECT_EQ(call(t1, "POST", path(id, "/marks/import"), "username,mark\n", "application/json").status, 415);
}

TEST_F(MarksApi, ScalesAndComments) {
  auto r =
      call(admin, "POST", "/api/v1/grade-scales",
           J{{"name", "Pass/fail"},
             {"bands", J::array({J{{"min_percent", "50.5"}, {"label", "P"}}, J{{"min_percent", 0}, {"label", "F"}}})}}
               .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json(r)["bands"][0]["min_percent"], "50.5");
  r = call(admin, "POST", "/api/v1/grade-scales",
           J{{"name", "Bad"}, {"bands", J::array({J{{"min_percent", 50.123}, {"label", "P"}}})}}.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(call(t1, "GET", "/api/v1/grade-scales").status, 200);
  r = call(t1, "PUT", "/api/v1/report-comments",
           J{{"term_id", term}, {"student_id", s1}, {"subject_id", maths}, {"comment", "Steady progress."}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  r = call(t1, "GET",
           "/api/v1/report-comments?term_id=" + std::to_string(term) + "&class_id=" + std::to_string(c1) +
               "&subject_id=" + std::to_string(maths));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)["comments"][0]["comment"], "Steady progress.");
  // The grid shows it beside the mark.
  auto id = create();
  EXPECT_EQ(json(call(t1, "GET", path(id)))["students"][0]["comment"], "Steady progress.");
}

TEST_F(MarksApi, GridPageRendersTheCellsTheScriptNeeds) {
  auto id = create();
  call(t1, "PUT", path(id, "/marks"), marks({{s1, "15.5"}}).dump());
  auto r = call(t1, "GET", "/marks/" + std::to_string(id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "id=\"marks-grid\""));
  EXPECT_TRUE(has(r, "data-assessment=\"" + std::to_string(id) + "\""));
  EXPECT_TRUE(has(r, "data-max-x100=\"2000\""));
  EXPECT_TRUE(has(r, "data-csrf=\"" + std::string(test::kCsrf) + "\""));
  EXPECT_TRUE(has(r, "<tr data-student=\"" + std::to_string(s1) + "\">"));
  EXPECT_TRUE(has(r, "class=\"mark\" data-student=\"" + std::to_string(s1) + "\" value=\"15.5\""));
  EXPECT_TRUE(has(r, "id=\"save-state\""));
  EXPECT_TRUE(has(r, "<script src=\"/static/marks.js\" defer></script>"));
  EXPECT_TRUE(has(r, "name=\"viewport\""));
  EXPECT_FALSE(has(r, "id=\"finalise\""));  // a teacher does not finalise
  r = call(admin, "GET", "/marks/" + std::to_string(id));
  EXPECT_TRUE(has(r, "id=\"finalise\""));
  // Finalised: read-only cells, a reopen button, no import form.
  r = call(admin, "POST", "/marks/" + std::to_string(id) + "/finalise", "_csrf=csrf",
           "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 303);
  r = call(t1, "GET", "/marks/" + std::to_string(id));
  EXPECT_TRUE(has(r, "data-locked=\"1\""));
  EXPECT_TRUE(has(r, "readonly"));
  EXPECT_FALSE(has(r, "/import\""));
  // The list page links it and offers the teacher's own class × subject.
  r = call(t1, "GET", "/marks");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "href=\"/marks/" + std::to_string(id) + "\""));
  EXPECT_TRUE(has(r, "value=\"" + std::to_string(c1) + ":" + std::to_string(maths) + "\""));
}

TEST_F(MarksApi, PagesCreateAndImport) {
  auto r = call(t1, "POST", "/marks",
                "_csrf=csrf&class_subject=" + std::to_string(c1) + "%3A" + std::to_string(maths) +
                    "&term_id=" + std::to_string(term) + "&name=Quiz&max=10&weight=100",
                "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 303) << r.body;
  auto loc = r.header("location").value_or("");
  ASSERT_EQ(loc.rfind("/marks/", 0), 0u) << loc;
  auto id = std::stoll(loc.substr(7, loc.find('?') - 7));
  r = call(t1, "POST", "/marks/" + std::to_string(id) + "/import",
           "_csrf=csrf&dry_run=1&csv=" + http::url_encode("username,mark\nstudent1,11\n"),
           "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 422);  // 11 is above the maximum 10: the report says so, nothing written
  EXPECT_TRUE(has(r, "above the maximum"));
  r = call(t1, "POST", "/marks/" + std::to_string(id) + "/import",
           "_csrf=csrf&csv=" + http::url_encode("username,mark\nstudent1,9.5\n"), "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "id=\"import-result\""));
  EXPECT_TRUE(has(r, "value=\"9.5\""));
}

TEST_F(MarksApi, FormTutorWritesGeneralComments) {
  auto target = "/marks/comments?class_id=" + std::to_string(c1) + "&term_id=" + std::to_string(term);
  EXPECT_EQ(call(t1, "GET", target).status, 404);  // teaches Maths in 7A, not its form tutor
  teach(c1, t2);                                   // teacher2 becomes 7A's form tutor
  auto r = call(t2, "GET", "/marks/comments");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "<option value=\"" + std::to_string(c1) + "\""));
  r = call(t2, "GET", target);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "name=\"c_" + std::to_string(s1) + "\""));
  r = call(t2, "POST", "/marks/comments",
           "_csrf=csrf&class_id=" + std::to_string(c1) + "&term_id=" + std::to_string(term) + "&c_" +
               std::to_string(s1) + "=A+good+term.&c_" + std::to_string(s2) + "=not+in+this+class",
           "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 303);
  auto list = call(
      t2, "GET",
      "/api/v1/report-comments?term_id=" + std::to_string(term) + "&class_id=" + std::to_string(c1) + "&subject_id=0");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(json(list)["comments"].size(), 1u);  // student2 is not in 7A: ignored
  EXPECT_EQ(json(list)["comments"][0]["comment"], "A good term.");
  EXPECT_TRUE(has(call(t2, "GET", target), "A good term."));
}

}  // namespace
