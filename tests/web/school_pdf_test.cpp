// The printable yearbook on Cairo + Pango, read back with poppler (pdftotext, pdfimages, pdfinfo):
// the layout (cover, rows × columns, A4/Letter, names in Cyrillic and CJK), and the
// /yearbook/{id}.pdf route as a background job — 202 with progress until the worker has made it,
// then the file from the object store, made once per content; only print-consented students; a
// consent change is never answered with the old file, and the old file is deleted.
#include <gtest/gtest.h>

#include "db/jobs_repo.h"
#include "db/yearbook_pdf_repo.h"
#include "jobs/worker_pool.h"
#include "services/school.h"
#include "services/school_fixture.h"
#include "services/yearbook_export.h"
#include "services/yearbook_pdf.h"
#include "storage/object_store.h"
#include "support/pdf_tools.h"
#include "web/school_pages.h"

using namespace sy;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

services::Yearbook thirteen() {
  services::Yearbook y;
  y.cls = {7, "7A (Blue)", 2025, 0};
  for (int i = 1; i <= 13; ++i) {
    services::YearbookEntry e;
    e.student_id = i;
    e.full_name = "Student " + std::to_string(i);
    e.photo_id = i <= 4 ? 100 + i : 0;
    y.entries.push_back(e);
  }
  y.entries[0].quote =
      "A rather long quote that needs wrapping over two lines and will be cut at the end of line two "
      "because nobody reads a third line in a yearbook anyway, do they";
  y.entries[1].full_name = "Анна Кузнецова";
  y.entries[2].full_name = "山田 太郎";
  y.entries[3].full_name = "Zoë (\\Jr)";
  return y;
}

TEST(YearbookPdf, CoverGridNamesInAnyScriptAndImages) {
  auto y = thirteen();
  std::map<std::int64_t, std::string> jpegs = {
      {101, test::tiny_jpeg()}, {102, "broken"}, {103, test::tiny_jpeg()}, {104, test::tiny_jpeg()}};
  std::vector<std::pair<int, int>> progress;
  auto pdf = services::yearbook_pdf(y, jpegs, {}, [&](int d, int t) { progress.emplace_back(d, t); });
  EXPECT_EQ(test::pdf_pages(pdf), 3);  // cover + 12 per page (4 × 3)
  EXPECT_EQ(progress, (std::vector<std::pair<int, int>>{{1, 3}, {2, 3}, {3, 3}}));
  auto text = test::pdf_text(pdf);
  for (const char* s : {"Yearbook", "7A (Blue)", "13 students", "Анна Кузнецова", "山田 太郎", "Zoë (\\Jr)",
                        "Student 13", "Page 3 of 3", "Yearbook 7A (Blue) 2025"})
    EXPECT_TRUE(has(text, s)) << s << " not in:\n" << text;
  EXPECT_FALSE(has(text, "anyway")) << "the quote is cut at two lines";
  EXPECT_TRUE(has(text, "…"));
  auto images = test::pdf_images(pdf);
  EXPECT_EQ(images.size(), 3u);  // the broken JPEG gets an empty frame
  for (auto& im : images) EXPECT_EQ(im.page, 2);
  for (auto& f : test::pdf_fonts(pdf)) EXPECT_TRUE(f.embedded) << f.name;
  EXPECT_TRUE(has(test::pdf_info(pdf), "A4")) << test::pdf_info(pdf);
}

TEST(YearbookPdf, LetterAndOtherGrids) {
  auto y = thirteen();
  auto pdf = services::yearbook_pdf(y, {}, services::pdf_layout("letter", "2", "2"));
  EXPECT_EQ(test::pdf_pages(pdf), 1 + 4);  // 13 students, 4 per page
  EXPECT_TRUE(has(test::pdf_info(pdf), "612 x 792"));
  pdf = services::yearbook_pdf(y, {}, services::pdf_layout("a4", "8", "6"));
  EXPECT_EQ(test::pdf_pages(pdf), 2);
  EXPECT_TRUE(has(test::pdf_text(pdf), "Student 13"));
}

TEST(YearbookPdf, EmptyYearbookIsACover) {
  services::Yearbook y;
  y.cls = {1, "8B", 2025, 0};
  auto pdf = services::yearbook_pdf(y, {}, {});
  EXPECT_EQ(test::pdf_pages(pdf), 1);
  EXPECT_TRUE(has(test::pdf_text(pdf), "No student in this class has consent for print."));
}

