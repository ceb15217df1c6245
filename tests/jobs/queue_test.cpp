// The queue in the database: leases, SKIP LOCKED / conditional-update claims, heartbeats,
// backoff, dead letters, retries; and the S3 event record helpers.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "db/jobs_repo.h"
#include "http/types.h"
#include "jobs/admin.h"
#include "jobs/event.h"
#include "jobs/processor.h"
#include "support/testenv.h"

using namespace sy;

namespace {

db::JobRow job(const std::string& key, std::int64_t now) {
  db::JobRow j;
  j.bucket = "local";
  j.object_key = key;
  j.size = 10;
  j.etag = "abc";
  j.sequencer = jobs::new_sequencer();
  j.visible_at_ms = j.created_at_ms = j.updated_at_ms = now;
  return j;
}

std::optional<db::JobRow> claim(db::Database& d, const std::string& token, std::int64_t now,
                                std::int64_t lease = 1000) {
  return d.tx_result<std::optional<db::JobRow>>(
      [&](db::Tx& t) { return db::jobs::claim_next(t, "test", token, now, now + lease); });
}

}  // namespace

TEST(Queue, ClaimsInOrderAndNeverTwice) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    for (int i = 0; i < 3; ++i) db::jobs::insert(t, job("uploads/k" + std::to_string(i), 1000 + i));
  });
  auto a = claim(*d, "ta", 5000);
  auto b = claim(*d, "tb", 5000);
  auto c = claim(*d, "tc", 5000);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->object_key, "uploads/k0");
  EXPECT_EQ(b->object_key, "uploads/k1");
  EXPECT_EQ(c->object_key, "uploads/k2");
  EXPECT_EQ(a->status, JobStatus::running);
  EXPECT_EQ(a->attempts, 1);
  EXPECT_EQ(a->lease_token, "ta");
  EXPECT_EQ(a->visible_at_ms, 6000);
  EXPECT_FALSE(claim(*d, "td", 5000));
}

TEST(Queue, ConcurrentClaimersShareTheWorkWithoutDuplicates) {
  auto d = test::fresh_db(true, 8);
  const int n = 40;
  d->tx([&](db::Tx& t) {
    for (int i = 0; i < n; ++i) db::jobs::insert(t, job("uploads/c" + std::to_string(i), 1000));
  });
  std::mutex mu;
  std::multiset<std::int64_t> seen;
  std::vector<std::thread> ts;
  for (int w = 0; w < 4; ++w)
    ts.emplace_back([&, w] {
      for (int k = 0;; ++k) {
        auto j = claim(*d, "w" + std::to_string(w) + "-" + std::to_string(k), 5000);
        if (!j) break;
        std::lock_guard lk(mu);
        seen.insert(j->id);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(n));
  std::set<std::int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(n)) << "a job was claimed twice";
}

TEST(Queue, ExpiredLeaseComesBackAndOnlyTheNewHolderRecords) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/x", 1000)); });
  auto first = claim(*d, "old", 2000, 1000);
  ASSERT_TRUE(first);
  EXPECT_FALSE(claim(*d, "early", 2999)) << "the lease is still valid";
  auto second = claim(*d, "new", 3001);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->attempts, 2);
  d->tx([&](db::Tx& t) {
    EXPECT_FALSE(db::jobs::heartbeat(t, first->id, "old", 9000, 3002));
    EXPECT_FALSE(db::jobs::complete(t, first->id, "old", "ready", 3003));
    EXPECT_TRUE(db::jobs::heartbeat(t, first->id, "new", 9000, 3002));
    EXPECT_TRUE(db::jobs::complete(t, first->id, "new", "ready", 3004));
    EXPECT_FALSE(db::jobs::complete(t, first->id, "new", "ready", 3005)) << "done once";
  });
  EXPECT_FALSE(claim(*d, "again", 99999999));
}

TEST(Queue, HeartbeatKeepsTheLease) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/h", 1000)); });
  auto j = claim(*d, "tok", 2000, 1000);
  ASSERT_TRUE(j);
  d->tx([&](db::Tx& t) { EXPECT_TRUE(db::jobs::heartbeat(t, j->id, "tok", 10000, 2500)); });
  EXPECT_FALSE(claim(*d, "thief", 5000));
  EXPECT_TRUE(claim(*d, "later", 10001));
}

