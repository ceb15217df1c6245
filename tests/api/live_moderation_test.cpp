// The live-status and review routes through the whole stack (router, session, CSRF, handlers), on
// SQLite and MariaDB: the photo status as the student reads it at each step, the yearbook version
// moving with approvals and consent, the per-class review queue with the original beside the
// processed photo, bulk approval (all or nothing, with a report), the pending count in the
// navigation, and upload errors that name the limit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "db/school_repo.h"
#include "jobs/pipeline_fixture.h"
#include "services/live.h"
#include "services/photos.h"
#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

std::string multipart(const std::string& field, const std::string& bytes) {
  return "--B0\r\nContent-Disposition: form-data; name=\"" + field +
         "\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--B0--\r\n";
}
std::string flash_of(const http::Response& r) {
  auto loc = r.header("location").value_or("");
  auto at = loc.find("flash=");
  return at == std::string::npos ? "" : http::url_decode(loc.substr(at + 6), true);
}

class LiveRoutes : public test::PipelineFixture {
 protected:
  http::Router router;
  std::int64_t t1 = 0, t2 = 0, s1 = 0, s2 = 0, c1 = 0, c2 = 0;

  void SetUp() override {
    PipelineFixture::SetUp();
    web::build_router(router, *app);
    t1 = test::make_user(*app, "teacher1", "teacher");
    t2 = test::make_user(*app, "teacher2", "teacher");
    s1 = test::make_user(*app, "student1", "student");
    s2 = test::make_user(*app, "student2", "student");
    app->db->tx([&](db::Tx& t) {
      c1 = db::classes::insert(t, "7A", 2025, 1000);
      c2 = db::classes::insert(t, "7B", 2025, 1000);
      db::classes::enrol(t, c1, s1, 1000);
      db::classes::enrol(t, c2, s2, 1000);
      db::classes::assign_teacher(t, c1, t1, "Maths", 1000);
      db::classes::assign_teacher(t, c2, t2, "Art", 1000);
      db::consent::set(t, s1, "yearbook", 0, 1000);
      db::consent::set(t, s2, "yearbook", 0, 1000);
    });
  }
  test::Client as(const std::string& user) {
    test::Client c{router};
    EXPECT_EQ(c.login(user).status, 200);
    return c;
  }
  void process() {
    jobs::Processor p(*app->db, *app->store, fast_options(), "live");
    drain(p);
  }
};

TEST_F(LiveRoutes, PhotoStatusFollowsEveryStepAndMatchesTheStreamState) {
  auto st = as("student1");
  auto r = st.call("GET", "/api/v1/me/photo/status");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(st.json(r)["state"], "none");

  auto id = upload(s1, test::make_png(64, 48), "hi");
  EXPECT_EQ(st.json(st.call("GET", "/api/v1/me/photo/status"))["state"], "processing");
  process();
  auto j = st.json(st.call("GET", "/api/v1/me/photo/status"));
  EXPECT_EQ(j["state"], "pending");
  EXPECT_EQ(j["photo_id"], id);
  EXPECT_EQ(j["thumb"], "/api/v1/photos/" + std::to_string(id) + "/thumb");
  // The stream sends exactly this document (the same function), as its "photo" event.
  services::Actor a{s1, "student1", Role::student, "", ""};
  EXPECT_EQ(services::photo_status(*app, a), j);

  auto t = as("teacher1");
  ASSERT_EQ(t.call("POST", "/moderation/" + std::to_string(id) + "/reject", "reason=Please+face+the+camera.",
                   "application/x-www-form-urlencoded")
                .status,
            303);
  j = st.json(st.call("GET", "/api/v1/me/photo/status"));
  EXPECT_EQ(j["state"], "rejected");
  EXPECT_EQ(j["reason"], "Please face the camera.");
  EXPECT_NE(j["message"].get<std::string>().find("Please face the camera."), std::string::npos);
  services::moderate_photo(*app, actor(t1, sy::Role::teacher), id, true, "");
  EXPECT_EQ(st.json(st.call("GET", "/api/v1/me/photo/status"))["state"], "published");

  // A photo the decoder refuses: the reason names what is wrong with it.
  std::string broken = test::make_png(64, 48);
  broken.resize(broken.size() / 2);
  upload(s1, broken);
  process();
  j = st.json(st.call("GET", "/api/v1/me/photo/status"));
  EXPECT_EQ(j["state"], "failed");
  EXPECT_NE(j["message"].get<std::string>().find("damaged"), std::string::npos) << j;
}

