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

}  // namespace sy::db::moderation
