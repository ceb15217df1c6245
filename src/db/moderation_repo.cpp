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

}  // namespace sy::db::moderation
