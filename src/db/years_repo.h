#pragma once
// Academic years and their terms. Dates are 'YYYY-MM-DD' strings (validated in services).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct YearRow {
  std::int64_t id = 0;
  int year = 0;  // the calendar year it starts in; classes.year holds the same number
  std::string name;
  std::string start_date;
  std::string end_date;
  bool current = false;
  std::int64_t created_at = 0;
};

struct TermRow {
  std::int64_t id = 0;
  std::int64_t academic_year_id = 0;
  std::string name;
  std::string start_date;
  std::string end_date;
  std::int64_t created_at = 0;
};

namespace years {
// `current` is ignored: set_current() is the only way to make a year current.
std::int64_t insert(Tx& t, const YearRow& y);
std::optional<YearRow> by_id(Tx& t, std::int64_t id);
std::optional<YearRow> by_year(Tx& t, int year);
std::optional<YearRow> by_name(Tx& t, const std::string& name);
std::optional<YearRow> current(Tx& t);
// Newest (highest year number) first.
std::vector<YearRow> list(Tx& t);
// The year with the smallest year number above this one's.
std::optional<YearRow> next_after(Tx& t, int year);
// Name and dates (the year number is fixed: classes carry it).
void update(Tx& t, const YearRow& y);
// Clears the flag everywhere, then sets it on `id` (one transaction: never two current years).
void set_current(Tx& t, std::int64_t id);
bool remove(Tx& t, std::int64_t id);
std::int64_t class_count(Tx& t, std::int64_t id);
}  // namespace years

namespace terms {
std::int64_t insert(Tx& t, const TermRow& r);
std::optional<TermRow> by_id(Tx& t, std::int64_t id);
std::optional<TermRow> by_name(Tx& t, std::int64_t academic_year_id, const std::string& name);
// Ordered by start date.
std::vector<TermRow> for_year(Tx& t, std::int64_t academic_year_id);
// The current year's term whose dates contain `date` ('YYYY-MM-DD'), if any.
std::optional<TermRow> current(Tx& t, const std::string& date);
// Name and dates.
void update(Tx& t, const TermRow& r);
bool remove(Tx& t, std::int64_t id);
}  // namespace terms

// Year-end rollover history (class_rollovers).
struct RolloverRow {
  std::int64_t id = 0;
  std::int64_t from_class_id = 0;
  std::int64_t to_class_id = 0;  // 0 = graduated (or the target class was deleted)
  int promoted = 0;
  int graduated = 0;
  std::int64_t actor_id = 0;
  std::int64_t created_at = 0;
};

namespace rollovers {
void record(Tx& t, std::int64_t from_class_id, std::int64_t to_class_id, int promoted, int graduated,
            std::int64_t actor_id, std::int64_t now);
// Newest first.
std::vector<RolloverRow> for_class(Tx& t, std::int64_t from_class_id);
}  // namespace rollovers

}  // namespace sy::db
