#include "db/school_repo.h"

#include <soci/soci.h>

#include <cstdio>
#include "db/content_versions_repo.h"
#include "db/row_mapping.h"

#include "db/subjects_repo.h"
#include "db/years_repo.h"

namespace sy::db {

namespace {

std::vector<ClassRow> fetch_classes(Tx& t, const std::string& where, long long arg, bool with_arg) {
  std::vector<ClassRow> out;
  ClassRow r;
  long long id = 0, created = 0, year_id = 0;
  int year = 0;
  soci::indicator year_ind = soci::i_null;
  std::string q = "SELECT DISTINCT c.id, c.name, c.year, c.created_at, c.academic_year_id FROM classes c " + where +
                  " ORDER BY c.year DESC, c.name, c.id";
  auto prep = (t.sql().prepare << q, soci::into(id), soci::into(r.name), soci::into(year), soci::into(created),
               soci::into(year_id, year_ind));
  if (with_arg) prep, soci::use(arg);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.year = year;
    r.created_at = created;
    r.academic_year_id = year_ind == soci::i_ok ? year_id : 0;
    out.push_back(r);
  }
  return out;
}

std::int64_t ensure_year(Tx& t, int year, std::int64_t now) {
  if (auto y = years::by_year(t, year)) return y->id;
  YearRow row;
  row.year = year;
  row.name = std::to_string(year);
  char start[16], end[16];
  std::snprintf(start, sizeof start, "%04d-01-01", year);
  std::snprintf(end, sizeof end, "%04d-12-31", year);
  row.start_date = start;
  row.end_date = end;
  row.created_at = now;
  std::int64_t id = years::insert(t, row);
  if (!years::current(t)) years::set_current(t, id);
  return id;
}

// The id of the subject with that name, 0 for "" (no subject); created when `create`.
std::int64_t subject_id_for(Tx& t, const std::string& subject, bool create, std::int64_t now) {
  if (subject.empty()) return 0;
  if (auto s = subjects::by_name(t, subject)) return s->id;
  return create ? subjects::insert(t, subject, "", now) : -1;
}

std::vector<PersonRow> fetch_people(Tx& t, const std::string& q, long long arg) {
  std::vector<PersonRow> out;
  PersonRow r;
  long long id = 0;
  int active = 0;
  std::string consent;
  soci::indicator ind = soci::i_null;
  soci::statement st = (t.sql().prepare << q, soci::use(arg), soci::into(id), soci::into(r.username),
                        soci::into(r.full_name), soci::into(active), soci::into(consent, ind));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.active = active != 0;
    r.consent = ind == soci::i_ok ? consent : "";
    out.push_back(r);
  }
  return out;
}

int affected(soci::statement& st) { return static_cast<int>(st.get_affected_rows()); }

}  // namespace