TEST(YearbookPdf, LayoutOptionsAreBounded) {
  auto d = services::pdf_layout("", "", "");
  EXPECT_EQ(d.paper, pdf::Paper::a4);
  EXPECT_EQ(d.rows, 4);
  EXPECT_EQ(d.columns, 3);
  auto l = services::pdf_layout("letter", "8", "6");
  EXPECT_EQ(l.paper, pdf::Paper::letter);
  EXPECT_EQ(l.rows, 8);
  EXPECT_EQ(l.columns, 6);
  for (auto [p, r, c, code] : std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"a5", "", "", "invalid_paper"},
           {"A4", "", "", "invalid_paper"},
           {"a4", "0", "", "invalid_rows"},
           {"a4", "9", "", "invalid_rows"},
           {"a4", "-1", "", "invalid_rows"},
           {"a4", "1e3", "", "invalid_rows"},
           {"a4", "", "7", "invalid_columns"},
           {"a4", "", "x", "invalid_columns"}}) {
    try {
      services::pdf_layout(p, r, c);
      ADD_FAILURE() << p << " " << r << " " << c << " accepted";
    } catch (const AppError& e) {
      EXPECT_EQ(e.kind, ErrorKind::invalid);
      EXPECT_EQ(e.code, code);
    }
  }
}

class YearbookPdfRoute : public test::SchoolFixture {
 protected:
  http::Router router;
  std::unique_ptr<jobs::WorkerPool> pool;  // no threads: the test runs the jobs
  std::int64_t admin = 0, teacher = 0, ann = 0, ben = 0, yui = 0, dan = 0, c = 0, other = 0, pa = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    app->store = storage::open_store("file://" + test::temp_dir("pdfstore"));
    web::mount_school_pages(router, *app);
    pool = services::make_workers(*app, 0);
    admin = add_user("admin", Role::admin);
    teacher = add_user("teacher", Role::teacher);
    ann = add_user("ann", Role::student);
    ben = add_user("ben", Role::student);
    yui = add_user("yui", Role::student);
    dan = add_user("dan", Role::student);
    app->db->tx([&](db::Tx& t) {
      db::users::set_full_name(t, ann, "Анна Кузнецова", 1000);
      db::users::set_full_name(t, yui, "山田 結衣", 1000);
    });
    c = add_class("7A", 2025);
    other = add_class("7B", 2025);
    teach(c, teacher);
    for (auto s : {ann, ben, yui}) enrol(c, s);
    enrol(other, dan);
    pa = photo(ann);
    auto pb = photo(ben);
    for (auto p : {pa, pb}) {
      auto key = "compressed/" + std::to_string(p) + "/thumb.jpg";
      app->db->tx([&](db::Tx& t) { db::school_testing::insert_variant(t, p, "thumb", key); });
      app->store->put(key, test::tiny_jpeg(), "image/jpeg");
    }
    consent(ann, "print");
    consent(yui, "print");     // no photo: a frame and her name
    consent(ben, "yearbook");  // screen only: not in the PDF
  }

  http::Response get(std::int64_t who, const std::string& path) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = path;
    auto q = path.find('?');
    if (q != std::string::npos) {
      req.path = path.substr(0, q);
      std::string rest = path.substr(q + 1);
      while (!rest.empty()) {
        auto amp = rest.find('&');
        auto kv = rest.substr(0, amp);
        req.query.emplace(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
    auto a = actor(who);
    req.user = http::Principal{a.id, a.username, a.role, a.username, "1", "tok"};
    return router.dispatch(req);
  }

  int run_jobs() {
    int n = 0;
    while (auto j = pool->processor().claim_next()) {
      pool->processor().run(*j);
      ++n;
    }
    return n;
  }
  std::vector<std::string> pdf_keys() {
    std::vector<std::string> out;
    for (auto& o : app->store->list("pdfs/")) out.push_back(o.key);
    return out;
  }
  std::vector<db::JobRow> pdf_jobs() {
    std::vector<db::JobRow> out;
    for (auto& j : app->db->read_result<std::vector<db::JobRow>>(
             [](db::Tx& t) { return db::jobs::list(t, std::nullopt, 100, 0); }))
      if (j.kind == services::kYearbookPdfJob) out.push_back(j);
    return out;
  }
  std::string url() { return "/yearbook/" + std::to_string(c) + ".pdf"; }
};

TEST_F(YearbookPdfRoute, MadeByTheJobOncePerContentAndOnlyWithPrintConsent) {
  auto r = get(teacher, url());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.header("refresh"), "2");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  EXPECT_TRUE(has(r.body, "page 0 of 2")) << r.body;
  EXPECT_EQ(get(teacher, url()).status, 202);
  EXPECT_EQ(pdf_jobs().size(), 1u) << "asking again while queued queues nothing new";
  EXPECT_TRUE(pdf_keys().empty());

  EXPECT_EQ(run_jobs(), 1);
  r = get(teacher, url());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/pdf");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  auto text = test::pdf_text(r.body);
  EXPECT_TRUE(has(text, "Анна Кузнецова")) << text;
  EXPECT_TRUE(has(text, "山田 結衣")) << text;
  EXPECT_FALSE(has(text, "Full ben")) << text;
  EXPECT_EQ(test::pdf_images(r.body).size(), 1u);
  ASSERT_EQ(pdf_keys().size(), 1u);
  EXPECT_EQ(*app->store->get(pdf_keys()[0]), r.body);
  auto jobs = pdf_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, JobStatus::done);
  EXPECT_EQ(jobs[0].result, "ready");

  // Served again from the store: same bytes, no new job. A student of the class sees the same file.
  EXPECT_EQ(get(teacher, url()).body, r.body);
  EXPECT_EQ(get(ann, url()).body, r.body);
  EXPECT_EQ(pdf_jobs().size(), 1u);

  // Another layout is another file.
  auto letter = get(teacher, url() + "?paper=letter&rows=2&columns=2");
  EXPECT_EQ(letter.status, 202);
  EXPECT_EQ(run_jobs(), 1);
  letter = get(teacher, url() + "?paper=letter&rows=2&columns=2");
  ASSERT_EQ(letter.status, 200);
  EXPECT_TRUE(has(test::pdf_info(letter.body), "612 x 792"));
  EXPECT_EQ(pdf_keys().size(), 2u);

  // Consent withdrawn: the very next request is not the old file, and both files showing her are gone.
  services::set_consent(*app, actor(admin), ann, "yearbook");
  EXPECT_TRUE(pdf_keys().empty());
  r = get(teacher, url());
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(run_jobs(), 1);
  r = get(teacher, url());
  ASSERT_EQ(r.status, 200);
  text = test::pdf_text(r.body);
  EXPECT_FALSE(has(text, "Анна")) << text;
  EXPECT_TRUE(has(text, "山田 結衣")) << text;
  EXPECT_EQ(test::pdf_images(r.body).size(), 0u);
}

