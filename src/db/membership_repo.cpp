#include "db/membership_repo.h"

#include <soci/soci.h>

#include "db/prepared.h"

namespace sy::db::membership {

// Every scope flows through active accounts only: a deactivated student no longer opens their
// class to their guardians or their classmates' photos, a deactivated teacher loses their classes.
// guardian_of stays true for a deactivated child so the guardian can still withdraw consent.

namespace {
// The permission checks run on every request: kept prepared, one per query text.
struct CountQuery {
  long long a = 0, b = 0, n = 0;
  soci::statement st;
  CountQuery(soci::session& s, const char* sql) : st((s.prepare << sql, soci::use(a), soci::use(b), soci::into(n))) {}
};

bool exists(Tx& t, const char* q, long long a, long long b) {
  auto& c = t.statements().get<CountQuery>(t.sql(), q);
  c.a = a;
  c.b = b;
  c.n = 0;
  Run run(t, c.st);
  return run.row() && c.n > 0;
}
}  // namespace

bool teacher_teaches_student(Tx& t, std::int64_t teacher_id, std::int64_t student_id) {
  return exists(t,
                "SELECT COUNT(*) FROM class_teachers ct JOIN class_students cs ON cs.class_id = ct.class_id "
                "JOIN users tu ON tu.id = ct.teacher_id AND tu.active = 1 "
                "JOIN users su ON su.id = cs.student_id AND su.active = 1 "
                "WHERE ct.teacher_id = :t AND cs.student_id = :s",
                teacher_id, student_id);
}

bool teacher_teaches_class(Tx& t, std::int64_t teacher_id, std::int64_t class_id) {
  return exists(t,
                "SELECT COUNT(*) FROM class_teachers ct JOIN users tu ON tu.id = ct.teacher_id AND tu.active = 1 "
                "WHERE ct.teacher_id = :t AND ct.class_id = :c",
                teacher_id, class_id);
}

bool guardian_of(Tx& t, std::int64_t guardian_id, std::int64_t student_id) {
  return exists(t,
                "SELECT COUNT(*) FROM guardian_links g JOIN users gu ON gu.id = g.guardian_id AND gu.active = 1 "
                "WHERE g.guardian_id = :g AND g.student_id = :s",
                guardian_id, student_id);
}

bool guardian_has_child_in_class(Tx& t, std::int64_t guardian_id, std::int64_t class_id) {
  return exists(t,
                "SELECT COUNT(*) FROM guardian_links g JOIN class_students cs ON cs.student_id = g.student_id "
                "JOIN users gu ON gu.id = g.guardian_id AND gu.active = 1 "
                "JOIN users su ON su.id = cs.student_id AND su.active = 1 "
                "WHERE g.guardian_id = :g AND cs.class_id = :c",
                guardian_id, class_id);
}

bool student_in_class(Tx& t, std::int64_t student_id, std::int64_t class_id) {
  return exists(t,
                "SELECT COUNT(*) FROM class_students cs JOIN users su ON su.id = cs.student_id AND su.active = 1 "
                "WHERE cs.student_id = :s AND cs.class_id = :c",
                student_id, class_id);
}

std::vector<std::int64_t> classes_of_student(Tx& t, std::int64_t student_id) {
  std::vector<std::int64_t> out;
  long long s = student_id, c = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT class_id FROM class_students WHERE student_id = :s ORDER BY class_id", soci::use(s),
       soci::into(c));
  st.execute();
  while (st.fetch()) out.push_back(c);
  return out;
}

}  // namespace sy::db::membership
