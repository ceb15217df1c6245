#include "db/subjects_repo.h"

#include <soci/soci.h>

#include <functional>

#include "db/content_versions_repo.h"

namespace sy::db {

std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

namespace {

std::vector<SubjectRow> fetch_subjects(Tx& t, const std::string& q,
                                       const std::function<void(soci::details::prepare_temp_type&)>& use) {
  std::vector<SubjectRow> out;
  SubjectRow r;
  long long id = 0, created = 0;
  auto prep = (t.sql().prepare << q, soci::into(id), soci::into(r.name), soci::into(r.code), soci::into(created));
  use(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.created_at = created;
    out.push_back(r);
  }
  return out;
}

const char* kAssignmentSelect =
    "SELECT ct.id, ct.class_id, c.name, c.year, ct.subject_id, s.name, ct.teacher_id, u.username, u.full_name, "
    "ct.created_at FROM class_teachers ct JOIN classes c ON c.id = ct.class_id "
    "JOIN users u ON u.id = ct.teacher_id LEFT JOIN subjects s ON s.id = ct.subject_id ";

std::vector<AssignmentRow> fetch_assignments(Tx& t, const std::string& tail, long long arg) {
  std::vector<AssignmentRow> out;
  AssignmentRow r;
  long long id = 0, cid = 0, sid = 0, tid = 0, created = 0;
  int year = 0;
  std::string sname;
  soci::indicator sid_ind = soci::i_null, sname_ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << std::string(kAssignmentSelect) + tail, soci::use(arg), soci::into(id), soci::into(cid),
       soci::into(r.class_name), soci::into(year), soci::into(sid, sid_ind), soci::into(sname, sname_ind),
       soci::into(tid), soci::into(r.teacher_username), soci::into(r.teacher_full_name), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.class_id = cid;
    r.class_year = year;
    r.subject_id = sid_ind == soci::i_ok ? sid : 0;
    r.subject_name = sname_ind == soci::i_ok ? sname : "";
    r.teacher_id = tid;
    r.created_at = created;
    out.push_back(r);
  }
  return out;
}

bool deleted_any(Tx& t, const char* q, long long id) {
  soci::statement st = (t.sql().prepare << q, soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace

namespace subjects {

std::int64_t insert(Tx& t, const std::string& name, const std::string& code, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO subjects (name, code, created_at) VALUES (:n, :c, :t)", soci::use(name), soci::use(code),
      soci::use(n);
  return t.last_insert_id();
}

std::optional<SubjectRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  auto rows = fetch_subjects(t, "SELECT id, name, code, created_at FROM subjects WHERE id = :id",
                             [&](auto& p) { p, soci::use(i); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<SubjectRow> by_name(Tx& t, const std::string& name) {
  // The column's collation (NOCASE / utf8mb4_unicode_ci) makes this case-insensitive.
  auto rows = fetch_subjects(t, "SELECT id, name, code, created_at FROM subjects WHERE name = :n",
                             [&](auto& p) { p, soci::use(name); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<SubjectRow> list(Tx& t, const std::string& q, int limit, int offset) {
  std::string pat = like_pattern(q);
  return fetch_subjects(
      t,
      "SELECT id, name, code, created_at FROM subjects WHERE (:q0 = '' OR name LIKE :q1 ESCAPE '!' "
      "OR code LIKE :q2 ESCAPE '!') ORDER BY name, id LIMIT :l OFFSET :o",
      [&](auto& p) { p, soci::use(q), soci::use(pat), soci::use(pat), soci::use(limit), soci::use(offset); });
}

std::int64_t count(Tx& t, const std::string& q) {
  std::string pat = like_pattern(q);
  long long n = 0;
  t.sql() << "SELECT COUNT(*) FROM subjects WHERE (:q0 = '' OR name LIKE :q1 ESCAPE '!' OR code LIKE :q2 ESCAPE '!')",
      soci::use(q), soci::use(pat), soci::use(pat), soci::into(n);
  return n;
}

// Class pages name their teachers' subjects: renaming or deleting a subject changes them.
void bump_classes_teaching(Tx& t, std::int64_t subject_id) {
  long long s = subject_id, c = 0;
  std::vector<std::int64_t> classes;
  soci::statement st = (t.sql().prepare << "SELECT DISTINCT class_id FROM class_teachers WHERE subject_id = :s",
                        soci::use(s), soci::into(c));
  st.execute();
  while (st.fetch()) classes.push_back(c);
  for (auto id : classes) content_versions::bump_class(t, id);
}

void update(Tx& t, std::int64_t id, const std::string& name, const std::string& code) {
  long long i = id;
  t.sql() << "UPDATE subjects SET name = :n, code = :c WHERE id = :id", soci::use(name), soci::use(code), soci::use(i);
  bump_classes_teaching(t, id);
}

bool remove(Tx& t, std::int64_t id) {
  bump_classes_teaching(t, id);
  return deleted_any(t, "DELETE FROM subjects WHERE id = :id", id);
}

std::int64_t assignment_count(Tx& t, std::int64_t id) {
  long long i = id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM class_teachers WHERE subject_id = :id", soci::use(i), soci::into(n);
  return n;
}

}  // namespace subjects

namespace assignments {

std::int64_t insert(Tx& t, std::int64_t class_id, std::int64_t subject_id, std::int64_t teacher_id, std::int64_t now) {
  long long c = class_id, s = subject_id, te = teacher_id, n = now;
  soci::indicator s_ind = subject_id > 0 ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO class_teachers (class_id, subject_id, teacher_id, created_at) VALUES (:c, :s, :t, :n)",
      soci::use(c), soci::use(s, s_ind), soci::use(te), soci::use(n);
  auto id = t.last_insert_id();
  content_versions::bump_class(t, class_id);  // the class page lists its teachers
  return id;
}

std::optional<AssignmentRow> by_id(Tx& t, std::int64_t id) {
  auto rows = fetch_assignments(t, "WHERE ct.id = :id", id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

bool exists(Tx& t, std::int64_t class_id, std::int64_t subject_id, std::int64_t teacher_id) {
  long long c = class_id, s = subject_id, te = teacher_id, n = 0;
  // COALESCE: a NULL subject (the class's own teacher) is one assignment too, which UNIQUE alone
  // would not see.
  t.sql() << "SELECT COUNT(*) FROM class_teachers WHERE class_id = :c AND COALESCE(subject_id, 0) = :s "
             "AND teacher_id = :t",
      soci::use(c), soci::use(s), soci::use(te), soci::into(n);
  return n > 0;
}

std::vector<AssignmentRow> for_class(Tx& t, std::int64_t class_id) {
  return fetch_assignments(t, "WHERE ct.class_id = :c ORDER BY s.name, u.full_name, u.username, ct.id", class_id);
}

std::vector<AssignmentRow> for_teacher(Tx& t, std::int64_t teacher_id) {
  return fetch_assignments(t, "WHERE ct.teacher_id = :t ORDER BY c.year DESC, c.name, s.name, ct.id", teacher_id);
}

std::vector<AssignmentRow> for_subject(Tx& t, std::int64_t subject_id) {
  return fetch_assignments(t, "WHERE ct.subject_id = :s ORDER BY c.year DESC, c.name, u.full_name, ct.id", subject_id);
}

bool remove(Tx& t, std::int64_t id) {
  if (auto a = by_id(t, id)) content_versions::bump_class(t, a->class_id);
  return deleted_any(t, "DELETE FROM class_teachers WHERE id = :id", id);
}

}  // namespace assignments

}  // namespace sy::db
