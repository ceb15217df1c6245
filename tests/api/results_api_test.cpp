// Result publication (#11) through the Router: publish (202; 409 when an assessment is not final),
// the results.build job, all-or-nothing visibility, the scheduled instant on the test clock,
// withdraw seen through a second instance sharing the database, every route × role, IDOR (another
// student's id, a guardian not linked: 404 like a page that does not exist), a guardian with two
// children, and the PDF's text through pdftotext with a non-Latin name.
#include "api/results_api.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "core/clock.h"
#include "core/clock_testing.h"
#include "db/accounts_repo.h"
#include "db/migrations.h"
#include "db/results_repo.h"
#include "db/subjects_repo.h"
#include "db/years_repo.h"
#include "jobs/worker_pool.h"
#include "services/results.h"
#include "services/school_fixture.h"
#include "storage/object_store.h"
#include "support/pdf_tools.h"
#include "support/testapp.h"
#include "web/app_router.h"
#include "web/results_pages.h"

using namespace sy;
using J = nlohmann::json;

namespace {

const std::string kIrina = "Ірина Шевченко 李小龍";

class ResultsApi : public test::SchoolFixture {
 protected:
  http::Router router;
  std::int64_t term = 0, maths = 0, art = 0, exam = 0, quiz = 0, project = 0, g3 = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    app->config.storage_url = "file://" + test::temp_dir("objects");
    app->store = storage::open_store(app->config.storage_url);
    api::mount_results_api(router, *app);
    web::mount_results_pages(router, *app);
    seed_two_classes();
    g3 = add_user("guardian3", Role::guardian);
    link(g3, s1);
    link(g3, s2);
    app->db->tx([&](db::Tx& t) {
      db::users::set_full_name(t, s1, kIrina, 1000);
      auto yid = db::years::by_year(t, 2025)->id;  // the classes' year
      db::TermRow tr;
      tr.academic_year_id = yid;
      tr.name = "Autumn";
      tr.start_date = "2025-09-01";
      tr.end_date = "2025-12-20";
      tr.created_at = 1000;
      term = db::terms::insert(t, tr);
      maths = db::subjects::insert(t, "Mathematics", "MA", 1000);
      art = db::subjects::by_name(t, "Art")->id;  // from the scene's teaching assignment
      exam = db::results_testing::insert_assessment(t, term, c1, maths, "Exam", 5000, 100, true, true);
      quiz = db::results_testing::insert_assessment(t, term, c1, maths, "Quiz", 2000, 50, false, true);
      project = db::results_testing::insert_assessment(t, term, c2, art, "Project", 10000, 100, false, true);
      db::results_testing::insert_mark(t, exam, s1, 4550);
      db::results_testing::insert_mark(t, quiz, s1, std::nullopt, "absent");
      db::results_testing::insert_mark(t, project, s2, std::nullopt, "exempt");
      db::results_testing::insert_comment(t, term, s1, maths, "Strong algebra; keep practising proofs.");
      db::results_testing::insert_comment(t, term, s1, 0, "A great term.");
    });
  }
  void TearDown() override {
    set_clock_offset_for_tests(0);
    freeze_clock_for_tests(false);
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.path = req.target = path;
    req.body = body;
    for (auto& h : headers) req.headers.push_back(h);
    if (!body.empty() && !req.header("content-type")) req.headers.push_back({"content-type", "application/json"});
    req.remote_ip = "127.0.0.1";
    req.request_id = "test-req";
    if (who) {
      auto a = actor(who);
      req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", "csrf"};
    }
    return router.dispatch(req);
  }
  static J body(const http::Response& r) { return J::parse(r.body); }
  static std::string code(const http::Response& r) { return body(r)["error"]["code"].get<std::string>(); }

