#include "db/school_repo.h"

#include <soci/soci.h>

#include "db/row_mapping.h"

namespace sy::db {

namespace {

std::vector<ClassRow> fetch_classes(Tx& t, const std::string& where, std::int64_t arg, bool with_arg) {
  std::string q =
      "SELECT DISTINCT c.id AS id, c.name AS name, c.year AS year, c.created_at AS created_at "
      "FROM classes c " +
      where + " ORDER BY c.year DESC, c.name, c.id";
  return rows::fetch<ClassRow>(t, q, [&](auto& p) {
    if (with_arg) p, soci::use(arg);
  });
}

std::vector<PersonRow> fetch_people(Tx& t, const std::string& q, std::int64_t arg) {
  return rows::fetch<PersonRow>(t, q, [&](auto& p) { p, soci::use(arg); });
}

int affected(soci::statement& st) { return static_cast<int>(st.get_affected_rows()); }

}  // namespace

namespace classes {

std::int64_t insert(Tx& t, const std::string& name, int year, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO classes (name, year, created_at) VALUES (:n, :y, :c)", soci::use(name), soci::use(year),
      soci::use(n);
  return t.last_insert_id();
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
  return rows::fetch<TeacherRow>(t,
                                 "SELECT u.id AS id, u.username AS username, u.full_name AS full_name, "
                                 "ct.subject AS subject FROM class_teachers ct "
                                 "JOIN users u ON u.id = ct.teacher_id WHERE ct.class_id = :c "
                                 "ORDER BY u.full_name, u.username, ct.subject",
                                 [&](auto& p) { p, soci::use(class_id); });
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
}

bool unenrol(Tx& t, std::int64_t class_id, std::int64_t student_id) {
  long long c = class_id, s = student_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM class_students WHERE class_id = :c AND student_id = :s",
                        soci::use(c), soci::use(s));
  st.execute(true);
  return affected(st) > 0;
}

bool teaches(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject) {
  long long c = class_id, te = teacher_id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM class_teachers WHERE class_id = :c AND teacher_id = :t AND subject = :s",
      soci::use(c), soci::use(te), soci::use(subject), soci::into(n);
  return n > 0;
}

void assign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id, const std::string& subject,
                    std::int64_t now) {
  long long c = class_id, te = teacher_id, n = now;
  t.sql() << "INSERT INTO class_teachers (class_id, teacher_id, subject, created_at) VALUES (:c, :t, :s, :n)",
      soci::use(c), soci::use(te), soci::use(subject), soci::use(n);
}

int unassign_teacher(Tx& t, std::int64_t class_id, std::int64_t teacher_id) {
  long long c = class_id, te = teacher_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM class_teachers WHERE class_id = :c AND teacher_id = :t",
                        soci::use(c), soci::use(te));
  st.execute(true);
  return affected(st);
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
}

bool unlink(Tx& t, std::int64_t guardian_id, std::int64_t student_id) {
  long long g = guardian_id, s = student_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM guardian_links WHERE guardian_id = :g AND student_id = :s",
                        soci::use(g), soci::use(s));
  st.execute(true);
  return affected(st) > 0;
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
