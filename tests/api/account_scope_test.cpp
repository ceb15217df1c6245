// Deactivating a user removes them from every scope that flows through them (IDOR-style: the
// same requests, before and after): a deactivated student leaves the yearbook (JSON, HTML, PDF)
// and no longer opens their class to their guardian or their photo to classmates; a deactivated
// teacher loses their class.
#include <gtest/gtest.h>

#include "jobs/worker_pool.h"
#include "services/school_fixture.h"
#include "services/users.h"
#include "storage/object_store.h"
#include "support/pdf_tools.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class DeactivatedScope : public test::SchoolFixture {
 protected:
  http::Router router;
  void SetUp() override {
    SchoolFixture::SetUp();
    app->store = storage::open_store("file://" + test::temp_dir("scopestore"));
    web::build_router(router, *app);
    seed_two_classes();
  }
  http::Response get(std::int64_t who, const std::string& path) {
    return test::call_as(router, *app->db, who, "GET", path);
  }
  // The printable yearbook's text (pdftotext): asks for it, lets the worker make it, fetches it.
  std::string pdf_text(std::int64_t who, const std::string& path) {
    auto r = get(who, path);
    if (r.status == 202) {
      auto pool = services::make_workers(*app, 0);
      while (auto j = pool->processor().claim_next()) pool->processor().run(*j);
      r = get(who, path);
    }
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    return r.status == 200 ? test::pdf_text(r.body) : "";
  }
  void deactivate(std::int64_t id) { services::set_user_active(*app, actor(admin), id, false); }
  bool lists(const http::Response& r, std::int64_t student) {
    auto j = J::parse(r.body);
    for (auto& e : j["entries"])
      if (e["student_id"] == student) return true;
    return false;
  }
};

TEST_F(DeactivatedScope, StudentLeavesTheYearbookAndTheirGuardianLosesTheClass) {
  auto s4 = add_user("student4", Role::student);
  enrol(c1, s4);
  auto p1 = photo(s1);
  std::string key = "compressed/" + std::to_string(p1) + "/thumb.jpg";
  app->db->tx([&](db::Tx& t) { db::school_testing::insert_variant(t, p1, "thumb", key); });
  app->store->put(key, "\xff\xd8\xff\xd9", "image/jpeg");
  consent(s1, "print");
  const std::string y = "/api/v1/yearbook/" + std::to_string(c1);
  const std::string html = "/yearbook/" + std::to_string(c1);
  const std::string thumb = "/api/v1/photos/" + std::to_string(p1) + "/thumb";

  // Before: the guardian sees the class through the child; a classmate sees the photo.
  auto before = get(g1, y);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(lists(before, s1));
  EXPECT_EQ(get(g1, html).status, 200);
  EXPECT_EQ(get(s4, thumb).status, 200);
  EXPECT_NE(get(admin, html).body.find("Full student1"), std::string::npos);
  EXPECT_NE(pdf_text(admin, html + ".pdf").find("Full student1"), std::string::npos);

  deactivate(s1);

  // The guardian's only link to class 7A was the deactivated child.
  EXPECT_EQ(get(g1, y).status, 403);
  EXPECT_EQ(get(g1, html).status, 403);
  EXPECT_EQ(get(g1, html + ".pdf").status, 403);
  EXPECT_EQ(get(g1, html + "/print").status, 403);
  EXPECT_EQ(get(g1, "/classes").body.find("7A"), std::string::npos);
  // The student is gone from every form of the yearbook, and their photo from classmates' reach.
  auto after = get(admin, y);
  ASSERT_EQ(after.status, 200);
  EXPECT_FALSE(lists(after, s1));
  EXPECT_TRUE(lists(get(s4, y), s4));
  EXPECT_FALSE(lists(get(s4, y), s1));
  EXPECT_EQ(get(admin, html).body.find("Full student1"), std::string::npos);
  EXPECT_EQ(pdf_text(admin, html + ".pdf").find("Full student1"), std::string::npos);
  auto peek = get(s4, thumb);
  EXPECT_TRUE(peek.status == 403 || peek.status == 404) << peek.status;
  // Other families are untouched.
  EXPECT_EQ(get(g2, "/api/v1/yearbook/" + std::to_string(c2)).status, 200);
}

TEST_F(DeactivatedScope, TeacherLosesTheirClass) {
  EXPECT_EQ(get(t1, "/api/v1/yearbook/" + std::to_string(c1)).status, 200);
  deactivate(t1);
  EXPECT_EQ(get(t1, "/api/v1/yearbook/" + std::to_string(c1)).status, 403);
  EXPECT_EQ(get(t1, "/yearbook/" + std::to_string(c1)).status, 403);
  EXPECT_EQ(get(t2, "/api/v1/yearbook/" + std::to_string(c2)).status, 200);
}

}  // namespace
