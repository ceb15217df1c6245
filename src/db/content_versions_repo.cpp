#include "db/content_versions_repo.h"

#include <soci/soci.h>

#include "db/prepared.h"

#include <vector>

namespace sy::db::content_versions {

std::string class_yearbook(std::int64_t class_id) { return "yearbook:class:" + std::to_string(class_id); }
std::string class_roster(std::int64_t class_id) { return "roster:class:" + std::to_string(class_id); }
std::string personal_lists() { return "lists:personal"; }

namespace {
// Asked on every request for a cached page: kept prepared.
struct VersionQuery {
  std::string name;
  long long version = 0;
  soci::indicator ind = soci::i_null;
  soci::statement st;
  explicit VersionQuery(soci::session& s)
      : st((s.prepare << "SELECT version FROM content_versions WHERE name = :n", soci::use(name),
            soci::into(version, ind))) {}
};
}  // namespace

std::int64_t get(Tx& t, const std::string& name) {
  auto& q = t.statements().get<VersionQuery>(t.sql());
  q.name = name;
  q.version = 0;
  q.ind = soci::i_null;
  Run run(t, q.st);
  return (run.row() && q.ind == soci::i_ok) ? q.version : 0;
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

void bump_personal(Tx& t) { bump(t, personal_lists()); }

namespace {
void bump_class_pages(Tx& t, std::int64_t class_id) {
  bump(t, class_yearbook(class_id));
  bump(t, class_roster(class_id));
}
}  // namespace

// The personal lists are bumped last: every transaction takes that one hot row after its class
// rows, which keeps MariaDB's row locks in one order (fewer deadlocks to retry).
void bump_class(Tx& t, std::int64_t class_id) {
  bump_class_pages(t, class_id);
  bump_personal(t);
}

void bump_user_classes(Tx& t, std::int64_t user_id) {
  std::vector<std::int64_t> classes;
  long long u = user_id, c = 0;
  soci::statement st = (t.sql().prepare << "SELECT class_id FROM class_students WHERE student_id = :u UNION "
                                           "SELECT class_id FROM class_teachers WHERE teacher_id = :u2",
                        soci::use(u), soci::use(u), soci::into(c));
  st.execute();
  while (st.fetch()) classes.push_back(c);
  for (auto id : classes) bump_class_pages(t, id);
  bump_personal(t);
}

}  // namespace sy::db::content_versions
