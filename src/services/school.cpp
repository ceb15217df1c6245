#include "services/school.h"

#include "services/shared_pages.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/yearbook_export.h"

namespace sy::services {

namespace {

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string class_target(std::int64_t id) { return "class " + std::to_string(id); }

db::ClassRow class_or_404(db::Tx& t, std::int64_t class_id) {
  auto c = db::classes::by_id(t, class_id);
  if (!c) not_found("no such class");
  return *c;
}

// The user when it is an active account of that role, else AppError 422 <code>.
db::UserRow active_user_with_role(db::Tx& t, std::int64_t id, Role role, const std::string& code) {
  auto u = db::users::by_id(t, id);
  if (!u || !u->active || u->role != role)
    fail(ErrorKind::invalid, code, "user " + std::to_string(id) + " is not an active " + to_string(role));
  return *u;
}

}  // namespace

bool valid_consent(const std::string& c) { return c == "yearbook" || c == "print" || c == "none"; }

std::string validate_class_name(const std::string& name) {
  std::string n = text::trim_copy(name, text::kSpaceTab);
  if (n.empty() || text::utf8_length(n) > 100)
    fail(ErrorKind::invalid, "invalid_name", "the class name must have 1 to 100 characters");
  if (has_control(n)) fail(ErrorKind::invalid, "invalid_name", "the class name must not contain control characters");
  return n;
}

void validate_class_year(long long year) {
  if (year < 1 || year > 9999)
    fail(ErrorKind::invalid, "invalid_year", "the year must be a whole number from 1 to 9999");
}

db::ClassRow create_class(App& app, const Actor& actor, const std::string& name_in, long long year) {
  require(actor, "classes.manage");
  std::string name = validate_class_name(name_in);
  validate_class_year(year);
  db::ClassRow row;
  app.db->tx([&](db::Tx& t) {
    if (db::classes::by_name_year(t, name, static_cast<int>(year)))
      fail(ErrorKind::conflict, "class_exists", "a class with that name already exists for that year");
    row.created_at = now_unix();
    row.id = db::classes::insert(t, name, static_cast<int>(year), row.created_at);
    row.name = name;
    row.year = static_cast<int>(year);
    audit(t, actor, "class.create", "class", std::to_string(row.id), "name=" + name + " year=" + std::to_string(year));
  });
  return row;
}

std::vector<db::ClassRow> list_classes(App& app, const Actor& actor) {
  return app.reader().read_result<std::vector<db::ClassRow>>([&](db::Tx& t) -> std::vector<db::ClassRow> {
    switch (scope_for(actor.role, "classes.view")) {
      case Scope::school:
        return db::classes::list_all(t);
      case Scope::own_classes:
        return db::classes::for_teacher(t, actor.id);
      case Scope::self:
        return db::classes::for_student(t, actor.id);
      case Scope::own_children:
        return db::classes::for_guardian(t, actor.id);
      case Scope::none:
        break;
    }
    deny(actor, "classes.view", "class list");
  });
}

ClassDetail get_class(App& app, const Actor& actor, std::int64_t class_id) {
  return app.db->read_result<ClassDetail>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "classes.view", class_id)) deny(actor, "classes.view", class_target(class_id));
    ClassDetail d;
    d.cls = class_or_404(t, class_id);
    d.students = db::classes::students(t, class_id);
    d.teachers = db::classes::teachers(t, class_id);
    // Classmates and parents see names only; usernames and consent are for staff.
    d.staff_view = roster_staff_view(actor);
    if (!d.staff_view)
      for (auto& s : d.students) {
        s.username.clear();
        s.consent.clear();
      }
    return d;
  });
}

void enrol_student(App& app, const Actor& actor, std::int64_t class_id, std::int64_t student_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    class_or_404(t, class_id);
    active_user_with_role(t, student_id, Role::student, "not_a_student");
    if (db::classes::is_enrolled(t, class_id, student_id))
      fail(ErrorKind::conflict, "already_enrolled", "the student is already enrolled in that class");
    db::classes::enrol(t, class_id, student_id, now_unix());
    audit(t, actor, "class.enrol", "class", std::to_string(class_id), "student_id=" + std::to_string(student_id));
  });
}

void unenrol_student(App& app, const Actor& actor, std::int64_t class_id, std::int64_t student_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    class_or_404(t, class_id);
    if (!db::classes::unenrol(t, class_id, student_id)) not_found("the student is not enrolled in that class");
    audit(t, actor, "class.unenrol", "class", std::to_string(class_id), "student_id=" + std::to_string(student_id));
  });
}

