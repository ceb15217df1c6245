#include "services/permissions.h"

#include <spdlog/spdlog.h>

#include <map>
#include <utility>

#include "core/error.h"
#include "core/log.h"
#include "db/membership_repo.h"

namespace sy::services {

namespace {

using Key = std::pair<Role, std::string_view>;

// The grant table. Anything not listed is denied (fail closed).
const std::map<Key, Scope>& grants() {
  static const std::map<Key, Scope> g = {
      {{Role::admin, "users.manage"}, Scope::school},
      {{Role::admin, "audit.view"}, Scope::school},
      {{Role::admin, "classes.manage"}, Scope::school},
      {{Role::admin, "classes.view"}, Scope::school},
      {{Role::admin, "photos.view"}, Scope::school},
      {{Role::admin, "photos.view_original"}, Scope::school},
      {{Role::admin, "photos.moderate"}, Scope::school},
      {{Role::admin, "photos.erase"}, Scope::school},
      {{Role::admin, "consent.set"}, Scope::school},
      {{Role::admin, "yearbook.view"}, Scope::school},
      {{Role::admin, "results.publish"}, Scope::school},
      {{Role::admin, "attendance.take"}, Scope::school},
      {{Role::admin, "attendance.edit_any_day"}, Scope::school},
      {{Role::admin, "attendance.view"}, Scope::school},
      {{Role::admin, "attendance.codes"}, Scope::school},
      {{Role::admin, "timetable.manage"}, Scope::school},
      {{Role::admin, "timetable.view"}, Scope::school},
      {{Role::admin, "mail.view"}, Scope::school},
      {{Role::admin, "notices.write"}, Scope::school},
      {{Role::admin, "messages.read"}, Scope::school},
      {{Role::admin, "people.view"}, Scope::school},

      {{Role::teacher, "classes.view"}, Scope::own_classes},
      {{Role::teacher, "photos.view"}, Scope::own_classes},
      {{Role::teacher, "photos.view_original"}, Scope::own_classes},
      {{Role::teacher, "photos.moderate"}, Scope::own_classes},
      {{Role::teacher, "yearbook.view"}, Scope::own_classes},
      {{Role::teacher, "attendance.take"}, Scope::own_classes},
      {{Role::teacher, "attendance.view"}, Scope::own_classes},
      {{Role::teacher, "timetable.view"}, Scope::own_classes},
      {{Role::teacher, "notices.write"}, Scope::own_classes},
      {{Role::teacher, "messages.read"}, Scope::own_classes},
      {{Role::teacher, "messages.write"}, Scope::own_classes},
      {{Role::teacher, "people.view"}, Scope::own_classes},

      {{Role::student, "photos.upload"}, Scope::self},
      {{Role::student, "photos.erase"}, Scope::self},
      {{Role::student, "photos.view"}, Scope::self},
      {{Role::student, "classes.view"}, Scope::self},
      {{Role::student, "yearbook.view"}, Scope::self},
      {{Role::student, "attendance.view"}, Scope::self},
      {{Role::student, "timetable.view"}, Scope::self},
      {{Role::student, "people.view"}, Scope::self},

      {{Role::guardian, "photos.view"}, Scope::own_children},
      {{Role::guardian, "consent.set"}, Scope::own_children},
      {{Role::guardian, "photos.erase"}, Scope::own_children},
      {{Role::guardian, "classes.view"}, Scope::own_children},
      {{Role::guardian, "yearbook.view"}, Scope::own_children},
      {{Role::guardian, "attendance.view"}, Scope::own_children},
      {{Role::guardian, "timetable.view"}, Scope::own_children},
      {{Role::guardian, "messages.read"}, Scope::own_children},
      {{Role::guardian, "messages.write"}, Scope::own_children},
      {{Role::guardian, "people.view"}, Scope::own_children},
  };
  return g;
}

}  // namespace

Scope scope_for(Role role, std::string_view action) {
  if (role == Role::system) return Scope::school;  // the operator's CLI and start-up tasks
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

int role_rank(Role role) {
  switch (role) {
    case Role::admin:
      return 4;
    case Role::teacher:
      return 3;
    case Role::guardian:
      return 2;
    case Role::student:
      return 1;
    case Role::anonymous:
    case Role::system:
      return 0;
  }
  return 0;
}

bool can_grant_role(const Actor& a, Role role) {
  if (a.role == Role::system) return role_rank(role) > 0;
  return can(a, "users.manage") && role_rank(role) > 0 && role_rank(role) <= role_rank(a.role);
}

void deny(const Actor& a, std::string_view action, const std::string& target) {
  spdlog::warn("access denied: user={} role={} action={} target={} request_id={}", a.id, to_string(a.role), action,
               log_safe(target), a.request_id);
  throw AppError(ErrorKind::forbidden, "forbidden", "you are not allowed to do that");
}

void require(const Actor& a, std::string_view action) {
  if (!can(a, action)) deny(a, action, "school");
}

}  // namespace sy::services
