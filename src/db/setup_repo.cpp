#include "db/setup_repo.h"

#include <soci/soci.h>

namespace sy::db::setup {

namespace {

std::vector<Named> fetch(Tx& t, const char* q, long long year_id, int limit) {
  std::vector<Named> out;
  Named r;
  long long id = 0;
  soci::statement st = (t.sql().prepare << q, soci::use(year_id), soci::use(limit), soci::into(id), soci::into(r.name));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    out.push_back(r);
  }
  return out;
}

}  // namespace

std::vector<Named> classes_without_teacher(Tx& t, std::int64_t academic_year_id, int limit) {
  return fetch(t,
               "SELECT c.id, c.name FROM classes c WHERE c.academic_year_id = :y AND NOT EXISTS "
               "(SELECT 1 FROM class_teachers ct JOIN users u ON u.id = ct.teacher_id AND u.active = 1 "
               "WHERE ct.class_id = c.id) ORDER BY c.name, c.id LIMIT :l",
               academic_year_id, limit);
}

std::vector<Named> classes_without_students(Tx& t, std::int64_t academic_year_id, int limit) {
  return fetch(t,
               "SELECT c.id, c.name FROM classes c WHERE c.academic_year_id = :y AND NOT EXISTS "
               "(SELECT 1 FROM class_students cs JOIN users u ON u.id = cs.student_id AND u.active = 1 "
               "WHERE cs.class_id = c.id) ORDER BY c.name, c.id LIMIT :l",
               academic_year_id, limit);
}

std::vector<Named> subjects_without_teacher(Tx& t, std::int64_t academic_year_id, int limit) {
  return fetch(t,
               "SELECT s.id, s.name FROM subjects s WHERE NOT EXISTS (SELECT 1 FROM class_teachers ct "
               "JOIN classes c ON c.id = ct.class_id AND c.academic_year_id = :y "
               "JOIN users u ON u.id = ct.teacher_id AND u.active = 1 WHERE ct.subject_id = s.id) "
               "ORDER BY s.name, s.id LIMIT :l",
               academic_year_id, limit);
}

}  // namespace sy::db::setup
