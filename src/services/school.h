#pragma once
// Classes, enrolment, teaching assignments, guardians and photo consent. Every function checks the
// actor's permission on the target (class or student) before touching anything, and every change
// is audited in the same transaction.
#include <cstdint>
#include <string>
#include <vector>

#include "db/accounts_repo.h"
#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct ClassDetail {
  db::ClassRow cls;
  std::vector<db::PersonRow> students;  // username/consent blank unless staff_view
  std::vector<db::TeacherRow> teachers;
  bool staff_view = false;  // admin or a teacher of the class: usernames and consent included
};

struct ChildInfo {
  db::PersonRow child;
  std::vector<db::ClassRow> classes;
};

// Valid consent values, "yearbook" | "print" | "none".
bool valid_consent(const std::string& c);
// Name: 1–100 characters after trimming, no control characters. Year: 1–9999. AppError 422.
std::string validate_class_name(const std::string& name);
void validate_class_year(long long year);

// classes.manage (admin). 409 class_exists for a duplicate name+year.
db::ClassRow create_class(App& app, const Actor& actor, const std::string& name, long long year);
// admin: all; teacher: the classes they teach; student: their own; guardian: their children's.
std::vector<db::ClassRow> list_classes(App& app, const Actor& actor);
// classes.view on the class (403 before 404: no existence probing).
ClassDetail get_class(App& app, const Actor& actor, std::int64_t class_id);

// classes.manage. The user must be an active student (422 not_a_student); 409 already_enrolled.
void enrol_student(App& app, const Actor& actor, std::int64_t class_id, std::int64_t student_id);
void unenrol_student(App& app, const Actor& actor, std::int64_t class_id, std::int64_t student_id);
// classes.manage. The user must be an active teacher; subject ≤ 100 characters; 409 when the same
// teacher already teaches that subject there.
void assign_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t teacher_id,
                    const std::string& subject);
void unassign_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t teacher_id);

// For admin forms that name people by username: the id, or 0 when there is no such user
// (classes.manage or users.manage).
std::int64_t user_id_by_username(App& app, const Actor& actor, const std::string& username);
// Active users of a role for admin pickers (classes.manage), by username, at most `limit`.
std::vector<db::UserRow> active_users(App& app, const Actor& actor, Role role, int limit);

// users.manage (admin): links a guardian account to a student account; 409 already_linked.
void link_guardian(App& app, const Actor& actor, std::int64_t guardian_id, std::int64_t student_id);
void unlink_guardian(App& app, const Actor& actor, std::int64_t guardian_id, std::int64_t student_id);
// The actor's own children (guardians only; 403 for other roles).
std::vector<ChildInfo> my_children(App& app, const Actor& actor);

// consent.set on the student (admin, the student's guardian). Written to the primary and read from
// it by the yearbook, so it takes effect with the next request. Returns the stored value.
std::string set_consent(App& app, const Actor& actor, std::int64_t student_id, const std::string& consent);
// consent.set scope as well (who may change it may read it); "" when never set.
std::string get_consent(App& app, const Actor& actor, std::int64_t student_id);

}  // namespace sy::services
