// Shared pages (the class yearbook) are cached per server instance under a content version kept in
// the database. Two instances here share one database (SQLite file or MariaDB) and nothing else:
// every change made through instance A must show on the very next request through instance B,
// whose cache already holds the page from before the change.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/clock_testing.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/migrations.h"
#include "db/photos_repo.h"
#include "db/school_repo.h"
#include "storage/object_store.h"
#include "support/db_testing.h"
#include "support/testapp.h"
#include "support/testenv.h"
#include "web/app_router.h"

using namespace sy;

namespace {

std::unique_ptr<services::App> instance(const std::string& db_url, const std::string& store_url) {
  auto app = std::make_unique<services::App>();
  app->db = db::Database::open(db_url, 4);
  app->config.storage_url = store_url;
  app->store = storage::open_store(store_url);
  return app;
}

class SharedPages : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> a, b;
  http::Router ra, rb;
  std::int64_t cls = 0, ann = 0, ben = 0, pa = 0, pb = 0;
  std::string path;

  void SetUp() override {
    auto url = test::fresh_db_url();
    auto store = "file://" + test::temp_dir("objects");
    a = instance(url, store);
    db::migrate(*a->db);
    b = instance(url, store);
    web::build_router(ra, *a);
    web::build_router(rb, *b);
    test::make_user(*a, "admin", "admin");
    auto teacher = test::make_user(*a, "teacher", "teacher");
    ann = test::make_user(*a, "ann", "student");
    ben = test::make_user(*a, "ben", "student");
    a->db->tx([&](db::Tx& t) {
      cls = db::classes::insert(t, "7A", 2026, 1000);
      db::classes::assign_teacher(t, cls, teacher, "", 1000);
      db::classes::enrol(t, cls, ann, 1000);
      db::classes::enrol(t, cls, ben, 1000);
      db::consent::set(t, ann, "yearbook", 0, 1000);
      db::consent::set(t, ben, "yearbook", 0, 1000);
      pa = db::school_testing::insert_photo(t, ann, "ready", "approved", true, "Ann's quote");
      pb = db::school_testing::insert_photo(t, ben, "ready", "approved", true, "Ben's quote");
    });
    path = "/yearbook/" + std::to_string(cls);
  }