TEST_F(LiveRoutes, YearbookVersionMovesWithApprovalAndConsent) {
  auto g = as("student1");
  auto v = [&] {
    auto r = g.call("GET", "/api/v1/yearbook/" + std::to_string(c1) + "/state");
    EXPECT_EQ(r.status, 200) << r.body;
    return g.json(r)["version"].get<std::int64_t>();
  };
  auto v0 = v();
  EXPECT_EQ(v0, v());  // stable while nothing changes
  auto id = upload(s1, test::make_png(64, 48), "hello");
  process();
  auto v1 = v();
  services::moderate_photo(*app, actor(t1, sy::Role::teacher), id, true, "");
  auto v2 = v();
  EXPECT_GT(v2, v1);
  app->db->tx([&](db::Tx& t) { db::consent::set(t, s1, "none", 0, 2000); });
  EXPECT_GT(v(), v2);
  EXPECT_EQ(v(), v());
  // The page carries the version the script compares with.
  auto page = g.call("GET", "/yearbook/" + std::to_string(c1));
  EXPECT_NE(page.body.find("data-version=\"" + std::to_string(v()) + "\""), std::string::npos);
  // Another class: 403, for the stream as for the polling twin.
  EXPECT_EQ(g.call("GET", "/api/v1/yearbook/" + std::to_string(c2) + "/state").status, 403);
  EXPECT_EQ(g.call("GET", "/api/v1/events/yearbook/" + std::to_string(c2)).status, 403);
  auto stream = g.call("GET", "/api/v1/events/yearbook/" + std::to_string(c1));
  EXPECT_EQ(stream.status, 200);
  EXPECT_TRUE(stream.stream != nullptr);
  EXPECT_EQ(stream.header("content-type").value_or("").rfind("text/event-stream", 0), 0u);
}

