#include "db/moderation_repo.h"

#include <soci/soci.h>

#include "db/row_mapping.h"

namespace sy::db::moderation {

std::vector<Pending> pending(Tx& t, std::int64_t teacher_id, int limit) {
  return rows::fetch<Pending>(
      t,
      "SELECT p.id AS photo_id, p.student_id AS student_id, u.full_name AS full_name, p.quote AS quote, "
      "p.created_at AS created_at FROM photos p JOIN users u ON u.id = p.student_id "
      "WHERE p.is_current = 1 AND p.status = 'ready' AND p.moderation = 'pending' "
      "AND (:t1 = 0 OR EXISTS (SELECT 1 FROM class_teachers ct JOIN class_students cs "
      "ON cs.class_id = ct.class_id WHERE ct.teacher_id = :t2 AND cs.student_id = p.student_id)) "
      "ORDER BY p.created_at, p.id LIMIT :l",
      [&](auto& p) { p, soci::use(teacher_id), soci::use(teacher_id), soci::use(limit); });
}

std::vector<Pending> pending_in_class(Tx& t, std::int64_t class_id, int limit) {
  std::vector<Pending> out;
  Pending p;
  long long pid = 0, sid = 0, created = 0, cid = class_id;
  soci::statement st =
      (t.sql().prepare << "SELECT p.id, p.student_id, u.full_name, p.quote, p.created_at FROM photos p "
                          "JOIN users u ON u.id = p.student_id "
                          "JOIN class_students cs ON cs.student_id = p.student_id AND cs.class_id = :c "
                          "WHERE p.is_current = 1 AND p.status = 'ready' AND p.moderation = 'pending' "
                          "ORDER BY p.created_at, p.id LIMIT :l",
       soci::use(cid), soci::use(limit), soci::into(pid), soci::into(sid), soci::into(p.full_name), soci::into(p.quote),
       soci::into(created));
  st.execute();
  while (st.fetch()) {
    p.photo_id = pid;
    p.student_id = sid;
    p.created_at = created;
    out.push_back(p);
  }
  return out;
}

std::vector<ClassCount> counts_by_class(Tx& t, std::int64_t teacher_id) {
  std::vector<ClassCount> out;
  ClassCount c;
  long long cid = 0, year = 0, n = 0, tid = teacher_id;
  soci::statement st =
      (t.sql().prepare << "SELECT c.id, c.name, c.year, (SELECT COUNT(*) FROM photos p JOIN class_students cs "
                          "ON cs.student_id = p.student_id WHERE cs.class_id = c.id AND p.is_current = 1 "
                          "AND p.status = 'ready' AND p.moderation = 'pending') FROM classes c "
                          "WHERE :t1 = 0 OR EXISTS (SELECT 1 FROM class_teachers ct WHERE ct.class_id = c.id "
                          "AND ct.teacher_id = :t2) ORDER BY c.name, c.id",
       soci::use(tid), soci::use(tid), soci::into(cid), soci::into(c.name), soci::into(year), soci::into(n));
  st.execute();
  while (st.fetch()) {
    c.class_id = cid;
    c.year = year;
    c.pending = n;
    out.push_back(c);
  }
  return out;
}

std::int64_t pending_count(Tx& t, std::int64_t teacher_id) {
  long long n = 0, tid = teacher_id;
  t.sql() << "SELECT COUNT(*) FROM photos p WHERE p.is_current = 1 AND p.status = 'ready' "
             "AND p.moderation = 'pending' AND (:t1 = 0 OR EXISTS (SELECT 1 FROM class_teachers ct "
             "JOIN class_students cs ON cs.class_id = ct.class_id WHERE ct.teacher_id = :t2 "
             "AND cs.student_id = p.student_id))",
      soci::use(tid), soci::use(tid), soci::into(n);
  return n;
}

}  // namespace sy::db::moderation