TEST_F(YearbookPdfRoute, ScopeAndBadOptions) {
  EXPECT_EQ(get(dan, url()).status, 403);
  EXPECT_EQ(get(teacher, "/yearbook/" + std::to_string(other) + ".pdf").status, 403);
  EXPECT_EQ(get(teacher, "/yearbook/x.pdf").status, 404);
  EXPECT_EQ(get(admin, "/yearbook/999999.pdf").status, 404);
  auto r = get(teacher, url() + "?paper=a5");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(get(teacher, url() + "?rows=99").status, 422);
  EXPECT_TRUE(pdf_jobs().empty()) << "nothing is queued for a refused request";
}

TEST_F(YearbookPdfRoute, InvalidatedBeforeTheJobRunsLeavesNoFile) {
  EXPECT_EQ(get(teacher, url()).status, 202);
  services::set_consent(*app, actor(admin), ann, "none");  // drops the queued row that shows her
  EXPECT_EQ(run_jobs(), 1);
  EXPECT_TRUE(pdf_keys().empty());
  EXPECT_EQ(pdf_jobs()[0].result, "gone");

  // A change the cache key sees but no consent rule drops (a rename): the job finds it stale.
  EXPECT_EQ(get(teacher, url()).status, 202);
  app->db->tx([&](db::Tx& t) { db::users::set_full_name(t, yui, "山田 結衣 (renamed)", 1000); });
  EXPECT_EQ(run_jobs(), 1);
  EXPECT_TRUE(pdf_keys().empty());
  auto r = get(teacher, url());
  EXPECT_EQ(r.status, 202) << "the renamed content is queued afresh";
  EXPECT_EQ(run_jobs(), 1);
  r = get(teacher, url());
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(test::pdf_text(r.body), "(renamed)"));
}

}  // namespace
