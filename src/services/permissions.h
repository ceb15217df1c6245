#pragma once
// The permission model in one place: role × action → scope (Gibbon-style). A scope says how far
// the grant reaches: the actor's own record, the classes they teach, their children, the school.
// Every check that fails is logged and audited as access.denied by the caller's layer.
#include <cstdint>
#include <string>
#include <string_view>

#include "db/database.h"
#include "services/actor.h"

namespace sy::services {

enum class Scope { none, self, own_classes, own_children, school };

// Actions (keep the list short and meaningful):
//   users.manage        create/deactivate/reset users (school: admin)
//   audit.view          browse the audit log
//   classes.manage      create classes, enrol students, assign teachers
//   classes.view        see a class and its roster
//   photos.upload       upload one's own photo (self: student)
//   photos.view         see a student's processed photo
//   photos.view_original see the uploaded original (moderators)
//   photos.moderate     approve / reject
//   consent.set         set a student's photo consent
//   yearbook.view       see a class yearbook
//   attendance.take     take and edit a class's register today (teacher: own classes)
//   attendance.edit_any_day  edit a register of another day (the office)
//   attendance.view     a student's attendance report (on a class: the class report)
//   attendance.codes    configure the attendance codes
//   timetable.manage    periods, rooms and slots
//   timetable.view      a class's or a student's timetable (teacher: own classes)
//   mail.view           the email outbox and its dead letters (school: admin)
//   notices.write       write notices (school: admin; own_classes: teacher, to their classes)
//   messages.read       a student's teacher–guardian thread (admin reads any, for safeguarding)
//   messages.write      write in it (the student's teachers and guardians only)
//   results.publish     publish and withdraw results (school: admin)
//   people.view         see a person's record (admission number, birth date, contacts)
Scope scope_for(Role role, std::string_view action);

// School-wide check (no target): true only for scope school.
bool can(const Actor& a, std::string_view action);
// Checks against a target student / class, resolving the scope through the database.
bool can_on_student(db::Tx& t, const Actor& a, std::string_view action, std::int64_t student_id);
bool can_on_class(db::Tx& t, const Actor& a, std::string_view action, std::int64_t class_id);

// Roles an actor may grant: never above their own (only admins create accounts at all).
bool can_grant_role(const Actor& a, Role role);
// admin 4, teacher 3, guardian 2, student 1; 0 for system and anonymous (not account roles).
int role_rank(Role role);

// Logs the denial and throws AppError 403 "forbidden". The HTTP middleware writes the
// access.denied audit row once the failed transaction has unwound.
[[noreturn]] void deny(const Actor& a, std::string_view action, const std::string& target);
// can(...) or deny(...).
void require(const Actor& a, std::string_view action);

}  // namespace sy::services
