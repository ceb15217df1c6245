// Upload → queue → compression → ready, through the same Processor the workers, `schoolyard
// worker` and `schoolyard lambda` use. Runs on SQLite and MariaDB (SY_TEST_DB); one test on S3.
#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "core/metrics.h"
#include "core/random.h"
#include "http/types.h"
#include "jobs/admin.h"
#include "jobs/pipeline_fixture.h"
#include "jobs/worker_pool.h"

using namespace sy;
using sy::test::PipelineFixture;

namespace {

int error_status(const std::function<void()>& f) {
  try {
    f();
  } catch (const AppError& e) {
    return sy::http::status_of(e.kind);
  }
  return 0;
}

std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const AppError& e) {
    return e.code;
  }
  return "";
}

}  // namespace

class Pipeline : public PipelineFixture {
 protected:
  void expect_ready_with_derivatives(std::int64_t photo_id, storage::ObjectStore& store) {
    auto p = photo(photo_id);
    EXPECT_EQ(p.status, PhotoStatus::ready);
    EXPECT_EQ(p.error_code, "");
    EXPECT_EQ(p.source_type, "png");
    EXPECT_TRUE(p.ready_at.has_value());
    auto vs = variants(photo_id);
    ASSERT_EQ(vs.size(), 3u);
    std::set<std::string> names;
    for (const auto& v : vs) {
      names.insert(v.variant);
      EXPECT_EQ(v.object_key.rfind("compressed/" + std::to_string(photo_id) + "/" + v.variant + ".", 0), 0u)
          << v.object_key;
      auto bytes = store.get(v.object_key);
      ASSERT_TRUE(bytes) << v.object_key << " missing from the store";
      EXPECT_EQ(sha256_hex(*bytes), v.sha256);
      EXPECT_EQ(static_cast<std::int64_t>(bytes->size()), v.size);
      EXPECT_GT(v.width, 0);
      EXPECT_LE(std::max(v.width, v.height), v.variant == "thumb" ? 160 : 640);
    }
    EXPECT_EQ(names, (std::set<std::string>{"jpeg", "thumb", "webp"}));
    EXPECT_EQ(store.list("compressed/" + std::to_string(photo_id) + "/").size(), 3u);
    EXPECT_GT(p.bytes_out, 0);
    EXPECT_LT(p.bytes_out, p.original_size);
  }
};

TEST_F(Pipeline, UploadWritesOriginalPhotoRowAndOutboxJobTogether) {
  auto s = add_user("stu", Role::student);
  auto png = test::make_png(300, 200);
  auto id = upload(s, png, "  Hello world  ");
  auto p = photo(id);
  EXPECT_EQ(p.status, PhotoStatus::processing);
  EXPECT_EQ(p.moderation, Moderation::pending);
  EXPECT_EQ(p.quote, "Hello world");
  EXPECT_TRUE(p.is_current);
  EXPECT_EQ(p.original_sha256, sha256_hex(png));
  // uploads/<generated id>: never anything the user chose.
  EXPECT_EQ(p.original_key.rfind("uploads/", 0), 0u);
  EXPECT_EQ(p.original_key.size(), std::string("uploads/").size() + 32);
  auto stored = app->store->get(p.original_key);
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, png);
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::queued);
  EXPECT_EQ(j.event_name, "ObjectCreated:Put");
  EXPECT_EQ(j.bucket, app->store->bucket());
  EXPECT_EQ(j.object_key, p.original_key);
  EXPECT_EQ(j.size, static_cast<std::int64_t>(png.size()));
  EXPECT_FALSE(j.sequencer.empty());
}

TEST_F(Pipeline, FailedTransactionRemovesTheOriginal) {
  // A student id with no users row: the photo insert violates its foreign key.
  EXPECT_EQ(error_status([&] { upload(987654, test::make_png(50, 50)); }), 409);
  EXPECT_TRUE(app->store->list("uploads/").empty()) << "an original without its photo row was left behind";
  app->db->read([&](db::Tx& t) { EXPECT_TRUE(db::jobs::list(t, std::nullopt, 10, 0).empty()); });
}

TEST_F(Pipeline, UploadValidation) {
  auto s = add_user("val", Role::student);
  auto t = add_user("teach", Role::teacher);
  EXPECT_EQ(error_code([&] { upload(s, "just some text, not an image"); }), "unsupported_type");
  EXPECT_EQ(error_status([&] { upload(s, "just some text, not an image"); }), 415);
  EXPECT_EQ(error_status([&] { upload(s, ""); }), 422);
  std::string big = test::make_png(50, 50) + std::string(app->config.max_upload_bytes, 'x');
  EXPECT_EQ(error_status([&] { upload(s, big); }), 413);
  // The header announces more pixels than allowed: refused before anything is stored.
  EXPECT_EQ(error_code([&] { upload(s, test::png_header(30000, 30000) + "rest"); }), "invalid_image");
  EXPECT_EQ(error_status([&] { upload(s, test::make_png(20, 20), std::string(281, 'q')); }), 422);
  EXPECT_EQ(error_status([&] { upload(s, test::make_png(20, 20), "line\nbreak"); }), 422);
  EXPECT_EQ(error_status([&] { upload(s, test::make_png(20, 20), std::string("\xff\xfe", 2)); }), 422);
  EXPECT_EQ(error_status([&] { services::upload_photo(*app, actor(t, Role::teacher), test::make_png(20, 20), ""); }),
            403);
  EXPECT_TRUE(app->store->list("uploads/").empty());
}