  std::int64_t publish(J extra = J::object()) {
    J b = {{"term_id", term}, {"title", "Autumn results"}};
    b.update(extra);
    auto r = call(admin, "POST", "/api/v1/publications", b.dump());
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status == 202 ? body(r)["id"].get<std::int64_t>() : 0;
  }
  // Runs every queued job, as a worker would.
  void run_jobs() {
    auto pool = services::make_workers(*app, 0);
    auto& p = pool->processor();
    for (int i = 0; i < 20; ++i) {
      auto j = p.claim_next();
      if (!j) return;
      p.run(*j);
    }
  }
  std::string page(std::int64_t pub, std::int64_t student) {
    return "/results/" + std::to_string(pub) + "/students/" + std::to_string(student);
  }
  std::string status_of_pub(std::int64_t pub) {
    return body(call(admin, "GET", "/api/v1/publications/" + std::to_string(pub)))["status"].get<std::string>();
  }
  std::int64_t count(const std::string& table) {
    return app->db->read_result<std::int64_t>([&](db::Tx& t) {
      if (table == "result_publications") return static_cast<std::int64_t>(db::results::publications(t, 1000).size());
      return static_cast<std::int64_t>(0);
    });
  }
};

TEST_F(ResultsApi, PublishBuildsEveryCardThenServesStoredBytesToTheStudent) {
  auto pub = publish();
  EXPECT_EQ(status_of_pub(pub), "building");
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404) << "nothing is visible while building";
  run_jobs();
  auto p = body(call(admin, "GET", "/api/v1/publications/" + std::to_string(pub)));
  EXPECT_EQ(p["status"], "ready");
  EXPECT_EQ(p["pages_total"], 2);
  EXPECT_EQ(p["pages_done"], 2);
  EXPECT_TRUE(p["visible"].get<bool>());

  auto r = call(s1, "GET", page(pub, s1));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* want : {"Ірина Шевченко 李小龍", "Mathematics", "45.5 / 50", "91.0%", "Absent", "1 of 1",
                           "Strong algebra", "A great term.", "Autumn", "7A", "report.pdf", "id=\"report-card\""})
    EXPECT_NE(r.body.find(want), std::string::npos) << want;
  // Weighted: Exam 91 % × 100 + Quiz absent 0 % × 50 → 60.67 % → grade C on the default scale.
  EXPECT_NE(r.body.find("60.7% · C"), std::string::npos) << r.body;
  std::string etag;
  for (auto& [k, v] : r.headers) {
    if (k == "ETag") etag = v;
    if (k == "Cache-Control") EXPECT_NE(v.find("private"), std::string::npos);
  }
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(call(s1, "GET", page(pub, s1), "", {{"if-none-match", etag}}).status, 304);

  auto json = call(s1, "GET", "/api/v1" + page(pub, s1));
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_NE(body(json)["html"].get<std::string>().find("Mathematics"), std::string::npos);

  auto pdf = call(s1, "GET", page(pub, s1) + "/report.pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  bool attachment = false;
  for (auto& [k, v] : pdf.headers)
    if (k == "Content-Disposition") attachment = v.rfind("attachment", 0) == 0;
  EXPECT_TRUE(attachment);
  auto text = test::pdf_text(pdf.body);
  EXPECT_NE(text.find("Ірина Шевченко"), std::string::npos) << text;
  EXPECT_NE(text.find("李小龍"), std::string::npos) << text;
  EXPECT_NE(text.find("45.5 / 50"), std::string::npos) << text;

  // Student 2's card: the exempt project counts for nothing, so no subject percentage.
  auto r2 = call(s2, "GET", page(pub, s2));
  ASSERT_EQ(r2.status, 200);
  EXPECT_NE(r2.body.find("Exempt"), std::string::npos);
  EXPECT_EQ(audit_count("results.publish"), 1);
}

