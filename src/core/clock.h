#pragma once
// Time as integer seconds since the Unix epoch (UTC) everywhere in the database: portable across
// SQLite and MySQL and free of time-zone surprises. Tests may shift "now" to check expiry.
#include <cstdint>
#include <string>

namespace sy {

std::int64_t now_unix();
void set_clock_offset_for_tests(std::int64_t seconds);
std::string iso8601_utc(std::int64_t unix_seconds);                              // 2026-12-01T09:00:00Z
std::string utc_format(std::int64_t unix_seconds, const char* strftime_format);  // any strftime layout, UTC

}  // namespace sy