TEST_F(Pipeline, UploadsPerHourAreLimited) {
  auto s = add_user("busy", Role::student);
  auto png = test::make_png(16, 16);
  for (int i = 0; i < services::kMaxUploadsPerHour; ++i) upload(s, png);
  EXPECT_EQ(error_status([&] { upload(s, png); }), 429);
}

TEST_F(Pipeline, WorkerPoolMakesThePhotoReady) {
  auto s = add_user("ready", Role::student);
  auto before = metrics::registry().expose();
  auto id = upload(s, test::make_png(800, 600));
  auto pool = services::make_workers(*app, 2);
  pool->start();
  ASSERT_TRUE(wait_for([&] { return photo(id).status != PhotoStatus::processing; })) << "still processing";
  pool->stop();
  expect_ready_with_derivatives(id, *app->store);
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::done);
  EXPECT_EQ(j.result, "ready");
  EXPECT_EQ(j.attempts, 1);
  auto text = metrics::registry().expose();
  EXPECT_NE(text.find("schoolyard_job_queue_depth{status=\"queued\"}"), std::string::npos);
  EXPECT_NE(text.find("schoolyard_photo_latency_seconds_count"), std::string::npos);
  EXPECT_NE(text.find("schoolyard_photo_bytes_saved_total"), std::string::npos);
  EXPECT_NE(text.find("schoolyard_jobs_processed_total{result=\"ready\"}"), std::string::npos);
}

TEST_F(Pipeline, WorkersProcessInParallel) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(upload(add_user("par" + std::to_string(i), Role::student), test::make_png(1200, 900, i + 1)));
  auto pool = services::make_workers(*app, 2);
  pool->start();
  ASSERT_TRUE(wait_for(
      [&] {
        for (auto id : ids)
          if (photo(id).status != PhotoStatus::ready) return false;
        return true;
      },
      60000));
  pool->stop();
  EXPECT_EQ(pool->jobs_run(), 4);
  // Two workers: some pair of jobs ran at the same time.
  std::vector<db::JobRow> js;
  for (auto id : ids) js.push_back(job_of(id));
  bool overlap = false;
  std::set<std::string> owners;
  for (std::size_t a = 0; a < js.size(); ++a)
    for (std::size_t b = a + 1; b < js.size(); ++b)
      if (*js[a].started_at_ms < *js[b].finished_at_ms && *js[b].started_at_ms < *js[a].finished_at_ms) overlap = true;
  EXPECT_TRUE(overlap) << "no two jobs overlapped in time";
}

TEST_F(Pipeline, StopFinishesTheJobInHand) {
  auto id = upload(add_user("stopper", Role::student), test::make_png(1600, 1200));
  auto pool = services::make_workers(*app, 1);
  pool->start();
  ASSERT_TRUE(wait_for([&] { return job_of(id).status != JobStatus::queued; }, 10000));
  pool->stop();
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::done) << "stop() must finish (or hand back) the job, not leave it leased";
  EXPECT_EQ(photo(id).status, PhotoStatus::ready);
}

TEST_F(Pipeline, LeaseTakenOverRecordsExactlyOnce) {
  auto id = upload(add_user("lease", Role::student), test::make_png(640, 480));
  auto o = fast_options();
  o.lease_ms = 150;
  jobs::Processor a(*app->db, *app->store, o, "worker-a");
  jobs::Processor b(*app->db, *app->store, o, "worker-b");
  auto ja = a.claim_next();
  ASSERT_TRUE(ja);
  // worker-a stalls past its lease (no heartbeat); worker-b takes the job over.
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  auto jb = b.claim_next();
  ASSERT_TRUE(jb);
  EXPECT_EQ(jb->id, ja->id);
  EXPECT_EQ(b.run(*jb), jobs::Outcome::ready);
  auto first = variants(id);
  // worker-a wakes up and finishes: same objects, nothing recorded.
  EXPECT_EQ(a.run(*ja), jobs::Outcome::lost_lease);
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::done);
  EXPECT_EQ(j.attempts, 2);
  expect_ready_with_derivatives(id, *app->store);
  auto second = variants(id);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].sha256, second[i].sha256);
}