TEST_F(ResultsApi, AnAssessmentNotFinalIsRefusedAndNothingIsWritten) {
  std::int64_t open = 0;
  app->db->tx([&](db::Tx& t) {
    open = db::results_testing::insert_assessment(t, term, c1, art, "Draft", 1000, 100, false, false);
  });
  auto r = call(admin, "POST", "/api/v1/publications",
                J{{"term_id", term}, {"title", "T"}, {"assessment_ids", {exam, open}}}.dump());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(code(r), "not_final");
  EXPECT_EQ(count("result_publications"), 0);
  // Another term's or class's assessment is not in scope.
  r = call(admin, "POST", "/api/v1/publications",
           J{{"term_id", term}, {"class_id", c2}, {"title", "T"}, {"assessment_ids", {exam}}}.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  for (const char* bad : {"tomorrow", "2026-13-01T09:00:00Z", "2026-12-01T09:00:00+2", "99999999999999999"}) {
    r = call(admin, "POST", "/api/v1/publications", J{{"term_id", term}, {"title", "T"}, {"visible_at", bad}}.dump());
    EXPECT_EQ(r.status, 422) << bad << r.body;
    EXPECT_EQ(code(r), "invalid_visible_at");
  }
  r = call(admin, "POST", "/api/v1/publications", J{{"term_id", term}, {"title", "  "}}.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(count("result_publications"), 0);
  // Without assessment_ids: every final one in scope (the draft is left out, not refused).
  auto pub = publish({{"class_id", c1}});
  auto ids = app->db->read_result<std::vector<db::ReportAssessmentRow>>(
      [&](db::Tx& t) { return db::results::assessments_of(t, pub); });
  ASSERT_EQ(ids.size(), 2u);
}

TEST_F(ResultsApi, OutOfScopeIsTheSame404AsNothingAndOtherRolesAreDenied) {
  auto pub = publish();
  run_jobs();
  // IDOR: student 1 changing the id to student 2's; guardian 2 (linked to student 2 only) asking for
  // student 1; student 3 (no class, no card). Same status, same body as a card that does not exist
  // (the same route with a publication id nobody has).
  struct Case {
    std::int64_t who, student;
    std::string prefix, suffix;
  };
  for (const auto& c : std::vector<Case>{{s1, s2, "", ""},
                                         {g2, s1, "", ""},
                                         {s3, s3, "", ""},
                                         {s2, s1, "", "/report.pdf"},
                                         {g1, s2, "/api/v1", ""}}) {
    auto r = call(c.who, "GET", c.prefix + page(pub, c.student) + c.suffix);
    auto missing = call(c.who, "GET", c.prefix + page(pub + 100, c.student) + c.suffix);
    EXPECT_EQ(r.status, 404) << c.prefix << page(pub, c.student) << c.suffix;
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(r.body, missing.body) << c.prefix << page(pub, c.student) << c.suffix;
  }
  EXPECT_EQ(call(g1, "GET", page(pub, s1)).status, 200);
  EXPECT_EQ(call(g2, "GET", page(pub, s2) + "/report.pdf").status, 200);
  // Staff do not read report cards here, and only the admin publishes.
  EXPECT_EQ(call(t1, "GET", page(pub, s1)).status, 403);
  EXPECT_EQ(call(admin, "GET", "/api/v1/results").status, 403);
  EXPECT_EQ(call(0, "GET", page(pub, s1)).status, 401);
  for (auto who : {t1, s1, g1}) {
    EXPECT_EQ(call(who, "POST", "/api/v1/publications", J{{"term_id", term}, {"title", "x"}}.dump()).status, 403);
    EXPECT_EQ(call(who, "GET", "/api/v1/publications").status, 403);
    EXPECT_EQ(call(who, "POST", "/api/v1/publications/" + std::to_string(pub) + "/withdraw").status, 403);
  }
  EXPECT_EQ(status_of_pub(pub), "ready");
}

TEST_F(ResultsApi, AGuardianWithTwoChildrenSeesBoth) {
  auto pub = publish();
  run_jobs();
  auto list = body(call(g3, "GET", "/api/v1/results"))["results"];
  ASSERT_EQ(list.size(), 2u) << list;
  std::set<std::int64_t> students;
  for (auto& x : list) students.insert(x["student_id"].get<std::int64_t>());
  EXPECT_EQ(students, (std::set<std::int64_t>{s1, s2}));
  EXPECT_EQ(call(g3, "GET", page(pub, s1)).status, 200);
  EXPECT_EQ(call(g3, "GET", page(pub, s2)).status, 200);
  auto html = call(g3, "GET", "/results");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find(page(pub, s1)), std::string::npos);
  EXPECT_NE(html.body.find(page(pub, s2)), std::string::npos);
  // A student lists only their own.
  auto own = body(call(s1, "GET", "/api/v1/results"))["results"];
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["student_id"], s1);
}

