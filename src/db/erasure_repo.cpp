#include "db/erasure_repo.h"

#include <soci/soci.h>

#include "db/content_versions_repo.h"

namespace sy::db::erasure {

std::vector<std::int64_t> photo_ids_of(Tx& t, std::int64_t student_id) {
  std::vector<std::int64_t> out;
  long long s = student_id, id = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT id FROM photos WHERE student_id = :s ORDER BY id", soci::use(s), soci::into(id));
  st.execute();
  while (st.fetch()) out.push_back(id);
  return out;
}

std::vector<std::string> photo_keys(Tx& t, std::int64_t photo_id) {
  std::vector<std::string> out;
  long long p = photo_id;
  std::string key;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT original_key FROM photos WHERE id = :p", soci::use(p), soci::into(key, ind);
  if (ind == soci::i_ok) out.push_back(key);
  soci::statement st = (t.sql().prepare << "SELECT object_key FROM photo_variants WHERE photo_id = :p ORDER BY variant",
                        soci::use(p), soci::into(key));
  st.execute();
  while (st.fetch()) out.push_back(key);
  return out;
}

bool delete_photo(Tx& t, std::int64_t photo_id) {
  long long p = photo_id;
  // Explicit child deletes: the cascade is declared, but SQLite only applies it with foreign_keys on.
  t.sql() << "DELETE FROM photo_variants WHERE photo_id = :p", soci::use(p);
  t.sql() << "DELETE FROM jobs WHERE photo_id = :p", soci::use(p);
  soci::statement st = (t.sql().prepare << "DELETE FROM photos WHERE id = :p", soci::use(p));
  st.execute(true);
  const bool removed = st.get_affected_rows() > 0;  // before the bump: MariaDB counts per connection
  content_versions::bump_personal(t);               // a pending photo leaves the review count
  return removed;
}

bool delete_user(Tx& t, std::int64_t user_id) {
  long long u = user_id;
  soci::statement st = (t.sql().prepare << "DELETE FROM users WHERE id = :u", soci::use(u));
  st.execute(true);
  const bool removed = st.get_affected_rows() > 0;  // before the bump: MariaDB counts per connection
  content_versions::bump_personal(t);               // notices they wrote lose the author's name; reads and links go
  return removed;
}

}  // namespace sy::db::erasure