TEST_F(Pipeline, CompressionIsByteDeterministic) {
  auto png = test::make_png(500, 400, 9);
  auto o = fast_options();
  auto r1 = imaging::compress(png, o.imaging);
  auto r2 = imaging::compress(png, o.imaging);
  ASSERT_TRUE(r1.ok && r2.ok);
  ASSERT_EQ(r1.derivatives.size(), r2.derivatives.size());
  for (std::size_t i = 0; i < r1.derivatives.size(); ++i)
    EXPECT_EQ(sha256_hex(r1.derivatives[i].bytes), sha256_hex(r2.derivatives[i].bytes)) << r1.derivatives[i].name;
}

TEST_F(Pipeline, DuplicateAndOutOfOrderEventsGiveOneResult) {
  auto id = upload(add_user("events", Role::student), test::make_png(400, 300));
  jobs::Processor p(*app->db, *app->store, fast_options(), "lambda-test");
  auto j = job_of(id);
  jobs::ObjectEvent e;
  e.bucket = j.bucket;
  e.key = j.object_key;
  e.size = j.size;
  e.etag = j.etag;
  e.sequencer = j.sequencer;
  auto deadline = jobs::now_ms() + 10000;
  EXPECT_EQ(p.handle_event(e, deadline), "ready");
  auto first = variants(id);
  // The same event again (at-least-once delivery), and the outbox copy: nothing more happens.
  EXPECT_EQ(p.handle_event(e, deadline).rfind("duplicate", 0), 0u);
  EXPECT_EQ(drain(p), 0);
  // An older, different version arriving late is ignored.
  jobs::ObjectEvent stale = e;
  stale.etag = "0123";
  stale.sequencer = "00";
  EXPECT_EQ(p.handle_event(stale, deadline).rfind("stale", 0), 0u);
  auto j2 = job_of(id);
  EXPECT_EQ(j2.status, JobStatus::done);
  EXPECT_EQ(j2.attempts, 1);
  EXPECT_EQ(j2.etag, j.etag);
  auto again = variants(id);
  ASSERT_EQ(first.size(), again.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].sha256, again[i].sha256);
  EXPECT_EQ(app->store->list("compressed/" + std::to_string(id) + "/").size(), 3u);
}

TEST_F(Pipeline, NewerVersionOfTheOriginalIsProcessedAgainAndModeratedAgain) {
  auto s = add_user("newer", Role::student);
  auto id = upload(s, test::make_png(400, 300, 1));
  jobs::Processor p(*app->db, *app->store, fast_options(), "t");
  ASSERT_EQ(drain(p), 1);
  app->db->tx([&](db::Tx& t) { db::photos::moderate(t, id, Moderation::approved, "", s, 1); });
  auto j = job_of(id);
  // Someone overwrites the original out of band; S3 announces it with a greater sequencer.
  auto replacement = test::make_png(300, 400, 2);
  auto info = app->store->put(j.object_key, replacement, "image/png");
  jobs::ObjectEvent e;
  e.bucket = j.bucket;
  e.key = j.object_key;
  e.size = info.size;
  e.etag = info.etag.empty() ? "changed" : info.etag;
  e.sequencer = jobs::new_sequencer();
  EXPECT_EQ(p.handle_event(e, jobs::now_ms() + 10000), "ready");
  auto ph = photo(id);
  EXPECT_EQ(ph.status, PhotoStatus::ready);
  EXPECT_EQ(ph.moderation, Moderation::pending) << "new content needs a new approval";
  EXPECT_EQ(ph.original_sha256, sha256_hex(replacement));
  for (const auto& v : variants(id))
    if (v.variant == "jpeg") EXPECT_GT(v.height, v.width) << "derivatives come from the new version";
}

TEST_F(Pipeline, InvalidImageFailsWithAReason) {
  auto id = upload(add_user("corrupt", Role::student), test::corrupt_png(400, 300));
  jobs::Processor p(*app->db, *app->store, fast_options(), "t");
  ASSERT_EQ(drain(p), 1);
  auto ph = photo(id);
  EXPECT_EQ(ph.status, PhotoStatus::failed);
  EXPECT_EQ(ph.error_code, "invalid_image");
  EXPECT_FALSE(ph.error.empty());
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::done);
  EXPECT_EQ(j.result, "rejected");
  EXPECT_TRUE(variants(id).empty());
}

