// The photo endpoints through the Router (no socket): upload → ready, status, variants with
// their headers, moderation, the admin job queue, and the IDOR cases of every read.
#include "api/photos_api.h"

#include <gtest/gtest.h>

#include "db/school_repo.h"
#include "jobs/admin.h"
#include "jobs/pipeline_fixture.h"
#include "jobs/worker_pool.h"

using namespace sy;
using J = nlohmann::json;

namespace {

std::string multipart(const std::string& boundary,
                      const std::vector<std::tuple<std::string, std::string, std::string>>& parts) {
  std::string b;
  for (const auto& [name, filename, data] : parts) {
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (!filename.empty()) b += "; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream";
    b += "\r\n\r\n" + data + "\r\n";
  }
  return b + "--" + boundary + "--\r\n";
}

class PhotosApi : public test::PipelineFixture {
 protected:
  http::Router router;
  std::int64_t admin = 0, t1 = 0, t2 = 0, s1 = 0, s2 = 0, s3 = 0, g1 = 0, g2 = 0, c1 = 0, c2 = 0;

  void SetUp() override {
    PipelineFixture::SetUp();
    api::mount_photos_api(router, *app);
    auto scene = test::seed_school(*app->db);
    admin = scene.admin, t1 = scene.t1, t2 = scene.t2, s1 = scene.s1, s2 = scene.s2, s3 = scene.s3;
    g1 = scene.g1, g2 = scene.g2, c1 = scene.c1, c2 = scene.c2;
    app->db->tx([&](db::Tx& t) { db::classes::enrol(t, c1, s3, 1000); });  // s3 is s1's classmate
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& type = "application/json") {
    return test::call_as(router, *app->db, who, method, path, body, type);
  }

  http::Response upload_as(std::int64_t who, const std::string& bytes, const std::string& quote = "") {
    std::vector<std::tuple<std::string, std::string, std::string>> parts{{"photo", "../../etc/passwd.png", bytes}};
    if (!quote.empty()) parts.push_back({"quote", "", quote});
    return call(who, "POST", "/api/v1/me/photo", multipart("XyZ123", parts), "multipart/form-data; boundary=XyZ123");
  }

  std::int64_t ready_photo(std::int64_t student, unsigned seed = 1) {
    auto r = upload_as(student, test::make_png(400, 300, seed), "Hi");
    EXPECT_EQ(r.status, 202) << r.body;
    jobs::Processor p(*app->db, *app->store, fast_options(), "api-test");
    EXPECT_EQ(drain(p), 1);
    return J::parse(r.body)["photo_id"].get<std::int64_t>();
  }

  static J body(const http::Response& r) { return J::parse(r.body); }
  static std::string code(const http::Response& r) { return body(r)["error"]["code"].get<std::string>(); }
  static std::string url(std::int64_t id, const std::string& variant) {
    return "/api/v1/photos/" + std::to_string(id) + "/" + variant;
  }
};

}  // namespace

