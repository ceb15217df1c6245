// Decoding in the sandboxed child, through the real worker pool and queue (SQLite and MariaDB):
// a decoder that crashes or runs out of memory costs one child process, the job is
// dead-lettered after that one attempt with a reason the student and the administrator can
// read, and the workers of this process (the server's) keep working.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include "imaging/jpeg/progressive_encoder.h"
#include "imaging/planes.h"
#include "jobs/pipeline_fixture.h"
#include "jobs/sandbox.h"
#include "jobs/worker_pool.h"

using namespace sy;
using sy::test::PipelineFixture;

namespace {

// A valid PNG carrying the test hook's marker in a text chunk.
std::string png_with_marker(const std::string& marker, unsigned seed) {
  std::string png = test::make_png(48, 32, seed);
  std::size_t iend = png.size() - 12;
  return png.substr(0, iend) + test::png_chunk("tEXt", "Comment" + std::string(1, '\0') + marker) + png.substr(iend);
}

// A flat grey 6000x6000 progressive JPEG: a small file whose decode legitimately holds ~120 MB
// of coefficients (under the pixel limit and the 256 MB budget).
std::string big_progressive_jpeg() {
  imaging::detail::Planes planes;
  planes.emplace_back(6000, 6000);
  planes.emplace_back(3000, 3000);
  planes.emplace_back(3000, 3000);
  for (auto& p : planes) std::fill(p.px.begin(), p.px.end(), std::uint8_t{128});
  return imaging::detail::encode_progressive_420(planes, 80);
}

// The default of the workers (see limits_from): one exec per upload.
jobs::sandbox::Limits exec_limits() {
  jobs::sandbox::Limits l;
  l.zygote = false;
  return l;
}

// The child's address space before it decodes anything (the binary, libvips and its modules),
// as the test probe reports it.
std::int64_t child_baseline_bytes();

class CrashHook {
 public:
  CrashHook() { setenv("SY_TEST_CRASH_CHILD", "1", 1); }
  ~CrashHook() { unsetenv("SY_TEST_CRASH_CHILD"); }
};

std::int64_t child_baseline_bytes() {
  CrashHook hook;
  imaging::Result r = jobs::sandbox::compress(png_with_marker("SY_TEST_PROBE", 7), {}, exec_limits());
  auto at = r.detail.find("vm_kb=");
  if (r.reason != "probe" || at == std::string::npos) return -1;
  return std::stoll(r.detail.substr(at + 6)) * 1024;
}

}  // namespace

class Sandbox : public PipelineFixture {
 protected:
  // A pool of in-process workers, as `serve` runs them, allowed five attempts per job.
  std::unique_ptr<jobs::WorkerPool> start_pool(const std::function<void(jobs::Options&)>& tweak = {}) {
    jobs::PoolOptions po;
    po.workers = 2;
    po.poll_ms = 50;
    po.job = fast_options(5);
    EXPECT_TRUE(po.job.sandbox.enabled) << "the sandbox is on by default";
    if (tweak) tweak(po.job);
    auto pool = std::make_unique<jobs::WorkerPool>(*app->db, *app->store, app->wakeup, po);
    pool->start();
    return pool;
  }

  db::JobRow wait_finished(std::int64_t photo_id) {
    EXPECT_TRUE(wait_for(
        [&] {
          auto j = job_of(photo_id);
          return j.status == JobStatus::dead || j.status == JobStatus::done;
        },
        60000))
        << "job of photo " << photo_id << " never finished";
    return job_of(photo_id);
  }

  void expect_dead_lettered_once(std::int64_t photo_id, const std::string& reason, const std::string& why) {
    db::JobRow j = wait_finished(photo_id);
    EXPECT_EQ(j.status, JobStatus::dead);
    EXPECT_EQ(j.attempts, 1) << "dead-lettered after one crash, not retried";
    EXPECT_EQ(j.result, reason);
    EXPECT_NE(j.last_error.find(why), std::string::npos) << j.last_error;
    auto p = photo(photo_id);
    EXPECT_EQ(p.status, PhotoStatus::failed);
    EXPECT_EQ(p.error_code, reason);
    EXPECT_FALSE(p.error.empty());
    EXPECT_EQ(p.error.find("SIG"), std::string::npos) << "the student reads a sentence, not a signal: " << p.error;
  }

