#include "services/subjects.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/school_repo.h"
#include "services/audit.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

db::SubjectRow subject_or_404(db::Tx& t, std::int64_t id) {
  auto s = db::subjects::by_id(t, id);
  if (!s) fail(ErrorKind::not_found, "no_such_subject", "no such subject");
  return *s;
}

}  // namespace

std::string validate_subject_name(const std::string& in) {
  std::string n = text::trim_copy(in, text::kSpaceTab);
  if (n.empty() || !text::valid_utf8(n) || text::utf8_length(n) > 100)
    fail(ErrorKind::invalid, "invalid_subject", "the subject name must have 1 to 100 characters");
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) fail(ErrorKind::invalid, "invalid_subject", "the subject name has control characters");
  return n;
}

std::string validate_subject_code(const std::string& in) {
  std::string c = text::to_upper(text::trim_copy(in, text::kSpaceTab));
  if (c.size() > 20) fail(ErrorKind::invalid, "invalid_code", "a subject code has at most 20 characters");
  for (char ch : c)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      fail(ErrorKind::invalid, "invalid_code", "a subject code has letters, digits, - and _ only");
  return c;
}

Paged<db::SubjectRow> list_subjects(App& app, const Actor& actor, const std::string& q, Page page) {
  if (actor.role == Role::anonymous) unauthorized();
  page = clamp_page(page);
  return app.reader().read_result<Paged<db::SubjectRow>>([&](db::Tx& t) {
    Paged<db::SubjectRow> out;
    out.page = page;
    out.total = db::subjects::count(t, q);
    out.items = db::subjects::list(t, q, page.limit, page.offset);
    return out;
  });
}

SubjectDetail get_subject(App& app, const Actor& actor, std::int64_t subject_id) {
  if (actor.role == Role::anonymous) unauthorized();
  return app.db->read_result<SubjectDetail>([&](db::Tx& t) {
    SubjectDetail d;
    d.subject = subject_or_404(t, subject_id);
    if (can(actor, "classes.manage")) d.assignments = db::assignments::for_subject(t, subject_id);
    return d;
  });
}

db::SubjectRow create_subject(App& app, const Actor& actor, const std::string& name_in, const std::string& code_in) {
  require(actor, "classes.manage");
  db::SubjectRow row;
  row.name = validate_subject_name(name_in);
  row.code = validate_subject_code(code_in);
  app.db->tx([&](db::Tx& t) {
    if (db::subjects::by_name(t, row.name)) fail(ErrorKind::conflict, "subject_exists", "that subject already exists");
    row.created_at = now_unix();
    row.id = db::subjects::insert(t, row.name, row.code, row.created_at);
    audit(t, actor, "subject.create", "subject", std::to_string(row.id), "name=" + row.name);
  });
  return row;
}

db::SubjectRow update_subject(App& app, const Actor& actor, std::int64_t subject_id, const std::string& name_in,
                              const std::string& code_in) {
  require(actor, "classes.manage");
  std::string name = validate_subject_name(name_in), code = validate_subject_code(code_in);
  return app.db->tx_result<db::SubjectRow>([&](db::Tx& t) {
    auto row = subject_or_404(t, subject_id);
    if (auto other = db::subjects::by_name(t, name); other && other->id != subject_id)
      fail(ErrorKind::conflict, "subject_exists", "another subject has that name");
    std::string old = row.name;
    row.name = name;
    row.code = code;
    db::subjects::update(t, subject_id, name, code);
    audit(t, actor, "subject.update", "subject", std::to_string(subject_id), "from=" + old + " to=" + name);
    return row;
  });
}

void delete_subject(App& app, const Actor& actor, std::int64_t subject_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    auto row = subject_or_404(t, subject_id);
    if (db::subjects::assignment_count(t, subject_id) > 0)
      fail(ErrorKind::conflict, "subject_in_use", "teachers are assigned to this subject; unassign them first");
    db::subjects::remove(t, subject_id);
    audit(t, actor, "subject.delete", "subject", std::to_string(subject_id), "name=" + row.name);
  });
}

std::vector<db::AssignmentRow> class_assignments(App& app, const Actor& actor, std::int64_t class_id) {
  return app.db->read_result<std::vector<db::AssignmentRow>>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "classes.view", class_id))
      deny(actor, "classes.view", "class " + std::to_string(class_id));
    if (!db::classes::by_id(t, class_id)) fail(ErrorKind::not_found, "no_such_class", "no such class");
    return db::assignments::for_class(t, class_id);
  });
}

std::vector<db::AssignmentRow> teacher_assignments(App& app, const Actor& actor, std::int64_t teacher_id) {
  if (actor.id != teacher_id || teacher_id <= 0) require(actor, "classes.manage");
  return app.reader().read_result<std::vector<db::AssignmentRow>>(
      [&](db::Tx& t) { return db::assignments::for_teacher(t, teacher_id); });
}

db::AssignmentRow assign_subject_teacher(App& app, const Actor& actor, std::int64_t class_id, std::int64_t subject_id,
                                         std::int64_t teacher_id) {
  require(actor, "classes.manage");
  return app.db->tx_result<db::AssignmentRow>([&](db::Tx& t) {
    if (!db::classes::by_id(t, class_id)) fail(ErrorKind::not_found, "no_such_class", "no such class");
    if (subject_id != 0) subject_or_404(t, subject_id);
    auto u = db::users::by_id(t, teacher_id);
    if (!u || !u->active || u->role != sy::Role::teacher)
      fail(ErrorKind::invalid, "not_a_teacher", "user " + std::to_string(teacher_id) + " is not an active teacher");
    if (db::assignments::exists(t, class_id, subject_id, teacher_id))
      fail(ErrorKind::conflict, "already_assigned", "the teacher already teaches that subject in that class");
    auto id = db::assignments::insert(t, class_id, subject_id, teacher_id, now_unix());
    audit(t, actor, "class.assign_teacher", "class", std::to_string(class_id),
          "teacher_id=" + std::to_string(teacher_id) + " subject_id=" + std::to_string(subject_id));
    return *db::assignments::by_id(t, id);
  });
}

void unassign(App& app, const Actor& actor, std::int64_t class_id, std::int64_t assignment_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    auto a = db::assignments::by_id(t, assignment_id);
    if (!a || (class_id != 0 && a->class_id != class_id))
      fail(ErrorKind::not_found, "no_such_assignment", "no such teaching assignment");
    db::assignments::remove(t, assignment_id);
    audit(t, actor, "class.unassign_teacher", "class", std::to_string(a->class_id),
          "teacher_id=" + std::to_string(a->teacher_id) + " subject_id=" + std::to_string(a->subject_id));
  });
}

}  // namespace sy::services