TEST_F(PhotosApi, UploadBecomesReady) {
  auto r = upload_as(s1, test::make_png(800, 600), "Class clown");
  ASSERT_EQ(r.status, 202) << r.body;
  auto b = body(r);
  EXPECT_EQ(b["status"], "processing");
  auto id = b["photo_id"].get<std::int64_t>();
  EXPECT_GT(id, 0);

  auto mine = body(call(s1, "GET", "/api/v1/me/photo"));
  EXPECT_EQ(mine["photo_id"], id);
  EXPECT_EQ(mine["status"], "processing");
  EXPECT_EQ(mine["moderation"], "pending");
  EXPECT_TRUE(mine["urls"].is_null());
  EXPECT_TRUE(mine["error"].is_null());

  auto pool = services::make_workers(*app, 1);
  pool->start();
  ASSERT_TRUE(wait_for([&] { return body(call(s1, "GET", "/api/v1/me/photo"))["status"] == "ready"; }));
  pool->stop();
  mine = body(call(s1, "GET", "/api/v1/me/photo"));
  EXPECT_EQ(mine["quote"], "Class clown");
  EXPECT_EQ(mine["urls"]["jpeg"], url(id, "jpeg"));
  EXPECT_EQ(mine["urls"]["webp"], url(id, "webp"));
  EXPECT_EQ(mine["urls"]["thumb"], url(id, "thumb"));
  EXPECT_EQ(app->store->list("compressed/" + std::to_string(id) + "/").size(), 3u);

  auto jpeg = call(s1, "GET", url(id, "jpeg"));
  ASSERT_EQ(jpeg.status, 200) << jpeg.body;
  EXPECT_EQ(jpeg.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(jpeg.body.substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_EQ(jpeg.header("Content-Disposition"), "inline; filename=\"photo-" + std::to_string(id) + "-jpeg.jpg\"");
  EXPECT_EQ(jpeg.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(jpeg.header("Cache-Control"), "private, no-store");
  auto webp = call(s1, "GET", url(id, "webp"));
  ASSERT_EQ(webp.status, 200);
  EXPECT_EQ(webp.header("Content-Type"), "image/webp");
  EXPECT_EQ(webp.body.substr(8, 4), "WEBP");
  EXPECT_EQ(call(s1, "GET", url(id, "thumb")).header("Content-Type"), "image/jpeg");
}

TEST_F(PhotosApi, UploadErrors) {
  EXPECT_EQ(call(0, "POST", "/api/v1/me/photo", multipart("b", {{"photo", "x.png", test::make_png(8, 8)}}),
                 "multipart/form-data; boundary=b")
                .status,
            401);
  auto text = upload_as(s1, "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>");
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(code(text), "unsupported_type");
  auto bomb = upload_as(s1, test::png_header(50000, 50000) + "tail");
  EXPECT_EQ(bomb.status, 422);
  EXPECT_EQ(code(bomb), "invalid_image");
  auto big = upload_as(s1, test::make_png(8, 8) + std::string(app->config.max_upload_bytes, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(code(big), "too_large");
  auto missing =
      call(s1, "POST", "/api/v1/me/photo", multipart("b", {{"other", "", "x"}}), "multipart/form-data; boundary=b");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(call(s1, "POST", "/api/v1/me/photo", "{}", "application/json").status, 415);
  EXPECT_EQ(upload_as(t1, test::make_png(8, 8)).status, 403) << "only students upload their own photo";
  EXPECT_EQ(upload_as(s1, test::make_png(8, 8), std::string(300, 'q')).status, 422);
  EXPECT_EQ(call(s1, "GET", "/api/v1/me/photo").status, 404) << "nothing was accepted";
  EXPECT_TRUE(app->store->list("uploads/").empty());
}

TEST_F(PhotosApi, InvalidImageIsReportedAsFailed) {
  auto r = upload_as(s1, test::corrupt_png(300, 300));
  ASSERT_EQ(r.status, 202);
  jobs::Processor p(*app->db, *app->store, fast_options(), "api-test");
  ASSERT_EQ(drain(p), 1);
  auto mine = body(call(s1, "GET", "/api/v1/me/photo"));
  EXPECT_EQ(mine["status"], "failed");
  EXPECT_EQ(mine["error"]["code"], "invalid_image");
  EXPECT_TRUE(mine["urls"].is_null());
}

TEST_F(PhotosApi, EveryReadChecksWhoIsAsking) {
  auto id = ready_photo(s1);
  struct Case {
    std::int64_t who;
    const char* variant;
    int status;
  };
  std::vector<Case> cases = {
      {s1, "jpeg", 200},    {s1, "thumb", 200},       {s1, "original", 403},  // the student: not the original
      {t1, "jpeg", 200},    {t1, "original", 200},                            // teacher of the class
      {t2, "jpeg", 403},    {t2, "original", 403},                            // another class's teacher
      {g1, "webp", 200},    {g1, "original", 403},                            // the student's guardian
      {g2, "jpeg", 403},                                                      // someone else's guardian
      {s2, "jpeg", 403},    {s2, "thumb", 403},                               // a student of another class
      {s3, "jpeg", 403},  // a classmate: not approved and consented yet
      {admin, "jpeg", 200}, {admin, "original", 200}, {0, "jpeg", 401},
  };
  for (const auto& c : cases) {
    auto r = call(c.who, "GET", url(id, c.variant));
    EXPECT_EQ(r.status, c.status) << "user " << c.who << " variant " << c.variant << ": " << r.body.substr(0, 200);
    if (r.status == 403) EXPECT_EQ(code(r), "forbidden");
  }
  auto original = call(t1, "GET", url(id, "original"));
  EXPECT_EQ(original.header("Content-Type"), "image/png");
  EXPECT_EQ(original.header("Content-Disposition"),
            "inline; filename=\"photo-" + std::to_string(id) + "-original.png\"");
  EXPECT_EQ(original.body, test::make_png(400, 300, 1));
  EXPECT_EQ(call(s1, "GET", url(id, "gif")).status, 404);
  EXPECT_EQ(call(s1, "GET", url(id + 1000, "jpeg")).status, 404);
  EXPECT_EQ(call(s1, "GET", "/api/v1/photos/abc/jpeg").status, 404);
  EXPECT_EQ(call(t1, "GET", "/api/v1/photos/" + std::to_string(id)).status, 200);
  EXPECT_EQ(call(t2, "GET", "/api/v1/photos/" + std::to_string(id)).status, 403);

  // Approved and consented: classmates see it (as in the yearbook), still not the original.
  ASSERT_EQ(call(t1, "POST", "/api/v1/photos/" + std::to_string(id) + "/approve", "{}").status, 200);
  EXPECT_EQ(call(s3, "GET", url(id, "thumb")).status, 403) << "no consent yet";
  app->db->tx([&](db::Tx& t) { db::consent::set(t, s1, "yearbook", g1, 1000); });
  EXPECT_EQ(call(s3, "GET", url(id, "thumb")).status, 200);
  EXPECT_EQ(call(s3, "GET", url(id, "original")).status, 403);
  EXPECT_EQ(call(s2, "GET", url(id, "thumb")).status, 403) << "not in that class";
  app->db->tx([&](db::Tx& t) { db::consent::set(t, s1, "none", g1, 1001); });
  EXPECT_EQ(call(s3, "GET", url(id, "thumb")).status, 403) << "consent withdrawn takes effect at once";
}

TEST_F(PhotosApi, Moderation) {
  auto id = ready_photo(s1);
  std::string base = "/api/v1/photos/" + std::to_string(id);
  EXPECT_EQ(call(s1, "POST", base + "/approve", "{}").status, 403) << "students do not approve themselves";
  EXPECT_EQ(call(t2, "POST", base + "/approve", "{}").status, 403);
  EXPECT_EQ(call(g1, "POST", base + "/approve", "{}").status, 403);
  auto ok = call(t1, "POST", base + "/approve", "{}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body(ok)["moderation"], "approved");
  auto noreason = call(t1, "POST", base + "/reject", "{}");
  EXPECT_EQ(noreason.status, 422);
  auto rej = call(admin, "POST", base + "/reject", J{{"reason", "Please use a photo without sunglasses"}}.dump());
  ASSERT_EQ(rej.status, 200) << rej.body;
  EXPECT_EQ(body(rej)["moderation"], "rejected");
  EXPECT_EQ(body(call(s1, "GET", "/api/v1/me/photo"))["moderation_reason"], "Please use a photo without sunglasses");
  EXPECT_EQ(call(t1, "POST", "/api/v1/photos/999999/approve", "{}").status, 404);
  EXPECT_EQ(call(t1, "POST", base + "/reject", J{{"reason", 5}}.dump()).status, 422);
  app->db->read([&](db::Tx& t) {
    auto log = db::audit::list(t, "photo.", "", 10, 0);
    ASSERT_GE(log.size(), 3u);
    EXPECT_EQ(log[0].action, "photo.reject");
    EXPECT_EQ(log[1].action, "photo.approve");
  });
}

TEST_F(PhotosApi, AdminSeesAndRetriesDeadLetters) {
  auto flaky = std::make_unique<test::FlakyStore>(std::move(app->store));
  auto* store = flaky.get();
  app->store = std::move(flaky);
  auto r = upload_as(s1, test::make_png(300, 200));
  ASSERT_EQ(r.status, 202);
  auto id = body(r)["photo_id"].get<std::int64_t>();
  store->down = true;
  jobs::Processor p(*app->db, *app->store, fast_options(2), "api-test");
  ASSERT_TRUE(wait_for(
      [&] {
        drain(p);
        return job_of(id).status == JobStatus::dead;
      },
      10000));
  EXPECT_EQ(body(call(s1, "GET", "/api/v1/me/photo"))["error"]["code"], "processing_failed");

  EXPECT_EQ(call(t1, "GET", "/api/v1/admin/jobs?status=dead").status, 403);
  EXPECT_EQ(call(s1, "GET", "/api/v1/admin/jobs?status=dead").status, 403);
  auto list = call(admin, "GET", "/api/v1/admin/jobs?status=dead");
  ASSERT_EQ(list.status, 200) << list.body;
  auto jobs = body(list)["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["photo_id"], id);
  EXPECT_EQ(jobs[0]["status"], "dead");
  EXPECT_NE(jobs[0]["last_error"].get<std::string>().find("connection refused"), std::string::npos);
  EXPECT_EQ(jobs[0]["event"]["s3"]["object"]["key"], job_of(id).object_key);
  EXPECT_EQ(call(admin, "GET", "/api/v1/admin/jobs?status=bogus").status, 400);

  store->down = false;
  auto jid = jobs[0]["id"].get<std::int64_t>();
  EXPECT_EQ(call(t1, "POST", "/api/v1/admin/jobs/" + std::to_string(jid) + "/retry", "{}").status, 403);
  auto retried = call(admin, "POST", "/api/v1/admin/jobs/" + std::to_string(jid) + "/retry", "{}");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(body(retried)["job"]["status"], "queued");
  EXPECT_EQ(call(admin, "POST", "/api/v1/admin/jobs/" + std::to_string(jid) + "/retry", "{}").status, 409);
  EXPECT_EQ(call(admin, "POST", "/api/v1/admin/jobs/424242/retry", "{}").status, 404);
  ASSERT_EQ(drain(p), 1);
  EXPECT_EQ(body(call(s1, "GET", "/api/v1/me/photo"))["status"], "ready");
  EXPECT_TRUE(body(call(admin, "GET", "/api/v1/admin/jobs?status=dead"))["jobs"].empty());
}

TEST_F(PhotosApi, UploadBecomesReadyOnS3) {
  SY_REQUIRE_ENV(s3, "SY_TEST_S3_URL");
  open_app(s3);  // a new database and the S3 store: mount the routes on the new App
  spread_photo_ids();
  router = http::Router();
  api::mount_photos_api(router, *app);
  auto s = add_user("s3student", Role::student);
  auto r = upload_as(s, test::make_png(800, 600, 5), "On S3");
  ASSERT_EQ(r.status, 202) << r.body;
  auto id = body(r)["photo_id"].get<std::int64_t>();
  auto pool = services::make_workers(*app, 2);
  pool->start();
  ASSERT_TRUE(wait_for([&] { return body(call(s, "GET", "/api/v1/me/photo"))["status"] != "processing"; }));
  pool->stop();
  EXPECT_EQ(body(call(s, "GET", "/api/v1/me/photo"))["status"], "ready");
  EXPECT_EQ(app->store->list("compressed/" + std::to_string(id) + "/").size(), 3u);
  auto thumb = call(s, "GET", url(id, "thumb"));
  ASSERT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.body, *app->store->get("compressed/" + std::to_string(id) + "/thumb.jpg"));
}
