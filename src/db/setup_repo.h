#pragma once
// The lookups behind the admin's setup checklist (services/setup_checklist.h).
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db::setup {

struct Named {
  std::int64_t id = 0;
  std::string name;
};

// Classes of the academic year with no teacher assigned / no student enrolled, by name.
std::vector<Named> classes_without_teacher(Tx& t, std::int64_t academic_year_id, int limit);
std::vector<Named> classes_without_students(Tx& t, std::int64_t academic_year_id, int limit);
// Subjects no teacher teaches in any class of the academic year, by name.
std::vector<Named> subjects_without_teacher(Tx& t, std::int64_t academic_year_id, int limit);

}  // namespace sy::db::setup