namespace classes {

std::int64_t insert(Tx& t, const std::string& name, int year, std::int64_t now) {
  long long n = now, year_id = ensure_year(t, year, now);
  t.sql() << "INSERT INTO classes (name, year, created_at, academic_year_id) VALUES (:n, :y, :c, :a)", soci::use(name),
      soci::use(year), soci::use(n), soci::use(year_id);
  return t.last_insert_id();
}

std::vector<ClassRow> for_year(Tx& t, std::int64_t academic_year_id) {
  return fetch_classes(t, "WHERE c.academic_year_id = :a", academic_year_id, true);
}

std::optional<ClassRow> by_id(Tx& t, std::int64_t id) {
  auto rows = fetch_classes(t, "WHERE c.id = :id", id, true);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<ClassRow> by_name_year(Tx& t, const std::string& name, int year) {
  return rows::first(
      rows::fetch<ClassRow>(t, "SELECT id, name, year, created_at FROM classes WHERE name = :n AND year = :y",
                            [&](auto& p) { p, soci::use(name), soci::use(year); }));
}

std::vector<ClassRow> list_all(Tx& t) { return fetch_classes(t, "", 0, false); }

std::vector<ClassRow> for_teacher(Tx& t, std::int64_t teacher_id) {
  return fetch_classes(t, "JOIN class_teachers ct ON ct.class_id = c.id WHERE ct.teacher_id = :t", teacher_id, true);
}

std::vector<ClassRow> for_student(Tx& t, std::int64_t student_id) {
  return fetch_classes(t, "JOIN class_students cs ON cs.class_id = c.id WHERE cs.student_id = :s", student_id, true);
}

std::vector<ClassRow> for_guardian(Tx& t, std::int64_t guardian_id) {
  return fetch_classes(
      t,
      "JOIN class_students cs ON cs.class_id = c.id JOIN guardian_links g ON g.student_id = "
      "cs.student_id JOIN users su ON su.id = cs.student_id AND su.active = 1 WHERE g.guardian_id = :g",
      guardian_id, true);
}

std::vector<PersonRow> students(Tx& t, std::int64_t class_id) {
  return fetch_people(t,
                      "SELECT u.id AS id, u.username AS username, u.full_name AS full_name, u.active AS active, "
                      "sc.consent AS consent FROM class_students cs "
                      "JOIN users u ON u.id = cs.student_id LEFT JOIN student_consent sc ON sc.student_id = u.id "
                      "WHERE cs.class_id = :c ORDER BY u.full_name, u.username",
                      class_id);
}

std::vector<TeacherRow> teachers(Tx& t, std::int64_t class_id) {
  std::vector<TeacherRow> out;
  TeacherRow r;
  long long id = 0, c = class_id, sid = 0;
  std::string subject;
  soci::indicator sid_ind = soci::i_null, subject_ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << "SELECT u.id, u.username, u.full_name, s.name, ct.subject_id FROM class_teachers ct "
                          "JOIN users u ON u.id = ct.teacher_id LEFT JOIN subjects s ON s.id = ct.subject_id "
                          "WHERE ct.class_id = :c ORDER BY u.full_name, u.username, s.name, ct.id",
       soci::use(c), soci::into(id), soci::into(r.username), soci::into(r.full_name), soci::into(subject, subject_ind),
       soci::into(sid, sid_ind));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.subject = subject_ind == soci::i_ok ? subject : "";
    r.subject_id = sid_ind == soci::i_ok ? sid : 0;
    out.push_back(r);
  }
  return out;
}

bool is_enrolled(Tx& t, std::int64_t class_id, std::int64_t student_id) {
  long long c = class_id, s = student_id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM class_students WHERE class_id = :c AND student_id = :s", soci::use(c), soci::use(s),
      soci::into(n);
  return n > 0;
}

void enrol(Tx& t, std::int64_t class_id, std::int64_t student_id, std::int64_t now) {
  long long c = class_id, s = student_id, n = now;
  t.sql() << "INSERT INTO class_students (class_id, student_id, created_at) VALUES (:c, :s, :n)", soci::use(c),
      soci::use(s), soci::use(n);
  content_versions::bump_class(t, class_id);
}

bool unenrol(Tx& t, std::int64_t class_id, std::int64_t student_id) {
  long long c = class_id, s = student_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM class_students WHERE class_id = :c AND student_id = :s",
                        soci::use(c), soci::use(s));
  st.execute(true);
  bool removed = affected(st) > 0;
  content_versions::bump_class(t, class_id);
  return removed;
}

bool teaches(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject) {
  std::int64_t sid = subject_id_for(t, subject, false, 0);
  return sid >= 0 && assignments::exists(t, class_id, sid, teacher_id);
}

void assign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject,
                    std::int64_t now) {
  assignments::insert(t, class_id, subject_id_for(t, subject, true, now), teacher_id, now);
}

int unassign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id) {
  long long c = class_id, te = teacher_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM class_teachers WHERE class_id = :c AND teacher_id = :t",
                        soci::use(c), soci::use(te));
  st.execute(true);
  int removed = affected(st);
  content_versions::bump_class(t, class_id);
  return removed;
}

}  // namespace classes

namespace guardians {

bool linked(Tx& t, std::int64_t guardian_id, std::int64_t student_id) {
  long long g = guardian_id, s = student_id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM guardian_links WHERE guardian_id = :g AND student_id = :s", soci::use(g),
      soci::use(s), soci::into(n);
  return n > 0;
}

void link(Tx& t, std::int64_t guardian_id, std::int64_t student_id, std::int64_t now) {
  long long g = guardian_id, s = student_id, n = now;
  t.sql() << "INSERT INTO guardian_links (guardian_id, student_id, created_at) VALUES (:g, :s, :n)", soci::use(g),
      soci::use(s), soci::use(n);
  content_versions::bump_personal(t);  // the guardian's notices follow the child's classes
}

bool unlink(Tx& t, std::int64_t guardian_id, std::int64_t student_id) {
  long long g = guardian_id, s = student_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM guardian_links WHERE guardian_id = :g AND student_id = :s",
                        soci::use(g), soci::use(s));
  st.execute(true);
  const bool removed = affected(st) > 0;  // before the bump: MariaDB counts per connection
  content_versions::bump_personal(t);
  return removed;
}

