// Import kinds for the school's structure: classes, enrolments and subjects.
#include <optional>
#include <set>

#include "core/error.h"
#include "db/people_repo.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "services/import_kinds.h"
#include "services/people.h"
#include "services/school.h"
#include "services/subjects.h"

namespace sy::services {

namespace {

[[noreturn]] void row_error(const std::string& msg) { fail(ErrorKind::invalid, "invalid_row", msg); }

std::string class_label(const std::string& name, int year) { return name + " (" + std::to_string(year) + ")"; }

// An active teacher by username, else a row error.
std::int64_t teacher_id(db::Tx& t, const std::string& username) {
  auto p = db::people::by_username(t, username);
  if (!p) row_error("there is no user '" + username + "' (import staff first)");
  if (p->role != sy::Role::teacher || !p->active) row_error("'" + username + "' is not an active teacher");
  return p->id;
}

// class_name + year cells, validated; nullopt when both are empty.
std::optional<std::pair<std::string, int>> class_cells(const ImportRow& row, bool required) {
  std::string name = row.get("class_name"), year = row.get("year");
  if (name.empty() && year.empty()) {
    if (required) row_error("class_name and year are required");
    return std::nullopt;
  }
  if (name.empty() || year.empty()) row_error("class_name and year go together (both or neither)");
  int y = parse_year(year);
  return std::make_pair(validate_class_name(name), y);
}

// Assigns the teacher unless already assigned; true when it was new.
bool assign(ImportSession& s, std::int64_t class_id, std::int64_t subject_id, std::int64_t tid) {
  if (db::assignments::exists(s.tx, class_id, subject_id, tid)) return false;
  db::assignments::insert(s.tx, class_id, subject_id, tid, s.now);
  s.audit("class.assign_teacher", "class", std::to_string(class_id),
          "teacher_id=" + std::to_string(tid) + " subject_id=" + std::to_string(subject_id));
  return true;
}

void run_classes(ImportSession& s, const std::vector<ImportRow>& rows) {
  std::set<std::pair<std::string, int>> seen;
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    auto cc = class_cells(row, true);
    rep.key = class_label(cc->first, cc->second);
    std::string teacher = row.get("teacher_username");
    check_username(teacher, "teacher_username");
    if (!seen.insert(*cc).second) row_error(rep.key + " appears on an earlier line");
    std::int64_t tid = teacher.empty() ? 0 : teacher_id(s.tx, teacher);
    auto c = db::classes::by_name_year(s.tx, cc->first, cc->second);
    if (!c) {
      auto id = db::classes::insert(s.tx, cc->first, cc->second, s.now);
      s.audit("class.create", "class", std::to_string(id), "name=" + cc->first + " year=" + std::to_string(cc->second));
      c = db::classes::by_id(s.tx, id);
      rep.outcome = "created";
      rep.message = "class created";
    }
    if (tid && assign(s, c->id, 0, tid)) {
      if (rep.outcome != "created") rep.outcome = "updated";
      rep.message += std::string(rep.message.empty() ? "" : "; ") + teacher + " is its teacher";
    }
  });
}

void run_enrolments(ImportSession& s, const std::vector<ImportRow>& rows) {
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    auto cc = class_cells(row, true);
    std::string username = row.get("username"), adm = validate_admission_no(row.get("admission_no"));
    rep.key = (username.empty() ? adm : username) + " → " + class_label(cc->first, cc->second);
    if (username.empty() && adm.empty()) row_error("username or admission_no is required");
    check_username(username, "username");
    std::optional<db::ProfileRow> p;
    if (!adm.empty()) {
      p = db::people::by_admission_no(s.tx, adm);
      if (!p) row_error("no student has admission number " + adm);
      if (!username.empty() && p->username != username)
        row_error("admission number " + adm + " belongs to '" + p->username + "', not '" + username + "'");
    } else {
      p = db::people::by_username(s.tx, username);
      if (!p) row_error("there is no user '" + username + "' (import students first)");
    }
    if (p->role != sy::Role::student || !p->active) row_error("'" + p->username + "' is not an active student");
    auto c = db::classes::by_name_year(s.tx, cc->first, cc->second);
    if (!c) row_error("there is no class " + class_label(cc->first, cc->second) + " (import classes first)");
    if (db::classes::is_enrolled(s.tx, c->id, p->id)) return;
    db::classes::enrol(s.tx, c->id, p->id, s.now);
    s.audit("class.enrol", "class", std::to_string(c->id), "student_id=" + std::to_string(p->id));
    rep.outcome = "created";
    rep.message = "enrolled";
  });
}

