// The upload quota is counted inside the insert's transaction: uploads fired at once from many
// threads cannot race past it (SQLite: BEGIN IMMEDIATE; MariaDB: the student's row FOR UPDATE).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "core/error.h"
#include "services/photos.h"
#include "support/testapp.h"
#include "support/tiny_jpeg.h"

using namespace sy;
using test::kTinyJpeg;

TEST(UploadQuota, ConcurrentUploadsStopExactlyAtTheLimit) {
  auto app = test::make_app();
  auto id = test::make_user(*app, "sue", "student");
  services::Actor sue{id, "sue", Role::student, "127.0.0.1", "r"};
  const int before = services::kMaxUploadsPerHour - 4;
  for (int i = 0; i < before; ++i) services::upload_photo(*app, sue, kTinyJpeg, "");
  const int n = 12;
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::latch go(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      try {
        services::upload_photo(*app, sue, kTinyJpeg, "");
        ++ok;
      } catch (const AppError& e) {
        (e.kind == ErrorKind::throttled && e.code == "too_many_uploads" ? refused : other)++;
      } catch (...) {
        ++other;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(refused.load(), n - 4);
  EXPECT_EQ(other.load(), 0);
  // Nothing half-written: every refused upload's object was removed again.
  auto objects = app->store->list("uploads/");
  EXPECT_EQ(static_cast<int>(objects.size()), services::kMaxUploadsPerHour);
}