TEST_F(ResultsApi, AScheduledPublicationAppearsAtItsInstantForEveryone) {
  freeze_clock_for_tests(true);
  const std::int64_t at = now_unix() + 3600;
  auto pub = publish({{"visible_at", iso8601_utc(at)}});
  run_jobs();
  EXPECT_EQ(status_of_pub(pub), "ready");
  EXPECT_FALSE(body(call(admin, "GET", "/api/v1/publications/" + std::to_string(pub)))["visible"].get<bool>());
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404);
  EXPECT_EQ(body(call(g3, "GET", "/api/v1/results"))["results"].size(), 0u);
  set_clock_offset_for_tests(3599);
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404) << "one second early";
  set_clock_offset_for_tests(3600);
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 200);
  EXPECT_EQ(call(g3, "GET", page(pub, s2)).status, 200);
  // Epoch milliseconds are accepted too (rounded up to the second: never early).
  auto r = call(admin, "POST", "/api/v1/publications",
                J{{"term_id", term}, {"title", "ms"}, {"visible_at", (at + 100) * 1000 + 1}}.dump());
  ASSERT_EQ(r.status, 202);
  EXPECT_EQ(body(r)["visible_at"], iso8601_utc(at + 101));
}

TEST_F(ResultsApi, NothingIsVisibleUntilEveryPageAndPdfExists) {
  auto pub = publish();
  // As if the first batch were written and the rest still building: a page row exists, and the
  // publication is not ready, so nobody sees it.
  app->db->tx([&](db::Tx& t) {
    db::results::set_total(t, pub, 2, now_unix());
    db::results::put_page(t, {pub, s1, "<p>half</p>", "e", "results/x.pdf", 1, now_unix()});
    db::results::set_done(t, pub, 1, now_unix());
  });
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404);
  bool flipped = true;
  app->db->tx([&](db::Tx& t) {
    db::results::set_done(t, pub, 2, now_unix());  // progress says done, but a page is missing
    flipped = db::results::set_ready(t, pub, now_unix());
  });
  EXPECT_FALSE(flipped) << "ready needs every page with its PDF";
  EXPECT_EQ(status_of_pub(pub), "building");
  run_jobs();
  EXPECT_EQ(status_of_pub(pub), "ready");
  auto r = call(s1, "GET", page(pub, s1));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("half"), std::string::npos) << "the job rewrote the page";
}

TEST_F(ResultsApi, WithdrawIsOneUpdateAndAuditedAndRepeatIsAConflict) {
  auto pub = publish();
  run_jobs();
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 200);
  auto w = call(admin, "POST", "/api/v1/publications/" + std::to_string(pub) + "/withdraw");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(body(w)["status"], "withdrawn");
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404);
  EXPECT_EQ(call(g1, "GET", page(pub, s1) + "/report.pdf").status, 404);
  EXPECT_EQ(call(admin, "POST", "/api/v1/publications/" + std::to_string(pub) + "/withdraw").status, 409);
  EXPECT_EQ(call(admin, "POST", "/api/v1/publications/99999/withdraw").status, 404);
  EXPECT_EQ(audit_count("results.withdraw"), 1);
  // A withdrawn publication's job does not bring it back.
  auto pub2 = publish();
  call(admin, "POST", "/api/v1/publications/" + std::to_string(pub2) + "/withdraw");
  run_jobs();
  EXPECT_EQ(status_of_pub(pub2), "withdrawn");
  EXPECT_EQ(body(call(admin, "GET", "/api/v1/publications"))["publications"].size(), 2u);
}

TEST_F(ResultsApi, AdminPageShowsProgressAndPublishesFromTheForm) {
  auto r = call(admin, "GET", "/admin/results");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("publish-form"), std::string::npos);
  const std::int64_t at = (now_unix() / 60 + 24 * 60) * 60;  // tomorrow, on the minute
  std::string utc = iso8601_utc(at);
  r = call(admin, "POST", "/admin/results",
           "_csrf=csrf&title=Term+1&term_id=" + std::to_string(term) + "&visible_at_utc=" + utc.substr(0, 13) + "%3A" +
               utc.substr(14, 2) + "%3A00.000Z",
           {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 303) << r.body;
  run_jobs();
  r = call(admin, "GET", "/admin/results");
  EXPECT_NE(r.body.find(utc), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("(scheduled)"), std::string::npos);
  EXPECT_NE(r.body.find("2 / 2"), std::string::npos);
  EXPECT_EQ(call(t1, "GET", "/admin/results").status, 403);
}

