#pragma once
// Subjects and teaching assignments (class × subject × teacher). Managing them is classes.manage
// (admin); the subject list is readable by everyone logged in; a class's assignments follow
// classes.view on that class. Every change is audited.
#include <cstdint>
#include <string>
#include <vector>

#include "db/subjects_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/paging.h"

namespace sy::services {

// Name 1–100 characters, no control characters; code 0–20 of A–Z a–z 0–9 - _ (upper-cased).
std::string validate_subject_name(const std::string& name);
std::string validate_subject_code(const std::string& code);

Paged<db::SubjectRow> list_subjects(App& app, const Actor& actor, const std::string& q, Page page);
struct SubjectDetail {
  db::SubjectRow subject;
  std::vector<db::AssignmentRow> assignments;  // only for classes.manage
};
SubjectDetail get_subject(App& app, const Actor& actor, std::int64_t subject_id);  // 404 no_such_subject
db::SubjectRow create_subject(App& app, const Actor& actor, const std::string& name, const std::string& code);
db::SubjectRow update_subject(App& app, const Actor& actor, std::int64_t subject_id, const std::string& name,
                              const std::string& code);
// 409 subject_in_use while teachers are assigned to it.
void delete_subject(App& app, const Actor& actor, std::int64_t subject_id);

// classes.view on the class.
std::vector<db::AssignmentRow> class_assignments(App& app, const Actor& actor, std::int64_t class_id);
// The teacher themself or classes.manage.
std::vector<db::AssignmentRow> teacher_assignments(App& app, const Actor& actor, std::int64_t teacher_id);
// classes.manage. subject_id 0 = the class's own teacher. 422 not_a_teacher, 404 class/subject,
// 409 already_assigned.
db::AssignmentRow assign_subject_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t subject_id,
                                         std::int64_t teacher_id);
// classes.manage; 404 no_such_assignment (also for an assignment of another class when class_id
// is given, so ids cannot be probed across classes).
void unassign(App& app, const Actor& actor, std::int64_t class_id, std::int64_t assignment_id);

}  // namespace sy::services
