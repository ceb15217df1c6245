#include "support/db_testing.h"

#include <soci/soci.h>

#include <atomic>

namespace sy::db::school_testing {

std::int64_t insert_photo(Tx& t, std::int64_t student_id, const std::string& status, const std::string& moderation,
                          bool is_current, const std::string& quote) {
  static std::atomic<int> seq{0};  // unique object keys across the test's threads
  long long s = student_id, now = 1700000000;
  int cur = is_current ? 1 : 0;
  std::string key = "uploads/test-" + std::to_string(student_id) + "-" + std::to_string(++seq);
  t.sql() << "INSERT INTO photos (student_id, status, moderation, quote, original_key, original_sha256, "
             "original_size, is_current, created_at, updated_at) VALUES (:s, :st, :m, :q, :k, 'x', 1, :cur, :c, :u)",
      soci::use(s), soci::use(status), soci::use(moderation), soci::use(quote), soci::use(key), soci::use(cur),
      soci::use(now), soci::use(now);
  return t.last_insert_id();
}

void insert_variant(Tx& t, std::int64_t photo_id, const std::string& variant, const std::string& object_key) {
  long long p = photo_id;
  t.sql() << "INSERT INTO photo_variants (photo_id, variant, object_key, sha256, size, width, height, content_type) "
             "VALUES (:p, :v, :k, 'x', 1, 8, 8, 'image/jpeg')",
      soci::use(p), soci::use(variant), soci::use(object_key);
}

}  // namespace sy::db::school_testing