TEST_F(ResultsApi, AFailedBuildSaysWhyStaysInvisibleAndTheRetryCompletesIt) {
  // A file where the results/ folder must go: every PDF write fails.
  const std::string root = app->config.storage_url.substr(std::string("file://").size());
  { std::ofstream(root + "/results") << "in the way"; }
  auto pub = publish();
  run_jobs();
  auto p = body(call(admin, "GET", "/api/v1/publications/" + std::to_string(pub)));
  EXPECT_EQ(p["status"], "failed");
  EXPECT_FALSE(p["error"].get<std::string>().empty());
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 404);
  EXPECT_NE(call(admin, "GET", "/admin/results").body.find("failed: "), std::string::npos);
  // The queue's retry (run here straight away instead of after its backoff) rebuilds it.
  std::remove((root + "/results").c_str());
  db::JobRow job;
  job.kind = services::kResultsBuildJob;
  job.object_key = "jobs/results-build/" + std::to_string(pub);
  EXPECT_EQ(services::run_results_build_job(*app, job), "ready");
  EXPECT_EQ(status_of_pub(pub), "ready");
  EXPECT_EQ(call(s1, "GET", page(pub, s1)).status, 200);
}

// Two instances share the database (and the object store) and nothing else: a withdrawal made
// through A is seen on the very next request through B, with real sessions.
TEST(ResultsInstances, WithdrawThroughOneInstanceIsSeenOnTheNextRequestOfAnother) {
  auto url = test::fresh_db_url();
  auto store = "file://" + test::temp_dir("objects");
  auto open = [&] {
    auto app = std::make_unique<services::App>();
    app->db = db::Database::open(url, 4);
    app->config.storage_url = store;
    app->store = storage::open_store(store);
    return app;
  };
  auto a = open();
  db::migrate(*a->db);
  auto b = open();
  http::Router ra, rb;
  web::build_router(ra, *a);
  web::build_router(rb, *b);
  test::make_user(*a, "admin", "admin");
  auto ann = test::make_user(*a, "ann", "student");
  std::int64_t term = 0;
  a->db->tx([&](db::Tx& t) {
    auto cls = db::classes::insert(t, "8C", 2025, 1000);
    db::classes::enrol(t, cls, ann, 1000);
    db::TermRow tr{0, db::years::by_year(t, 2025)->id, "Spring", "2026-01-05", "2026-03-31", 1000};
    term = db::terms::insert(t, tr);
    auto subject = db::subjects::insert(t, "Physics", "", 1000);
    auto exam = db::results_testing::insert_assessment(t, term, cls, subject, "Exam", 10000, 100, false, true);
    db::results_testing::insert_mark(t, exam, ann, 7200);
  });
  test::Client admin{ra}, ann_b{rb};
  ASSERT_EQ(admin.login("admin").status, 200);
  ASSERT_EQ(ann_b.login("ann").status, 200);
  auto r = admin.call("POST", "/api/v1/publications", J{{"term_id", term}, {"title", "Spring"}}.dump(),
                      "application/json", {{"x-csrf-token", admin.csrf}});
  ASSERT_EQ(r.status, 202) << r.body;
  auto pub = J::parse(r.body)["id"].get<std::int64_t>();
  {
    auto pool = services::make_workers(*a, 0);
    while (auto j = pool->processor().claim_next()) pool->processor().run(*j);
  }
  const auto path = "/results/" + std::to_string(pub) + "/students/" + std::to_string(ann);
  auto seen = ann_b.call("GET", path);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_NE(seen.body.find("72 / 100"), std::string::npos);
  r = admin.call("POST", "/api/v1/publications/" + std::to_string(pub) + "/withdraw", "", "application/json",
                 {{"x-csrf-token", admin.csrf}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ann_b.call("GET", path).status, 404);
  EXPECT_EQ(ann_b.call("GET", path + "/report.pdf").status, 404);
}

}  // namespace
