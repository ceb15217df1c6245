#include "core/clock.h"

#include "core/clock_testing.h"

#include <atomic>
#include <chrono>
#include <ctime>

namespace sy {

static std::atomic<std::int64_t> g_offset{0};
static std::atomic<std::int64_t> g_frozen_at{0};  // 0 = running

static std::int64_t real_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t now_unix() {
  std::int64_t frozen = g_frozen_at.load();
  return (frozen ? frozen : real_now()) + g_offset.load();
}

void set_clock_offset_for_tests(std::int64_t s) { g_offset = s; }

void freeze_clock_for_tests(bool frozen) { g_frozen_at = frozen ? real_now() : 0; }

std::string utc_format(std::int64_t t, const char* format) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string iso8601_utc(std::int64_t t) { return utc_format(t, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace sy