TEST(Queue, RescheduleWaitsForBackoffThenDeadLetterAndRetry) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/r", 1000)); });
  auto j = claim(*d, "t1", 2000);
  ASSERT_TRUE(j);
  d->tx([&](db::Tx& t) { EXPECT_TRUE(db::jobs::reschedule(t, j->id, "t1", "boom", 4000, 2100)); });
  EXPECT_FALSE(claim(*d, "t2", 3999));
  auto again = claim(*d, "t3", 4000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->last_error, "boom");
  d->tx([&](db::Tx& t) {
    EXPECT_FALSE(db::jobs::bury(t, j->id, "t1", "stale token", 4100));
    EXPECT_TRUE(db::jobs::bury(t, j->id, "t3", "storage unreachable", 4100));
  });
  EXPECT_FALSE(claim(*d, "t4", 99999999)) << "dead letters are not claimed";
  d->read([&](db::Tx& t) {
    auto dead = jobs::list_jobs(t, "dead", 10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].last_error, "storage unreachable");
    EXPECT_EQ(db::jobs::open_counts(t)[JobStatus::dead], 1);
  });
  d->tx([&](db::Tx& t) {
    auto r = jobs::retry_job(t, j->id);
    EXPECT_EQ(r.status, JobStatus::queued);
    EXPECT_EQ(r.attempts, 0);
  });
  d->tx([&](db::Tx& t) {
    try {
      jobs::retry_job(t, j->id);
      ADD_FAILURE() << "a queued job cannot be retried";
    } catch (const AppError& e) {
      EXPECT_EQ(sy::http::status_of(e.kind), 409);
    }
    try {
      jobs::retry_job(t, 424242);
      ADD_FAILURE() << "no such job";
    } catch (const AppError& e) {
      EXPECT_EQ(sy::http::status_of(e.kind), 404);
    }
  });
  auto revived = claim(*d, "t5", jobs::now_ms());
  ASSERT_TRUE(revived);
  EXPECT_EQ(revived->attempts, 1);
}

TEST(Queue, ReleaseGivesTheAttemptBack) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/rel", 1000)); });
  auto j = claim(*d, "t1", 2000, 60000);
  ASSERT_TRUE(j);
  d->tx([&](db::Tx& t) { EXPECT_TRUE(db::jobs::release(t, j->id, "t1", 2001)); });
  auto again = claim(*d, "t2", 2002);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
}

TEST(Queue, OneRowPerObjectKey) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/dup", 1000)); });
  EXPECT_THROW(d->tx([&](db::Tx& t) { db::jobs::insert(t, job("uploads/dup", 1001)); }), AppError);
}

TEST(Backoff, GrowsExponentiallyWithJitterAndCap) {
  jobs::Options o;
  o.backoff_base_ms = 1000;
  o.backoff_max_ms = 10000;
  for (int i = 0; i < 20; ++i) {
    auto a1 = jobs::backoff_ms(o, 1), a3 = jobs::backoff_ms(o, 3), a9 = jobs::backoff_ms(o, 9);
    EXPECT_GE(a1, 800);
    EXPECT_LE(a1, 1200);
    EXPECT_GE(a3, 3200);
    EXPECT_LE(a3, 4800);
    EXPECT_LE(a9, 12000);
    EXPECT_GE(a9, 8000);
  }
}

TEST(Events, OrderAgainstTheKnownVersion) {
  jobs::ObjectEvent e;
  e.etag = "\"ABC\"";  // quoted and upper-case as S3 may send it; the queue keeps it normalised
  e.sequencer = "0055AED6DCD90281E6";
  EXPECT_EQ(jobs::order_against(e, "abc", "0055AED6DCD90281E5"), jobs::EventOrder::same);
  e.etag = "def";
  EXPECT_EQ(jobs::order_against(e, "abc", "0055AED6DCD90281E5"), jobs::EventOrder::newer);
  EXPECT_EQ(jobs::order_against(e, "abc", "0055AED6DCD90281E6"), jobs::EventOrder::stale);  // not newer
  EXPECT_EQ(jobs::order_against(e, "abc", "0055AED6DCD90281F0"), jobs::EventOrder::stale);
  EXPECT_STREQ(jobs::to_string(jobs::EventOrder::new_key), "new");
  EXPECT_STREQ(jobs::to_string(jobs::EventOrder::stale), "stale");
}

