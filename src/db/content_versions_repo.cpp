#include "db/content_versions_repo.h"

#include <soci/soci.h>

#include <vector>

namespace sy::db::content_versions {

std::string class_yearbook(std::int64_t class_id) { return "yearbook:class:" + std::to_string(class_id); }
std::string class_roster(std::int64_t class_id) { return "roster:class:" + std::to_string(class_id); }

std::int64_t get(Tx& t, const std::string& name) {
  long long v = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT version FROM content_versions WHERE name = :n", soci::use(name), soci::into(v, ind);
  return (t.sql().got_data() && ind == soci::i_ok) ? v : 0;
}

void bump(Tx& t, const std::string& name) {
  // An upsert, not read-then-write: concurrent first bumps of a name cannot collide on the key.
  if (t.dialect() == Dialect::mysql)
    t.sql() << "INSERT INTO content_versions (name, version) VALUES (:n, 1) "
               "ON DUPLICATE KEY UPDATE version = version + 1",
        soci::use(name);
  else
    t.sql() << "INSERT INTO content_versions (name, version) VALUES (:n, 1) "
               "ON CONFLICT (name) DO UPDATE SET version = version + 1",
        soci::use(name);
}

void bump_class(Tx& t, std::int64_t class_id) {
  bump(t, class_yearbook(class_id));
  bump(t, class_roster(class_id));
}

void bump_user_classes(Tx& t, std::int64_t user_id) {
  std::vector<std::int64_t> classes;
  long long u = user_id, c = 0;
  soci::statement st = (t.sql().prepare << "SELECT class_id FROM class_students WHERE student_id = :u UNION "
                                           "SELECT class_id FROM class_teachers WHERE teacher_id = :u2",
                        soci::use(u), soci::use(u), soci::into(c));
  st.execute();
  while (st.fetch()) classes.push_back(c);
  for (auto id : classes) bump_class(t, id);
}

}  // namespace sy::db::content_versions
