#pragma once
// School days as "YYYY-MM-DD" strings (UTC): they sort as dates in SQL on both databases and in
// C++, and a day never shifts with a server's time zone.
#include <cstdint>
#include <string>

namespace sy::services {

// Today's date (UTC).
std::string today();
// A real calendar date (1900–9999) in YYYY-MM-DD form, else AppError 422 invalid_date naming `field`.
std::string validate_day(const std::string& day, const char* field = "date");
// Days since 1970-01-01 of a valid day.
std::int64_t epoch_day(const std::string& day);
// The day `days` before (negative: after) a valid day.
std::string day_minus(const std::string& day, int days);
// ISO weekday of a valid day: 1 = Monday … 7 = Sunday.
int iso_weekday(const std::string& day);

}  // namespace sy::services
