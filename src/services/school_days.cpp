#include "services/school_days.h"

#include <cstdio>

#include "core/clock.h"
#include "core/error.h"

namespace sy::services {

namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
}  // namespace

std::string today() { return utc_format(now_unix(), "%Y-%m-%d"); }

std::string validate_day(const std::string& day, const char* field) {
  auto bad = [&] {
    fail(ErrorKind::invalid, "invalid_date", std::string("'") + field + "' must be a date as YYYY-MM-DD");
  };
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (day[i] < '0' || day[i] > '9') bad();
  int y = std::stoi(day.substr(0, 4)), m = std::stoi(day.substr(5, 2)), d = std::stoi(day.substr(8, 2));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || m < 1 || m > 12 || d < 1) bad();
  if (d > kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0)) bad();
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
