#include "services/school_days.h"

#include <cstdio>

#include "core/clock.h"

namespace sy::services {

std::string validate_day(const std::string& day, const char* field) {
  validate_date(day, std::string("'") + field + "'");
  return day;
}

std::int64_t epoch_day(const std::string& day) {
  int y = 0, m = 0, d = 0;
  std::sscanf(day.c_str(), "%4d-%2d-%2d", &y, &m, &d);
  // days_from_civil (Howard Hinnant's algorithm), exact for the Gregorian calendar.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string day_minus(const std::string& day, int days) {
  return utc_format((epoch_day(day) - days) * 86400, "%Y-%m-%d");
}

int iso_weekday(const std::string& day) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<int>(((epoch_day(day) + 3) % 7 + 7) % 7) + 1;
}

}  // namespace sy::services