  // The teacher's view through instance B (the session is in the shared database).
  std::string b_cookie;
  http::Response via_b(std::vector<std::pair<std::string, std::string>> headers = {}, std::string target = "") {
    if (b_cookie.empty()) {
      test::Client teacher_a{ra};
      EXPECT_EQ(teacher_a.login("teacher").status, 200);
      b_cookie = teacher_a.cookie;
    }
    test::Client teacher_b{rb};
    teacher_b.cookie = b_cookie;
    return teacher_b.call("GET", target.empty() ? path : target, "", "application/json", std::move(headers));
  }
  std::string roster_b() {
    auto r = via_b({}, "/classes/" + std::to_string(cls));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  std::string page_b() {
    auto r = via_b();
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  static bool shows_photo(const std::string& body, std::int64_t photo) {
    return body.find("/api/v1/photos/" + std::to_string(photo) + "/thumb") != std::string::npos;
  }
  static bool lists(const std::string& body, const std::string& name) {
    return body.find("<p class=\"yb-name\">" + name + "</p>") != std::string::npos;
  }
  test::Client as(const std::string& who) {
    test::Client c{ra};
    EXPECT_EQ(c.login(who).status, 200);
    return c;
  }
};

TEST_F(SharedPages, EveryChangeThroughOneInstanceShowsOnTheNextRequestThroughTheOther) {
  auto before = page_b();  // B renders and caches the page
  ASSERT_TRUE(shows_photo(before, pa));
  ASSERT_TRUE(lists(before, "Full ann"));
  EXPECT_EQ(page_b(), before);  // and serves it again unchanged
  auto roster = roster_b();     // the class page (roster, staff view) as well
  ASSERT_NE(roster.find("<td>Yearbook (on screen)</td>"), std::string::npos) << roster;

  auto teacher = as("teacher");
  auto admin = as("admin");

  // Rejection, then approval (teacher, through A).
  ASSERT_EQ(teacher.call("POST", "/api/v1/photos/" + std::to_string(pa) + "/reject", R"({"reason":"blurry"})").status,
            200);
  EXPECT_FALSE(shows_photo(page_b(), pa)) << "reject";
  ASSERT_EQ(teacher.call("POST", "/api/v1/photos/" + std::to_string(pa) + "/approve", "{}").status, 200);
  EXPECT_TRUE(shows_photo(page_b(), pa)) << "approve";

  // Consent withdrawn, then given again (admin, through A).
  ASSERT_EQ(admin.call("PUT", "/api/v1/students/" + std::to_string(ann) + "/consent", R"({"consent":"none"})").status,
            200);
  auto now = page_b();
  EXPECT_FALSE(shows_photo(now, pa)) << "consent none";
  EXPECT_TRUE(lists(now, "Full ann"));  // still listed, without the photo
  EXPECT_NE(roster_b().find("<td>No photo</td>"), std::string::npos) << "roster after consent none";
  ASSERT_EQ(admin.call("PUT", "/api/v1/students/" + std::to_string(ann) + "/consent", R"({"consent":"print"})").status,
            200);
  EXPECT_TRUE(shows_photo(page_b(), pa)) << "consent print";

  // Rename (no HTTP route yet: the repository mutator any service would call, on A's pool).
  a->db->tx([&](db::Tx& t) { db::users::set_full_name(t, ann, "Ann Renamed", 2000); });
  now = page_b();
  EXPECT_TRUE(lists(now, "Ann Renamed")) << "rename";
  EXPECT_FALSE(lists(now, "Full ann"));
  EXPECT_NE(roster_b().find("Ann Renamed"), std::string::npos) << "roster after rename";

  // Unenrol (admin API through A).
  ASSERT_EQ(admin.call("DELETE", "/api/v1/classes/" + std::to_string(cls) + "/students/" + std::to_string(ann)).status,
            204);
  now = page_b();
  EXPECT_FALSE(lists(now, "Ann Renamed")) << "unenrol";
  EXPECT_FALSE(shows_photo(now, pa));
  EXPECT_EQ(roster_b().find("Ann Renamed"), std::string::npos) << "roster after unenrol";

  // Deactivation (admin page through A).
  auto r = admin.call("POST", "/admin/users/" + std::to_string(ben) + "/deactivate", "_csrf=" + admin.csrf,
                      "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 303) << r.body;
  now = page_b();
  EXPECT_FALSE(lists(now, "Full ben")) << "deactivate";
  EXPECT_FALSE(shows_photo(now, pb));
  EXPECT_NE(roster_b().find("Full ben</a> <span class=\"muted\">(deactivated)</span>"), std::string::npos)
      << "roster after deactivate";
}

TEST_F(SharedPages, EtagAnswers304UntilTheContentChanges) {
  auto first = via_b();
  ASSERT_EQ(first.status, 200);
  auto etag = first.header("etag").value_or("");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.header("cache-control"), "private, no-cache");

  auto again = via_b({{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);

  // The same ETag from the other instance, which renders the page itself.
  test::Client teacher_a{ra};
  ASSERT_EQ(teacher_a.login("teacher").status, 200);
  // (a new session: its CSRF token is in the page, so its ETag differs from the first session's)
  auto a1 = teacher_a.call("GET", path);
  auto a2 = teacher_a.call("GET", path, "", "application/json", {{"if-none-match", a1.header("etag").value_or("")}});
  EXPECT_EQ(a2.status, 304);
  EXPECT_NE(a1.header("etag"), etag);

  // A consent change through A: B's next answer to the old ETag is the new page.
  auto admin = as("admin");
  ASSERT_EQ(admin.call("PUT", "/api/v1/students/" + std::to_string(ann) + "/consent", R"({"consent":"none"})").status,
            200);
  auto changed = via_b({{"if-none-match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_FALSE(shows_photo(changed.body, pa));
}

// The home page's notices and the navigation's review count are kept per user at the version of
// the personal lists: a notice published through A, read through A, or scheduled and then due,
// and a photo reviewed through A, each show on the next request through B, which holds the older
// page.
class PersonalLists : public SharedPages {
 protected:
  std::string cookie_for(const std::string& who) {
    test::Client c{ra};
    EXPECT_EQ(c.login(who).status, 200);
    return c.cookie;
  }
  std::string home_b(const std::string& cookie) {
    test::Client c{rb};
    c.cookie = cookie;
    auto r = c.call("GET", "/");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  void TearDown() override {
    set_clock_offset_for_tests(0);
    freeze_clock_for_tests(false);
  }
};

TEST_F(PersonalLists, NoticesPublishedReadAndScheduledShowOnTheNextRequestThroughTheOtherInstance) {
  freeze_clock_for_tests(true);
  auto ann_a = as("ann");  // logged in through A; the same session through B
  const auto ann_cookie = ann_a.cookie;
  auto before = home_b(ann_cookie);  // B renders and keeps Ann's home page
  ASSERT_NE(before.find("No notices for you."), std::string::npos) << before;
  EXPECT_EQ(home_b(ann_cookie), before);

  auto teacher = as("teacher");
  const std::string target = R"("targets":[{"class_id":)" + std::to_string(cls) + "}]";
  auto r = teacher.call("POST", "/api/v1/notices", R"({"title":"Trip on Friday","body":"Bring lunch",)" + target + "}");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = nlohmann::json::parse(r.body)["id"].get<std::int64_t>();
  auto now = home_b(ann_cookie);
  EXPECT_NE(now.find("Trip on Friday</a> <small>(new)</small>"), std::string::npos) << "published: " << now;

  // Ann reads it through A: B's home no longer marks it new.
  ASSERT_EQ(ann_a.call("POST", "/api/v1/notices/" + std::to_string(id) + "/read", "{}").status, 204);
  now = home_b(ann_cookie);
  EXPECT_NE(now.find("Trip on Friday</a> <small>"), std::string::npos) << now;
  EXPECT_EQ(now.find("Trip on Friday</a> <small>(new)</small>"), std::string::npos) << "read: " << now;

  // Scheduled twenty minutes from now (sessions idle out after thirty): absent until then, present from its instant on,
  // with no write in between (only the clock moves).
  const std::string at = utc_format(now_unix() + 1200, "%Y-%m-%dT%H:%MZ");
  const std::int64_t due = now_unix() + 1200 - now_unix() % 60;  // minute precision
  r = teacher.call("POST", "/api/v1/notices",
                   R"({"title":"Sports day","body":"Trainers","publish_at":")" + at + "\"," + target + "}");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(home_b(ann_cookie).find("Sports day"), std::string::npos) << "scheduled notice shown early";
  set_clock_offset_for_tests(due - now_unix() - 1);
  EXPECT_EQ(home_b(ann_cookie).find("Sports day"), std::string::npos) << "shown a second before its instant";
  set_clock_offset_for_tests(0);
  set_clock_offset_for_tests(due - now_unix());
  EXPECT_NE(home_b(ann_cookie).find("Sports day"), std::string::npos) << "not shown at its instant";
}

TEST_F(PersonalLists, AReviewThroughOneInstanceUpdatesTheNavigationCountOnTheOther) {
  const auto teacher_cookie = cookie_for("teacher");
  auto count_on_b = [&]() -> std::string {
    auto body = home_b(teacher_cookie);
    auto at = body.find("data-nav-count=\"/moderation\">");
    if (at == std::string::npos) return "";
    at = body.find('>', at) + 1;
    return body.substr(at, body.find('<', at) - at);
  };
  EXPECT_EQ(count_on_b(), "");  // nothing pending: no badge
  std::int64_t photo = 0;
  a->db->tx([&](db::Tx& t) {  // a new upload, processed (the worker's mutators, on A's pool)
    db::photos::clear_current(t, ben, 3000);
    db::PhotoRow p;
    p.student_id = ben;
    p.original_key = "uploads/ben-new";
    p.is_current = true;
    p.created_at = p.updated_at = 3000;
    photo = db::photos::insert(t, p);
    db::photos::mark_ready(t, photo, "jpeg", 10, 3001);
  });
  EXPECT_EQ(count_on_b(), "1") << "a photo ready for review";
  auto teacher = as("teacher");
  ASSERT_EQ(teacher.call("POST", "/api/v1/photos/" + std::to_string(photo) + "/approve", "{}").status, 200);
  EXPECT_EQ(count_on_b(), "") << "approved through A, still counted on B";
}

}  // namespace