void assign_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t teacher_id,
                    const std::string& subject_in) {
  require(actor, "classes.manage");
  std::string subject = text::trim_copy(subject_in, text::kSpaceTab);
  if (text::utf8_length(subject) > 100 || has_control(subject))
    fail(ErrorKind::invalid, "invalid_subject",
         "the subject must have at most 100 characters and no control characters");
  app.db->tx([&](db::Tx& t) {
    class_or_404(t, class_id);
    active_user_with_role(t, teacher_id, Role::teacher, "not_a_teacher");
    if (db::classes::teaches(t, class_id, teacher_id, subject))
      fail(ErrorKind::conflict, "already_assigned", "the teacher already teaches that subject in that class");
    db::classes::assign_teacher(t, class_id, teacher_id, subject, now_unix());
    audit(t, actor, "class.assign_teacher", "class", std::to_string(class_id),
          "teacher_id=" + std::to_string(teacher_id) + " subject=" + subject);
  });
}

void unassign_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t teacher_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    class_or_404(t, class_id);
    if (db::classes::unassign_teacher(t, class_id, teacher_id) == 0) not_found("the teacher does not teach that class");
    audit(t, actor, "class.unassign_teacher", "class", std::to_string(class_id),
          "teacher_id=" + std::to_string(teacher_id));
  });
}

std::int64_t user_id_by_username(App& app, const Actor& actor, const std::string& username) {
  if (!can(actor, "users.manage")) require(actor, "classes.manage");
  auto u = app.db->read_result<std::optional<db::UserRow>>(
      [&](db::Tx& t) { return db::users::by_username(t, text::trim_copy(username, text::kSpaceTab)); });
  return u ? u->id : 0;
}

std::vector<db::UserRow> active_users(App& app, const Actor& actor, Role role, int limit) {
  require(actor, "classes.manage");
  return app.reader().read_result<std::vector<db::UserRow>>([&](db::Tx& t) {
    std::vector<db::UserRow> out;
    for (auto& u : db::users::list(t, role, limit, 0))
      if (u.active) out.push_back(std::move(u));
    return out;
  });
}

void link_guardian(App& app, const Actor& actor, std::int64_t guardian_id, std::int64_t student_id) {
  require(actor, "users.manage");
  app.db->tx([&](db::Tx& t) {
    active_user_with_role(t, guardian_id, Role::guardian, "not_a_guardian");
    active_user_with_role(t, student_id, Role::student, "not_a_student");
    if (db::guardians::linked(t, guardian_id, student_id))
      fail(ErrorKind::conflict, "already_linked", "that guardian is already linked to that student");
    db::guardians::link(t, guardian_id, student_id, now_unix());
    audit(t, actor, "guardian.link", "user", std::to_string(student_id), "guardian_id=" + std::to_string(guardian_id));
  });
}

void unlink_guardian(App& app, const Actor& actor, std::int64_t guardian_id, std::int64_t student_id) {
  require(actor, "users.manage");
  app.db->tx([&](db::Tx& t) {
    if (!db::guardians::unlink(t, guardian_id, student_id)) not_found("that guardian is not linked to that student");
    audit(t, actor, "guardian.unlink", "user", std::to_string(student_id),
          "guardian_id=" + std::to_string(guardian_id));
  });
}

std::vector<ChildInfo> my_children(App& app, const Actor& actor) {
  if (actor.role != Role::guardian) deny(actor, "guardian.children", "children of " + std::to_string(actor.id));
  return app.db->read_result<std::vector<ChildInfo>>([&](db::Tx& t) {
    std::vector<ChildInfo> out;
    for (auto& c : db::guardians::children(t, actor.id)) {
      if (!c.active) continue;
      out.push_back({c, db::classes::for_student(t, c.id)});
    }
    return out;
  });
}

std::string set_consent(App& app, const Actor& actor, std::int64_t student_id, const std::string& consent) {
  if (!valid_consent(consent)) fail(ErrorKind::invalid, "invalid_consent", "consent must be yearbook, print or none");
  std::vector<std::string> pdfs;
  app.db->tx([&](db::Tx& t) {
    if (!can_on_student(t, actor, "consent.set", student_id))
      deny(actor, "consent.set", "student " + std::to_string(student_id));
    auto u = db::users::by_id(t, student_id);
    if (!u || u->role != Role::student) not_found("no such student");
    auto before = db::consent::get(t, student_id);
    db::consent::set(t, student_id, consent, actor.id, now_unix());
    // Stored PDFs showing the student go with the change (no stale file is served anyway: the
    // cache key is the content).
    pdfs = drop_pdfs_showing_student(t, student_id);
    audit(t, actor, "consent.set", "user", std::to_string(student_id),
          "from=" + before.value_or("unset") + " to=" + consent);
  });
  delete_objects(app, pdfs);
  return consent;
}

std::string get_consent(App& app, const Actor& actor, std::int64_t student_id) {
  return app.db->read_result<std::string>([&](db::Tx& t) {
    if (!can_on_student(t, actor, "consent.set", student_id))
      deny(actor, "consent.set", "student " + std::to_string(student_id));
    auto u = db::users::by_id(t, student_id);
    if (!u || u->role != Role::student) not_found("no such student");
    return db::consent::get(t, student_id).value_or("");
  });
}

}  // namespace sy::services
