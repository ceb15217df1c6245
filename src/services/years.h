#pragma once
// Academic years and terms, the one current year, and the year-end rollover. Everyone logged in
// may read the calendar; changing it is classes.manage (admin). Every change is audited.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/school_repo.h"
#include "db/years_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/paging.h"

namespace sy::services {

// Today's date as 'YYYY-MM-DD' (UTC: the one place to change when schools get a time zone).
std::string today();
// A real calendar date 'YYYY-MM-DD' (years 1900–2999), else AppError 422 `code`.
void validate_date(const std::string& date, const std::string& field, const std::string& code = "invalid_date");

struct YearInput {
  int year = 0;      // calendar year it starts in (1–9999); fixed once created
  std::string name;  // "2026/27"; default: the year number
  std::string start_date, end_date;
};

struct TermInput {
  std::string name;
  std::string start_date, end_date;  // inside the year's dates
};

struct YearDetail {
  db::YearRow year;
  std::vector<db::TermRow> terms;
  std::vector<db::ClassRow> classes;
};

// --- reads (any logged-in actor; no scope: the calendar is not private) ---
std::vector<db::YearRow> list_years(App& app, const Actor& actor);
YearDetail get_year(App& app, const Actor& actor, std::int64_t year_id);  // 404 no_such_year
std::optional<db::YearRow> current_year(App& app);
// The current year's term containing `date` (default today), if any.
std::optional<db::TermRow> current_term(App& app, const std::string& date = "");
db::TermRow get_term(App& app, const Actor& actor, std::int64_t term_id);  // 404

// --- writes (classes.manage) ---
// 409 year_exists (same number or name); the first year ever created becomes current.
db::YearRow create_year(App& app, const Actor& actor, const YearInput& in);
// Name and dates (terms must stay inside: 422 term_outside_year).
db::YearRow update_year(App& app, const Actor& actor, std::int64_t year_id, const YearInput& in);
void set_current_year(App& app, const Actor& actor, std::int64_t year_id);
// 409 year_in_use while it has classes; 409 year_is_current for the current year (exactly one).
void delete_year(App& app, const Actor& actor, std::int64_t year_id);

// 409 term_exists; 422 term_outside_year; 409 term_overlap with another term of the year.
db::TermRow create_term(App& app, const Actor& actor, std::int64_t year_id, const TermInput& in);
db::TermRow update_term(App& app, const Actor& actor, std::int64_t term_id, const TermInput& in);
void delete_term(App& app, const Actor& actor, std::int64_t term_id);

// create_class (services/school.h) in the academic year with that id (404 no_such_year).
db::ClassRow create_class_in_year(App& app, const Actor& actor, const std::string& name, std::int64_t year_id);

// The classes the actor may see (as list_classes), filtered by name (case-insensitive substring)
// and academic year (0 = any), paged. A school has hundreds of classes at most, so the scoped
// list is filtered here rather than in one query per scope.
struct ClassFilter {
  std::string q;
  std::int64_t academic_year_id = 0;
};
Paged<db::ClassRow> find_classes(App& app, const Actor& actor, const ClassFilter& filter, Page page);

struct RolloverResult {
  db::ClassRow from;
  std::optional<db::ClassRow> to;  // none when the class graduated
  int promoted = 0;                // newly enrolled in `to`
  int already = 0;                 // already in `to` (a re-run changes nothing)
  int graduated = 0;               // status set to graduated
  int skipped = 0;                 // inactive, left or graduated students stay behind
};

// Year-end rollover of one class (classes.manage): its active students with status "active" are
// enrolled in `to_name` in the next academic year (created when missing, name defaults to the
// class's), or with `graduate` their status becomes "graduated" instead. The old class and its
// enrolments stay (history). 422 no_next_year when there is no later year; idempotent.
RolloverResult rollover_class(App& app, const Actor& actor, std::int64_t class_id, const std::string& to_name,
                              bool graduate);

}  // namespace sy::services