std::vector<PersonRow> children(Tx& t, std::int64_t guardian_id) {
  return fetch_people(t,
                      "SELECT u.id AS id, u.username AS username, u.full_name AS full_name, u.active AS active, "
                      "sc.consent AS consent FROM guardian_links g "
                      "JOIN users u ON u.id = g.student_id LEFT JOIN student_consent sc ON sc.student_id = u.id "
                      "WHERE g.guardian_id = :g ORDER BY u.full_name, u.username",
                      guardian_id);
}

std::vector<std::string> guardian_usernames(Tx& t, std::int64_t student_id) {
  std::vector<std::string> out;
  std::string name;
  long long s = student_id;
  soci::statement st = (t.sql().prepare << "SELECT u.username FROM guardian_links g JOIN users u ON u.id = "
                                           "g.guardian_id WHERE g.student_id = :s AND u.active = 1 ORDER BY u.username",
                        soci::use(s), soci::into(name));
  st.execute();
  while (st.fetch()) out.push_back(name);
  return out;
}

}  // namespace guardians

namespace consent {

std::optional<std::string> get(Tx& t, std::int64_t student_id) {
  long long s = student_id;
  std::string c;
  t.sql() << "SELECT consent FROM student_consent WHERE student_id = :s", soci::use(s), soci::into(c);
  if (!t.sql().got_data()) return std::nullopt;
  return c;
}

void set(Tx& t, std::int64_t student_id, const std::string& value, std::int64_t updated_by, std::int64_t now) {
  long long s = student_id, by = updated_by, n = now;
  soci::indicator by_ind = updated_by > 0 ? soci::i_ok : soci::i_null;
  // One statement per dialect: an upsert cannot race a concurrent first write into a conflict.
  if (t.dialect() == Dialect::mysql) {
    t.sql() << "INSERT INTO student_consent (student_id, consent, updated_by, updated_at) VALUES (:s, :c, :b, :n) "
               "ON DUPLICATE KEY UPDATE consent = VALUES(consent), updated_by = VALUES(updated_by), "
               "updated_at = VALUES(updated_at)",
        soci::use(s), soci::use(value), soci::use(by, by_ind), soci::use(n);
  } else {
    t.sql() << "INSERT INTO student_consent (student_id, consent, updated_by, updated_at) VALUES (:s, :c, :b, :n) "
               "ON CONFLICT (student_id) DO UPDATE SET consent = excluded.consent, updated_by = excluded.updated_by, "
               "updated_at = excluded.updated_at",
        soci::use(s), soci::use(value), soci::use(by, by_ind), soci::use(n);
  }
  content_versions::bump_user_classes(t, student_id);
}

}  // namespace consent

namespace yearbook {

std::vector<YearbookRow> entries(Tx& t, std::int64_t class_id) {
  // Newest photo first, so a (never expected) second current photo cannot win over the latest.
  auto all = rows::fetch<YearbookRow>(
      t,
      "SELECT u.id AS student_id, u.full_name AS full_name, sc.consent AS consent, p.id AS photo_id, "
      "p.quote AS quote FROM class_students cs "
      "JOIN users u ON u.id = cs.student_id AND u.active = 1 "
      "LEFT JOIN student_consent sc ON sc.student_id = cs.student_id "
      "LEFT JOIN photos p ON p.student_id = cs.student_id AND p.is_current = 1 "
      "AND p.status = 'ready' AND p.moderation = 'approved' AND p.purged_at IS NULL "
      "WHERE cs.class_id = :c ORDER BY u.full_name, u.id, p.id DESC",
      [&](auto& p) { p, soci::use(class_id); });
  std::vector<YearbookRow> out;
  for (auto& r : all)
    if (out.empty() || out.back().student_id != r.student_id) out.push_back(std::move(r));
  return out;
}

std::int64_t approved_photo_owner(Tx& t, std::int64_t photo_id) {
  long long p = photo_id, owner = 0;
  // A deactivated student's photo is in no yearbook, so it is no one's to see through one.
  t.sql() << "SELECT p.student_id FROM photos p JOIN users u ON u.id = p.student_id AND u.active = 1 "
             "WHERE p.id = :p AND p.is_current = 1 AND p.status = 'ready' "
             "AND p.moderation = 'approved' AND p.purged_at IS NULL",
      soci::use(p), soci::into(owner);
  return t.sql().got_data() ? owner : 0;
}

}  // namespace yearbook

}  // namespace sy::db