TEST_F(Pipeline, StorageOutageRetriesThenDeadLettersAndNothingIsLost) {
  auto flaky = std::make_unique<test::FlakyStore>(std::move(app->store));
  auto* store = flaky.get();
  app->store = std::move(flaky);
  auto id = upload(add_user("outage", Role::student), test::make_png(400, 300));
  auto key = photo(id).original_key;
  store->down = true;
  jobs::Processor p(*app->db, *app->store, fast_options(3), "t");
  int runs = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        runs += drain(p);
        return job_of(id).status == JobStatus::dead;
      },
      10000));
  EXPECT_EQ(runs, 3);
  auto j = job_of(id);
  EXPECT_EQ(j.attempts, 3);
  EXPECT_NE(j.last_error.find("connection refused"), std::string::npos) << j.last_error;
  auto ph = photo(id);
  EXPECT_EQ(ph.status, PhotoStatus::failed);
  EXPECT_EQ(ph.error_code, "processing_failed");
  EXPECT_EQ(ph.error.find("refused"), std::string::npos) << "internal details stay in the job, not the student's view";
  EXPECT_TRUE(store->inner().head(key)) << "the original must survive";

  // Storage is back; the administrator retries the dead letter.
  store->down = false;
  app->db->tx([&](db::Tx& t) { jobs::retry_job(t, j.id); });
  EXPECT_EQ(photo(id).status, PhotoStatus::processing);
  ASSERT_EQ(drain(p), 1);
  expect_ready_with_derivatives(id, *app->store);
}

TEST_F(Pipeline, LeasesThatKeepExpiringAreDeadLettered) {
  auto id = upload(add_user("crashy", Role::student), test::make_png(100, 100));
  auto o = fast_options(2);
  o.lease_ms = 50;
  jobs::Processor p(*app->db, *app->store, o, "t");
  // Two workers "crash" holding the job (claim, never finish).
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(p.claim_next());
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
  }
  EXPECT_FALSE(p.claim_next()) << "the third claim dead-letters instead of running again";
  auto j = job_of(id);
  EXPECT_EQ(j.status, JobStatus::dead);
  EXPECT_NE(j.last_error.find("lease expired"), std::string::npos) << j.last_error;
  EXPECT_EQ(photo(id).error_code, "processing_failed");
}

TEST_F(Pipeline, NewUploadReplacesTheCurrentPhotoAndPurgesTheOldFiles) {
  auto s = add_user("again", Role::student);
  jobs::Processor p(*app->db, *app->store, fast_options(), "t");
  auto first = upload(s, test::make_png(300, 300, 1));
  ASSERT_EQ(drain(p), 1);
  auto first_key = photo(first).original_key;
  auto second = upload(s, test::make_png(300, 300, 2));
  EXPECT_FALSE(photo(first).is_current);
  EXPECT_TRUE(photo(second).is_current);
  // Until the new one is ready, the old files stay.
  EXPECT_TRUE(app->store->head(first_key));
  ASSERT_EQ(drain(p), 1);
  EXPECT_EQ(photo(second).status, PhotoStatus::ready);
  auto old = photo(first);
  EXPECT_TRUE(old.purged_at.has_value());
  EXPECT_FALSE(app->store->head(first_key));
  EXPECT_TRUE(app->store->list("compressed/" + std::to_string(first) + "/").empty());
  EXPECT_TRUE(variants(first).empty());
  app->db->read([&](db::Tx& t) {
    auto cur = db::photos::current_photo(t, s);
    ASSERT_TRUE(cur);
    EXPECT_EQ(cur->id, second);
    EXPECT_EQ(db::photos::history(t, s, 10).size(), 2u) << "history rows are kept";
  });
}

TEST_F(Pipeline, UploadReplacedBeforeProcessingIsSuperseded) {
  auto s = add_user("quick", Role::student);
  auto first = upload(s, test::make_png(200, 200, 1));
  auto second = upload(s, test::make_png(200, 200, 2));
  jobs::Processor p(*app->db, *app->store, fast_options(), "t");
  ASSERT_EQ(drain(p), 2);
  EXPECT_EQ(photo(first).status, PhotoStatus::failed);
  EXPECT_EQ(photo(first).error_code, "superseded");
  EXPECT_EQ(job_of(first).result, "superseded");
  EXPECT_EQ(photo(second).status, PhotoStatus::ready);
  EXPECT_TRUE(photo(first).purged_at.has_value());
  EXPECT_FALSE(app->store->head(photo(first).original_key));
}

TEST_F(Pipeline, ReadyOnS3) {
  SY_REQUIRE_ENV(s3, "SY_TEST_S3_URL");
  open_app(s3);
  spread_photo_ids();
  auto id = upload(add_user("s3", Role::student), test::make_png(800, 600, 3));
  EXPECT_EQ(job_of(id).bucket, app->store->bucket());
  EXPECT_FALSE(job_of(id).etag.empty()) << "S3 reports an ETag for the outbox record";
  auto pool = services::make_workers(*app, 2);
  pool->start();
  ASSERT_TRUE(wait_for([&] { return photo(id).status != PhotoStatus::processing; }));
  pool->stop();
  expect_ready_with_derivatives(id, *app->store);
}