TEST(Events, SequencersCompareAsPaddedHex) {
  EXPECT_EQ(jobs::compare_sequencer("0055AED6DCD90281E5", "0055AED6DCD90281E5"), 0);
  EXPECT_LT(jobs::compare_sequencer("0055AED6DCD90281E5", "0055AED6DCD90281E6"), 0);
  EXPECT_GT(jobs::compare_sequencer("0055AED6DCD90281F0", "0055aed6dcd90281e6"), 0);
  // Different lengths: the shorter is right-padded with zeros.
  EXPECT_EQ(jobs::compare_sequencer("0055AED6DCD90281E5", "0055AED6DCD90281E500"), 0);
  EXPECT_LT(jobs::compare_sequencer("0055AED6DCD90281E5", "0055AED6DCD90281E501"), 0);
  EXPECT_GT(jobs::compare_sequencer("0056", "0055AED6DCD90281E5"), 0);
  EXPECT_LT(jobs::compare_sequencer("", "01"), 0);
  auto a = jobs::new_sequencer(), b = jobs::new_sequencer();
  EXPECT_LT(jobs::compare_sequencer(a, b), 0);
}

TEST(Events, ParsesTheDocumentedS3Record) {
  // The documented sample shape (eventVersion 2.1), key URL-encoded.
  const char* doc = R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-west-2",
    "eventTime":"1970-01-01T00:00:00.000Z","eventName":"ObjectCreated:Put",
    "userIdentity":{"principalId":"AIDAJDPLRKLG7UEXAMPLE"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},
    "responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
    "s3":{"s3SchemaVersion":"1.0","configurationId":"testConfigRule",
      "bucket":{"name":"mybucket","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::mybucket"},
      "object":{"key":"uploads/Happy+Face%281%29.jpg","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e",
        "versionId":"096fKKXTRTtl3on89fVO.nfljtsv6qko","sequencer":"0055AED6DCD90281E5"}}}]})";
  auto ev = jobs::parse_s3_event(doc);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].source, "aws:s3");
  EXPECT_EQ(ev[0].event_name, "ObjectCreated:Put");
  EXPECT_EQ(ev[0].bucket, "mybucket");
  EXPECT_EQ(ev[0].key, "uploads/Happy Face(1).jpg");
  EXPECT_EQ(ev[0].size, 1024);
  EXPECT_EQ(ev[0].etag, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(ev[0].sequencer, "0055AED6DCD90281E5");
  auto back = jobs::to_s3_record(ev[0]);
  EXPECT_EQ(back["eventVersion"], "2.1");
  EXPECT_EQ(back["s3"]["object"]["sequencer"], "0055AED6DCD90281E5");

  EXPECT_TRUE(jobs::parse_s3_event(R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"})").empty());
  EXPECT_THROW(jobs::parse_s3_event("not json"), std::invalid_argument);
  EXPECT_THROW(jobs::parse_s3_event(R"({"hello":1})"), std::invalid_argument);
  EXPECT_THROW(jobs::parse_s3_event(R"({"Records":[{"s3":{}}]})"), std::invalid_argument);
  EXPECT_EQ(jobs::normalize_etag("\"D41D8CD98F00B204E9800998ECF8427E\""), "d41d8cd98f00b204e9800998ecf8427e");
}

// Found by fuzz/fuzz_lambda_event.cpp (fuzz/regressions/fuzz_lambda_event/): a key that decodes
// to bytes that are not UTF-8 was accepted and then threw from nlohmann::json when written back.
TEST(Events, KeysThatAreNotUtf8AreRefused) {
  auto event = [](const std::string& key) {
    return R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
           R"("s3":{"bucket":{"name":"sy"},"object":{"key":")" +
           key + R"(","size":1,"eTag":"ab","sequencer":"01"}}}]})";
  };
  EXPECT_THROW(sy::jobs::parse_s3_event(event("uploads/abc+def%84")), std::invalid_argument);
  EXPECT_THROW(sy::jobs::parse_s3_event(event("uploads/%C3")), std::invalid_argument);
  auto ok = sy::jobs::parse_s3_event(event("uploads/caf%C3%A9"));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].key, "uploads/caf\xC3\xA9");
  EXPECT_NO_THROW(sy::jobs::to_s3_record(ok[0]).dump());
}
