// The upload quota is counted inside the insert's transaction: uploads fired at once from many
// threads cannot race past it (SQLite: BEGIN IMMEDIATE; MariaDB: the student's row FOR UPDATE).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "core/error.h"
#include "services/photos.h"
#include "support/testapp.h"

using namespace sy;

namespace {

// An 8x8 red baseline JPEG (PIL, quality 50, optimised tables).
const std::string kTinyJpeg(
    "\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00\x10\x0b\x0c"
    "\x0e\x0c"
    "\x0a\x10\x0e\x0d\x0e\x12\x11\x10\x13\x18\x28\x1a\x18\x16\x16\x18\x31\x23\x25\x1d\x28\x3a\x33\x3d\x3c\x39\x33\x38"
    "\x37\x40"
    "\x48\x5c\x4e\x40\x44\x57\x45\x37\x38\x50\x6d\x51\x57\x5f\x62\x67\x68\x67\x3e\x4d\x71\x79\x70\x64\x78\x5c\x65\x67"
    "\x63\xff"
    "\xdb\x00\x43\x01\x11\x12\x12\x18\x15\x18\x2f\x1a\x1a\x2f\x63\x42\x38\x42\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63"
    "\x63\x63"
    "\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63"
    "\x63\x63"
    "\x63\x63\x63\x63\x63\x63\x63\x63\xff\xc0\x00\x11\x08\x00\x08\x00\x08\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff"
    "\xc4\x00"
    "\x15\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\xff\xc4\x00\x14\x10\x01\x00\x00"
    "\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xc4\x00\x15\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00"
    "\x00\x00\x00\x04\x06\xff\xc4\x00\x14\x11\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff"
    "\xda\x00"
    "\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00\x8e\x00\x2a\x87\xff\xd9",
    287);

}  // namespace

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
