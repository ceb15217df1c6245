#pragma once
// The photo review queue: current, processed photos awaiting a decision.
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db::moderation {

struct Pending {
  std::int64_t photo_id = 0;
  std::int64_t student_id = 0;
  std::string full_name;
  std::string quote;
  std::int64_t created_at = 0;
};

// teacher_id 0 = the whole school (admins); otherwise students in the classes that teacher teaches.
std::vector<Pending> pending(Tx& t, std::int64_t teacher_id, int limit);

// The same queue for the students of one class.
std::vector<Pending> pending_in_class(Tx& t, std::int64_t class_id, int limit);

struct ClassCount {
  std::int64_t class_id = 0;
  std::string name;
  std::int64_t year = 0;
  std::int64_t pending = 0;
};
// Every class the teacher teaches (teacher_id 0: every class) with its number of photos awaiting
// review, by name.
std::vector<ClassCount> counts_by_class(Tx& t, std::int64_t teacher_id);
// Photos awaiting review that the teacher may review (teacher_id 0: the whole school).
std::int64_t pending_count(Tx& t, std::int64_t teacher_id);

}  // namespace sy::db::moderation
