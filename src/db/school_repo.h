#pragma once
// Repositories for classes, enrolment, teaching assignments, guardian links, photo consent and
// the yearbook query. Plain lookups and writes; permission checks live in services/.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct ClassRow {
  std::int64_t id = 0;
  std::string name;
  int year = 0;  // the academic year's number (academic_years.year)
  std::int64_t created_at = 0;
  std::int64_t academic_year_id = 0;
};

// A person on a class list (student or guardian's child); consent is "" when no row exists.
struct PersonRow {
  std::int64_t id = 0;
  std::string username;
  std::string full_name;
  bool active = true;
  std::string consent;
};

struct TeacherRow {
  std::int64_t id = 0;
  std::string username;
  std::string full_name;
  std::string subject;          // the subject's name, "" for the class's own teacher
  std::int64_t subject_id = 0;  // 0 = no subject
};

struct YearbookRow {
  std::int64_t student_id = 0;
  std::string full_name;
  std::string consent;        // "" = no consent row
  std::int64_t photo_id = 0;  // 0 = no current, ready, approved photo
  std::string quote;
};

namespace classes {
// Links the class to the academic year with that number, creating the year (calendar-year
// placeholder dates; current when no year is) when there is none: every class has a year.
std::int64_t insert(Tx& t, const std::string& name, int year, std::int64_t now);
std::vector<ClassRow> for_year(Tx& t, std::int64_t academic_year_id);
std::optional<ClassRow> by_id(Tx& t, std::int64_t id);
std::optional<ClassRow> by_name_year(Tx& t, const std::string& name, int year);
// Ordered by year (newest first), then name.
std::vector<ClassRow> list_all(Tx& t);
std::vector<ClassRow> for_teacher(Tx& t, std::int64_t teacher_id);
std::vector<ClassRow> for_student(Tx& t, std::int64_t student_id);
std::vector<ClassRow> for_guardian(Tx& t, std::int64_t guardian_id);

// Active and inactive students, ordered by full name.
std::vector<PersonRow> students(Tx& t, std::int64_t class_id);
std::vector<TeacherRow> teachers(Tx& t, std::int64_t class_id);
bool is_enrolled(Tx& t, std::int64_t class_id, std::int64_t student_id);
void enrol(Tx& t, std::int64_t class_id, std::int64_t student_id, std::int64_t now);
bool unenrol(Tx& t, std::int64_t class_id, std::int64_t student_id);  // false when not enrolled
// By subject name ("" = no subject), as before subjects had ids. assign_teacher creates the
// subject when no subject has that name; new code uses db::assignments (subjects_repo.h).
bool teaches(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject);
void assign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject,
                    std::int64_t now);
// Removes every subject of that teacher in the class; returns how many rows went.
int unassign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id);
}  // namespace classes

namespace guardians {
bool linked(Tx& t, std::int64_t guardian_id, std::int64_t student_id);
void link(Tx& t, std::int64_t guardian_id, std::int64_t student_id, std::int64_t now);
bool unlink(Tx& t, std::int64_t guardian_id, std::int64_t student_id);
std::vector<PersonRow> children(Tx& t, std::int64_t guardian_id);
// Usernames of a student's active guardians, ordered.
std::vector<std::string> guardian_usernames(Tx& t, std::int64_t student_id);
}  // namespace guardians

namespace consent {
std::optional<std::string> get(Tx& t, std::int64_t student_id);
void set(Tx& t, std::int64_t student_id, const std::string& consent, std::int64_t updated_by, std::int64_t now);
}  // namespace consent

namespace yearbook {
// Every student enrolled in the class (active accounts only), ordered by full name, with the
// student's current photo only when it is ready and approved. The consent rule is applied by the
// caller, which sees the consent value here.
std::vector<YearbookRow> entries(Tx& t, std::int64_t class_id);
// The student a photo belongs to when it is the current, ready, approved photo, else 0.
std::int64_t approved_photo_owner(Tx& t, std::int64_t photo_id);
}  // namespace yearbook

}  // namespace sy::db