  // The same workers still compress a good photo afterwards.
  void expect_still_serving(std::int64_t student) {
    std::int64_t ok = upload(student, test::make_png(120, 80, 9));
    app->wake_workers();
    db::JobRow j = wait_finished(ok);
    EXPECT_EQ(j.status, JobStatus::done);
    EXPECT_EQ(j.result, "ready");
    EXPECT_EQ(photo(ok).status, PhotoStatus::ready);
  }
};

TEST_F(Sandbox, SegfaultingDecoderIsDeadLetteredAfterOneAttempt) {
  CrashHook hook;
  auto pool = start_pool();
  std::int64_t s1 = add_user("s1", Role::student), s2 = add_user("s2", Role::student);
  std::int64_t id = upload(s1, png_with_marker("SY_TEST_CRASH:segv", 1));
  app->wake_workers();
#if defined(__SANITIZE_ADDRESS__)
  // Under the sanitizers the null store is reported (UBSan, ASan's SEGV handler) and the child
  // exits with status 1 instead of dying by the signal: still a crash, still one attempt.
  expect_dead_lettered_once(id, "decoder_crashed", "decoder");
#else
  expect_dead_lettered_once(id, "decoder_crashed", "SIGSEGV");
#endif
  expect_still_serving(s2);
}

TEST_F(Sandbox, AbortingDecoderIsDeadLetteredAfterOneAttempt) {
  CrashHook hook;
  auto pool = start_pool();
  std::int64_t s1 = add_user("s1", Role::student), s2 = add_user("s2", Role::student);
  std::int64_t id = upload(s1, png_with_marker("SY_TEST_CRASH:abort", 2));
  app->wake_workers();
  expect_dead_lettered_once(id, "decoder_crashed", "SIGABRT");
  expect_still_serving(s2);
}

TEST_F(Sandbox, CrashMarkerIsIgnoredWithoutTheTestSwitch) {
  auto pool = start_pool();
  std::int64_t s1 = add_user("s1", Role::student);
  std::int64_t id = upload(s1, png_with_marker("SY_TEST_CRASH:segv", 3));
  app->wake_workers();
  db::JobRow j = wait_finished(id);
  EXPECT_EQ(j.result, "ready") << j.last_error;
}

TEST_F(Sandbox, DecoderOverItsMemoryLimitIsDeadLetteredAsOutOfMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer builds cannot limit the child's address space";
#endif
  std::string big = big_progressive_jpeg();
  ASSERT_LT(big.size(), 4u << 20);
  // Room for the child's own baseline plus 48 MB: not for the ~120 MB of coefficients.
  std::int64_t base = child_baseline_bytes();
  ASSERT_GT(base, 0);
  auto pool = start_pool([&](jobs::Options& o) { o.sandbox.memory_bytes = base + (48ll << 20); });
  std::int64_t s1 = add_user("s1", Role::student), s2 = add_user("s2", Role::student);
  std::int64_t id = upload(s1, big);
  app->wake_workers();
  expect_dead_lettered_once(id, "decoder_out_of_memory", "memory");
  expect_still_serving(s2);
}

TEST_F(Sandbox, TheSameFileDecodesWithTheDefaultLimit) {
  // The control for the test above: the file is fine, only the limit was too small.
  std::string big = big_progressive_jpeg();
  auto pool = start_pool();
  std::int64_t s1 = add_user("s1", Role::student);
  std::int64_t id = upload(s1, big);
  app->wake_workers();
  db::JobRow j = wait_finished(id);
  EXPECT_EQ(j.result, "ready") << j.last_error;
}

