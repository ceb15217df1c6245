#pragma once
// Who is connected to whom: the lookups behind the permission scopes.
#include <cstdint>
#include <vector>

#include "db/database.h"

namespace sy::db::membership {

bool teacher_teaches_student(Tx& t, std::int64_t teacher_id, std::int64_t student_id);
bool teacher_teaches_class(Tx& t, std::int64_t teacher_id, std::int64_t class_id);
bool guardian_of(Tx& t, std::int64_t guardian_id, std::int64_t student_id);
bool guardian_has_child_in_class(Tx& t, std::int64_t guardian_id, std::int64_t class_id);
bool student_in_class(Tx& t, std::int64_t student_id, std::int64_t class_id);
std::vector<std::int64_t> classes_of_student(Tx& t, std::int64_t student_id);

}  // namespace sy::db::membership
