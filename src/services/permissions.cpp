#include "services/permissions.h"

#include <spdlog/spdlog.h>

#include <map>
#include <utility>

#include "core/error.h"
#include "core/log.h"
#include "db/membership_repo.h"

namespace sy::services {

namespace {

using Key = std::pair<std::string_view, std::string_view>;

// The grant table. Anything not listed is denied (fail closed).
const std::map<Key, Scope>& grants() {
  static const std::map<Key, Scope> g = {
      {{"admin", "users.manage"}, Scope::school},
      {{"admin", "audit.view"}, Scope::school},
      {{"admin", "classes.manage"}, Scope::school},
      {{"admin", "classes.view"}, Scope::school},
      {{"admin", "photos.view"}, Scope::school},
      {{"admin", "photos.view_original"}, Scope::school},
      {{"admin", "photos.moderate"}, Scope::school},
      {{"admin", "consent.set"}, Scope::school},
      {{"admin", "yearbook.view"}, Scope::school},
      {{"admin", "attendance.take"}, Scope::school},
      {{"admin", "attendance.edit_any_day"}, Scope::school},
      {{"admin", "attendance.view"}, Scope::school},
      {{"admin", "attendance.codes"}, Scope::school},
      {{"admin", "timetable.manage"}, Scope::school},
      {{"admin", "timetable.view"}, Scope::school},
      {{"admin", "mail.view"}, Scope::school},
      {{"admin", "notices.write"}, Scope::school},
      {{"admin", "messages.read"}, Scope::school},
      {{"admin", "people.view"}, Scope::school},

      {{"teacher", "classes.view"}, Scope::own_classes},
      {{"teacher", "photos.view"}, Scope::own_classes},
      {{"teacher", "photos.view_original"}, Scope::own_classes},
      {{"teacher", "photos.moderate"}, Scope::own_classes},
      {{"teacher", "yearbook.view"}, Scope::own_classes},
      {{"teacher", "attendance.take"}, Scope::own_classes},
      {{"teacher", "attendance.view"}, Scope::own_classes},
      {{"teacher", "timetable.view"}, Scope::own_classes},
      {{"teacher", "notices.write"}, Scope::own_classes},
      {{"teacher", "messages.read"}, Scope::own_classes},
      {{"teacher", "messages.write"}, Scope::own_classes},
      {{"teacher", "people.view"}, Scope::own_classes},

      {{"student", "photos.upload"}, Scope::self},
      {{"student", "photos.view"}, Scope::self},
      {{"student", "classes.view"}, Scope::self},
      {{"student", "yearbook.view"}, Scope::self},
      {{"student", "attendance.view"}, Scope::self},
      {{"student", "timetable.view"}, Scope::self},
      {{"student", "people.view"}, Scope::self},

      {{"guardian", "photos.view"}, Scope::own_children},
      {{"guardian", "consent.set"}, Scope::own_children},
      {{"guardian", "classes.view"}, Scope::own_children},
      {{"guardian", "yearbook.view"}, Scope::own_children},
      {{"guardian", "attendance.view"}, Scope::own_children},
      {{"guardian", "timetable.view"}, Scope::own_children},
      {{"guardian", "messages.read"}, Scope::own_children},
      {{"guardian", "messages.write"}, Scope::own_children},
      {{"guardian", "people.view"}, Scope::own_children},
  };
  return g;
}

}  // namespace

Scope scope_for(std::string_view role, std::string_view action) {
  if (role == "system") return Scope::school;  // the operator's CLI and start-up tasks
  auto it = grants().find({role, action});
  return it == grants().end() ? Scope::none : it->second;
}

bool can(const Actor& a, std::string_view action) { return scope_for(a.role, action) == Scope::school; }

bool can_on_student(db::Tx& t, const Actor& a, std::string_view action, std::int64_t student_id) {
  switch (scope_for(a.role, action)) {
    case Scope::school:
      return true;
    case Scope::self:
      return a.id == student_id;
    case Scope::own_classes:
      return db::membership::teacher_teaches_student(t, a.id, student_id);
    case Scope::own_children:
      return db::membership::guardian_of(t, a.id, student_id);
    case Scope::none:
      return false;
  }
  return false;
}

bool can_on_class(db::Tx& t, const Actor& a, std::string_view action, std::int64_t class_id) {
  switch (scope_for(a.role, action)) {
    case Scope::school:
      return true;
    case Scope::self:
      return db::membership::student_in_class(t, a.id, class_id);
    case Scope::own_classes:
      return db::membership::teacher_teaches_class(t, a.id, class_id);
    case Scope::own_children:
      return db::membership::guardian_has_child_in_class(t, a.id, class_id);
    case Scope::none:
      return false;
  }
  return false;
}

int role_rank(std::string_view role) {
  if (role == "admin") return 4;
  if (role == "teacher") return 3;
  if (role == "guardian") return 2;
  if (role == "student") return 1;
  return 0;
}

bool can_grant_role(const Actor& a, std::string_view role) {
  if (a.role == "system") return role_rank(role) > 0;
  return can(a, "users.manage") && role_rank(role) > 0 && role_rank(role) <= role_rank(a.role);
}

void deny(const Actor& a, std::string_view action, const std::string& target) {
  spdlog::warn("access denied: user={} role={} action={} target={} request_id={}", a.id, a.role, action,
               log_safe(target), a.request_id);
  throw AppError(ErrorKind::forbidden, "forbidden", "you are not allowed to do that");
}

void require(const Actor& a, std::string_view action) {
  if (!can(a, action)) deny(a, action, "school");
}

}  // namespace sy::services