TEST_F(Sandbox, HungDecoderIsKilledAtTheDeadline) {
  CrashHook hook;
  auto pool = start_pool([](jobs::Options& o) {
    o.imaging.timeout_ms = 500;
    o.sandbox.grace_ms = 500;
  });
  std::int64_t s1 = add_user("s1", Role::student);
  std::int64_t id = upload(s1, png_with_marker("SY_TEST_CRASH:spin", 4));
  app->wake_workers();
  db::JobRow j = wait_finished(id);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.result, "rejected");
  EXPECT_EQ(photo(id).error.rfind("timeout", 0), 0u) << photo(id).error;
}

// The child's limits, seen from inside the child (the test probe reports what the kernel says).
TEST(SandboxChild, LimitsHold) {
  CrashHook hook;
  // The server's secrets stay in the server: a decoder taken over could paint them into the
  // derivative its uploader downloads.
  setenv("AWS_SECRET_ACCESS_KEY", "not-for-the-child", 1);
  setenv("SCHOOLYARD_DB_URL", "mysql://u:secret@db/x", 1);
  jobs::sandbox::Limits lim = exec_limits();
  lim.memory_bytes = 900ll << 20;
  imaging::Settings s;
  s.timeout_ms = 20000;
  imaging::Result r = jobs::sandbox::compress(png_with_marker("SY_TEST_PROBE", 5), s, lim);
  ASSERT_EQ(r.reason, "probe") << r.detail;
  const std::string& d = r.detail;
  EXPECT_NE(d.find("socket=EACCES"), std::string::npos) << d;
  EXPECT_NE(d.find("kill_parent=EPERM"), std::string::npos) << d;
  EXPECT_NE(d.find("fork=EPERM"), std::string::npos) << d;
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_NE(d.find("as=" + std::to_string(900ll << 20)), std::string::npos) << d;
#endif
  EXPECT_NE(d.find("nofile=32"), std::string::npos) << d;
  EXPECT_NE(d.find("core=0"), std::string::npos) << d;
  EXPECT_NE(d.find("cpu=30"), std::string::npos) << "job timeout + 10 s: " << d;
  EXPECT_NE(d.find("fsize=0"), std::string::npos) << d;
  EXPECT_NE(d.find("no_new_privs=1"), std::string::npos) << d;
  EXPECT_NE(d.find("seccomp=2"), std::string::npos) << d;
  EXPECT_NE(d.find("env_secrets=0"), std::string::npos) << d;
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("SCHOOLYARD_DB_URL");
}

TEST(SandboxChild, ExecIsKilled) {
  CrashHook hook;
  imaging::Result r = jobs::sandbox::compress(png_with_marker("SY_TEST_CRASH:exec", 6), {}, exec_limits());
  EXPECT_EQ(r.reason, "decoder_crashed");
  EXPECT_NE(r.detail.find("SIGSYS"), std::string::npos) << r.detail;
}

TEST(SandboxChild, GivesTheCompressorsResult) {
  imaging::Result r = jobs::sandbox::compress(test::make_png(40, 30, 6), {}, exec_limits());
  ASSERT_TRUE(r.ok) << r.reason << ": " << r.detail;
  imaging::init();
  imaging::Result direct = imaging::compress(test::make_png(40, 30, 6), {});
  ASSERT_EQ(r.derivatives.size(), direct.derivatives.size());
  for (std::size_t i = 0; i < r.derivatives.size(); ++i) {
    EXPECT_EQ(r.derivatives[i].name, direct.derivatives[i].name);
    EXPECT_EQ(r.derivatives[i].bytes, direct.derivatives[i].bytes) << "byte-identical to the in-process compressor";
    EXPECT_EQ(r.derivatives[i].width, direct.derivatives[i].width);
  }
  r = jobs::sandbox::compress("not an image at all", {}, exec_limits());
  EXPECT_EQ(r.reason, "unsupported_type");
}
