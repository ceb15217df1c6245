#pragma once
// Day arithmetic on "YYYY-MM-DD" strings (UTC), beside services/years.h's today() and
// validate_date(): they sort as dates in SQL on both databases and in C++.
#include <cstdint>
#include <string>

#include "services/years.h"

namespace sy::services {

// validate_date (a real date, 1900–2999, else AppError 422 invalid_date) returning the day.
std::string validate_day(const std::string& day, const char* field = "date");
// Days since 1970-01-01 of a valid day.
std::int64_t epoch_day(const std::string& day);
// The day `days` before (negative: after) a valid day.
std::string day_minus(const std::string& day, int days);
// ISO weekday of a valid day: 1 = Monday … 7 = Sunday.
int iso_weekday(const std::string& day);

}  // namespace sy::services