TEST_F(LiveRoutes, ClassQueueShowsOriginalBesideProcessedAndCountsInNavigation) {
  auto p1 = upload(s1, test::make_png(64, 48, 1));
  auto p2 = upload(s2, test::make_png(64, 48, 2));
  process();
  auto t = as("teacher1");
  auto r = t.call("GET", "/moderation/classes/" + std::to_string(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string id1 = std::to_string(p1), id2 = std::to_string(p2);
  EXPECT_NE(r.body.find("/api/v1/photos/" + id1 + "/original"), std::string::npos);
  EXPECT_NE(r.body.find("/api/v1/photos/" + id1 + "/jpeg"), std::string::npos);
  EXPECT_EQ(r.body.find("/api/v1/photos/" + id2 + "/"), std::string::npos);  // another class's photo
  EXPECT_NE(r.body.find("data-nav-count=\"/moderation\">1<"), std::string::npos) << "pending count in the nav";
  // The original goes only to those who moderate the student.
  EXPECT_EQ(t.call("GET", "/api/v1/photos/" + id1 + "/original").status, 200);
  EXPECT_EQ(t.call("GET", "/api/v1/photos/" + id2 + "/original").status, 403);
  EXPECT_EQ(as("student1").call("GET", "/api/v1/photos/" + id1 + "/original").status, 403);
  EXPECT_EQ(t.call("GET", "/moderation/classes/" + std::to_string(c2)).status, 403);
  test::make_user(*app, "boss", "admin");
  auto boss = as("boss");
  EXPECT_EQ(boss.call("GET", "/moderation/classes/999999").status, 404);
  // Once reviewed, the count is gone.
  services::moderate_photo(*app, actor(t1, sy::Role::teacher), p1, true, "");
  r = t.call("GET", "/moderation");
  EXPECT_EQ(r.body.find("data-nav-count=\"/moderation\""), std::string::npos);
  // The same page in the same session: the cached layout shell must not bring back the old count.
  r = t.call("GET", "/moderation/classes/" + std::to_string(c1));
  EXPECT_EQ(r.body.find("data-nav-count=\"/moderation\""), std::string::npos) << "stale count from the shell cache";
}

TEST_F(LiveRoutes, BulkApprovalIsAllOrNothingWithAReport) {
  auto s3 = test::make_user(*app, "student3", "student");
  app->db->tx([&](db::Tx& t) { db::classes::enrol(t, c1, s3, 1000); });
  auto good = upload(s1, test::make_png(64, 48, 1));
  std::string broken = test::make_png(64, 48, 3);
  broken.resize(broken.size() / 2);
  auto bad = upload(s3, broken);
  auto other = upload(s2, test::make_png(64, 48, 2));
  process();
  auto t = as("teacher1");
  auto form = [&](std::vector<std::int64_t> ids) {
    std::string b = "back=%2Fmoderation%2Fclasses%2F" + std::to_string(c1);
    for (auto i : ids) b += "&photo=" + std::to_string(i);
    return b;
  };
  auto moderation = [&](std::int64_t id) { return photo(id).moderation; };
  const char* F = "application/x-www-form-urlencoded";

  auto r = t.call("POST", "/moderation/approve", form({good, bad}), F);
  ASSERT_EQ(r.status, 303);
  auto flash = flash_of(r);
  EXPECT_NE(flash.find("Nothing was approved"), std::string::npos) << flash;
  EXPECT_NE(flash.find("photo " + std::to_string(bad) + ": it failed processing"), std::string::npos) << flash;
  EXPECT_EQ(moderation(good), Moderation::pending);

  // Someone else's student: 403 and nothing changes (no IDOR through the list).
  r = t.call("POST", "/moderation/approve", form({good, other}), F);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(moderation(good), Moderation::pending);
  EXPECT_EQ(moderation(other), Moderation::pending);

  // No CSRF token: refused before anything is read.
  t.send_csrf = false;
  EXPECT_EQ(t.call("POST", "/moderation/approve", form({good}), F).status, 403);
  t.send_csrf = true;
  EXPECT_EQ(moderation(good), Moderation::pending);

  EXPECT_EQ(t.call("POST", "/moderation/approve", "photo=abc", F).status, 422);
  EXPECT_NE(flash_of(t.call("POST", "/moderation/approve", "back=%2Fmoderation", F)).find("at least one"),
            std::string::npos);

  r = t.call("POST", "/moderation/approve", form({good}), F);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(flash_of(r), "Approved 1 photo.");
  EXPECT_EQ(r.header("location").value_or("").rfind("/moderation/classes/" + std::to_string(c1) + "?", 0), 0u);
  EXPECT_EQ(moderation(good), Moderation::approved);
  // Only our own queue pages are followed back.
  r = t.call("POST", "/moderation/approve", "back=https%3A%2F%2Fevil.example&photo=" + std::to_string(good), F);
  EXPECT_EQ(r.header("location").value_or("").rfind("/moderation?", 0), 0u);
}

TEST_F(LiveRoutes, UploadErrorsNameTheLimit) {
  auto st = as("student1");
  auto post = [&](const std::string& bytes) {
    return flash_of(st.call("POST", "/me/photo", multipart("photo", bytes), "multipart/form-data; boundary=B0"));
  };
  EXPECT_NE(post("this is not an image at all").find("not a photo"), std::string::npos);
  EXPECT_NE(
      post(test::png_header(20000, 20000) + std::string(64, '\0')).find("too many pixels: the limit is 40 megapixels"),
      std::string::npos);
  EXPECT_NE(post(std::string(9 * 1024 * 1024, 'x')).find("too large: the limit is 8 MB"), std::string::npos);
  // The page hands the script the same words for the API's codes.
  auto page = st.call("GET", "/me/photo");
  EXPECT_NE(page.body.find("too large: the limit is 8 MB"), std::string::npos);
  EXPECT_NE(page.body.find("/static/live.js"), std::string::npos);
}

// The hub behind the streams: one state per watched student or class, pushed to every watcher when
// it changes (not before), and a watcher that has gone is dropped.
TEST_F(LiveRoutes, HubPushesChangesToEveryWatcherAndDropsDeparted) {
  struct Inbox {
    std::mutex mu;
    std::vector<std::pair<std::string, J>> got;
    std::atomic<bool> alive{true};
    std::vector<std::pair<std::string, J>> seen() {
      std::lock_guard l(mu);
      return got;
    }
  };
  auto watch = [](Inbox& in) {
    return std::pair{services::LiveHub::Send([&in](const std::string& e, const std::string& d) {
                       std::lock_guard l(in.mu);
                       in.got.emplace_back(e, J::parse(d));
                       return in.alive.load();
                     }),
                     services::LiveHub::Alive([&in] { return in.alive.load(); })};
  };
  auto wait_until = [](const std::function<bool()>& f) {
    for (int i = 0; i < 500 && !f(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return f();
  };
  Inbox mine, book1, book2;
  services::LiveHub hub(*app, std::chrono::milliseconds(20));  // after the inboxes: stops before they go
  auto [s1send, s1alive] = watch(mine);
  hub.watch_photo(actor(s1, sy::Role::student), s1send, s1alive);
  auto [b1send, b1alive] = watch(book1);
  hub.watch_yearbook(actor(t1, sy::Role::teacher), c1, b1send, b1alive);
  auto [b2send, b2alive] = watch(book2);
  hub.watch_yearbook(actor(s1, sy::Role::student), c1, b2send, b2alive);
  ASSERT_TRUE(wait_until([&] { return !mine.seen().empty() && !book1.seen().empty() && !book2.seen().empty(); }));
  EXPECT_EQ(mine.seen()[0].first, "photo");
  EXPECT_EQ(mine.seen()[0].second["state"], "none");
  EXPECT_EQ(book1.seen()[0].first, "yearbook");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(mine.seen().size(), 1u) << "an unchanged state is not sent again";

  auto id = upload(s1, test::make_png(64, 48));
  ASSERT_TRUE(wait_until([&] { return mine.seen().back().second["state"] == "processing"; }));
  process();
  ASSERT_TRUE(wait_until([&] { return mine.seen().back().second["state"] == "pending"; }));
  auto before = book1.seen().back().second["version"].get<std::int64_t>();
  book2.alive = false;  // this tab was closed
  services::moderate_photo(*app, actor(t1, sy::Role::teacher), id, true, "");
  ASSERT_TRUE(wait_until([&] { return mine.seen().back().second["state"] == "published"; }));
  ASSERT_TRUE(wait_until([&] { return book1.seen().back().second["version"].get<std::int64_t>() > before; }));
  EXPECT_EQ(hub.watchers(), 2u);
  auto b2 = book2.seen().size();
  app->db->tx([&](db::Tx& t) { db::consent::set(t, s1, "none", 0, 3000); });
  ASSERT_TRUE(wait_until([&] { return book1.seen().back().second["version"].get<std::int64_t>() > before + 1; }));
  EXPECT_EQ(book2.seen().size(), b2);

  // No stream for what one may not see.
  EXPECT_THROW(hub.watch_yearbook(actor(s2, sy::Role::student), c1, b1send, b1alive), AppError);
  EXPECT_THROW(hub.watch_photo(actor(t1, sy::Role::teacher), s1send, s1alive), AppError);
}

}  // namespace
