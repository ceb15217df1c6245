#pragma once
// Subjects and teaching assignments (class × subject × teacher, table class_teachers).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct SubjectRow {
  std::int64_t id = 0;
  std::string name;  // unique, case-insensitively
  std::string code;  // optional short code ("MATH"), "" when none
  std::int64_t created_at = 0;
};

// One row of class_teachers, with the names a page shows.
struct AssignmentRow {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::string class_name;
  int class_year = 0;
  std::int64_t subject_id = 0;  // 0 = the class's own teacher (no subject)
  std::string subject_name;     // "" when subject_id is 0
  std::int64_t teacher_id = 0;
  std::string teacher_username;
  std::string teacher_full_name;
  std::int64_t created_at = 0;
};

namespace subjects {
std::int64_t insert(Tx& t, const std::string& name, const std::string& code, std::int64_t now);
std::optional<SubjectRow> by_id(Tx& t, std::int64_t id);
std::optional<SubjectRow> by_name(Tx& t, const std::string& name);  // case-insensitive (ASCII)
// `q` matches name or code (substring, case-insensitive); ordered by name.
std::vector<SubjectRow> list(Tx& t, const std::string& q, int limit, int offset);
std::int64_t count(Tx& t, const std::string& q);
void update(Tx& t, std::int64_t id, const std::string& name, const std::string& code);
bool remove(Tx& t, std::int64_t id);
// Teaching assignments that name the subject (a subject in use is not deleted).
std::int64_t assignment_count(Tx& t, std::int64_t id);
}  // namespace subjects

namespace assignments {
// subject_id 0 = no subject (the class's own teacher).
std::int64_t insert(Tx& t, std::int64_t class_id, std::int64_t subject_id, std::int64_t teacher_id, std::int64_t now);
std::optional<AssignmentRow> by_id(Tx& t, std::int64_t id);
bool exists(Tx& t, std::int64_t class_id, std::int64_t subject_id, std::int64_t teacher_id);
// Ordered by subject name, then teacher name.
std::vector<AssignmentRow> for_class(Tx& t, std::int64_t class_id);
// Ordered by class year (newest first), class name, subject name.
std::vector<AssignmentRow> for_teacher(Tx& t, std::int64_t teacher_id);
std::vector<AssignmentRow> for_subject(Tx& t, std::int64_t subject_id);
bool remove(Tx& t, std::int64_t id);
}  // namespace assignments

// Turns user text into a LIKE pattern matching it as a substring ('!' escapes % _ !).
std::string like_pattern(const std::string& q);

}  // namespace sy::db