void run_subjects(ImportSession& s, const std::vector<ImportRow>& rows) {
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    std::string name = validate_subject_name(row.get("name"));
    rep.key = name;
    std::string code = validate_subject_code(row.get("code"));
    auto cc = class_cells(row, false);
    std::string teacher = row.get("teacher_username");
    check_username(teacher, "teacher_username");
    if (!teacher.empty() && !cc) row_error("teacher_username needs class_name and year (who teaches it where)");
    std::optional<db::ClassRow> cls;
    if (cc) {
      cls = db::classes::by_name_year(s.tx, cc->first, cc->second);
      if (!cls) row_error("there is no class " + class_label(cc->first, cc->second) + " (import classes first)");
      if (teacher.empty()) row_error("class_name and year need teacher_username (who teaches it there)");
    }
    std::int64_t tid = teacher.empty() ? 0 : teacher_id(s.tx, teacher);
    std::vector<std::string> did;
    auto sub = db::subjects::by_name(s.tx, name);
    if (!sub) {
      auto id = db::subjects::insert(s.tx, name, code, s.now);
      s.audit("subject.create", "subject", std::to_string(id), "name=" + name);
      sub = db::subjects::by_id(s.tx, id);
      rep.outcome = "created";
      did.push_back("subject created");
    } else if (!code.empty() && sub->code != code) {
      db::subjects::update(s.tx, sub->id, sub->name, code);
      s.audit("subject.update", "subject", std::to_string(sub->id), "code=" + code);
      rep.outcome = "updated";
      did.push_back("code set to " + code);
    }
    if (tid && assign(s, cls->id, sub->id, tid)) {
      if (rep.outcome != "created") rep.outcome = "updated";
      did.push_back(teacher + " teaches it in " + class_label(cls->name, cls->year));
    }
    for (const auto& d : did) rep.message += (rep.message.empty() ? "" : "; ") + d;
  });
}

}  // namespace

Importer classes_importer() {
  Importer i;
  i.kind = "classes";
  i.title = "Classes";
  i.columns = {{"class_name", "e.g. 7A; matched with year"},
               {"year", "the academic year's number, e.g. 2026 (created with placeholder dates when missing)"},
               {"teacher_username", "the class's own teacher (form tutor), optional"}};
  i.required = {"class_name", "year"};
  i.actions = {"classes.manage"};
  i.run = run_classes;
  return i;
}

Importer enrolments_importer() {
  Importer i;
  i.kind = "enrolments";
  i.title = "Enrolments (students into existing classes)";
  i.columns = {{"class_name", ""},
               {"year", ""},
               {"username", "the student"},
               {"admission_no", "or the student's admission number"}};
  i.required = {"class_name", "year"};
  i.any_of = {"username", "admission_no"};
  i.actions = {"classes.manage"};
  i.run = run_enrolments;
  return i;
}

Importer subjects_importer() {
  Importer i;
  i.kind = "subjects";
  i.title = "Subjects (and who teaches them where)";
  i.columns = {{"name", "the subject; matched (case-insensitive)"},
               {"code", "optional short code, e.g. MATH"},
               {"class_name", "with year and teacher_username: assign the teacher to the class for this subject"},
               {"year", ""},
               {"teacher_username", ""}};
  i.required = {"name"};
  i.actions = {"classes.manage"};
  i.run = run_subjects;
  return i;
}

}  // namespace sy::services
