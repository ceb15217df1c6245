#include "db/migrations.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <set>
#include <sstream>

namespace sy::db {

namespace {

const char* dialect_name(Dialect d) { return d == Dialect::sqlite ? "sqlite" : "mysql"; }

// Splits a migration into statements at semicolons that end a line; "--" comment lines dropped.
std::vector<std::string> statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string cur, line;
  std::istringstream in(sql);
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    cur += line + "\n";
    auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      cur.erase(cur.find_last_of(';'));
      out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(cur);
  return out;
}

std::set<int> applied(Tx& t) {
  std::set<int> done;
  int v = 0;
  soci::statement st = (t.sql().prepare << "SELECT version FROM schema_migrations", soci::into(v));
  st.execute();
  while (st.fetch()) done.insert(v);
  return done;
}

void ensure_table(Tx& t) {
  t.sql() << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, "
             "name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)";
}

void apply(Tx& t, const Migration& m) {
  for (const auto& s : statements(m.sql)) t.sql() << s;
  long long now = static_cast<long long>(std::time(nullptr));
  t.sql() << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)", soci::use(m.version),
      soci::use(m.name), soci::use(now);
}

}  // namespace

int latest_version(Dialect d) {
  int v = 0;
  for (const auto& m : embedded_migrations())
    if (m.dialect == dialect_name(d)) v = std::max(v, m.version);
  return v;
}

int current_version(Database& db) {
  int v = 0;
  db.with_session([&](Tx& t) {
    ensure_table(t);
    auto done = applied(t);
    v = done.empty() ? 0 : *done.rbegin();
  });
  return v;
}

int migrate(Database& db, int up_to) {
  int count = 0;
  const std::string dn = dialect_name(db.dialect());
  if (db.dialect() == Dialect::sqlite) {
    db.with_session([&](Tx& t) { ensure_table(t); });
    for (const auto& m : embedded_migrations()) {
      if (m.dialect != dn || m.version > up_to) continue;
      // One transaction per migration under SQLite's write lock: all or nothing, one applier.
      db.tx([&](Tx& t) {
        if (applied(t).count(m.version)) return;
        spdlog::info("migrate: applying {} ({})", m.name, dn);
        apply(t, m);
        ++count;
      });
    }
    return count;
  }
  // MySQL DDL commits implicitly, so serialise appliers with a named lock instead.
  db.with_session([&](Tx& t) {
    int got = 0;
    t.sql() << "SELECT GET_LOCK('schoolyard_migrate', 120)", soci::into(got);
    if (got != 1) throw std::runtime_error("migrate: could not take the migration lock within 120 s");
    try {
      ensure_table(t);
      auto done = applied(t);
      for (const auto& m : embedded_migrations()) {
        if (m.dialect != dn || m.version > up_to || done.count(m.version)) continue;
        spdlog::info("migrate: applying {} ({})", m.name, dn);
        apply(t, m);
        ++count;
      }
    } catch (...) {
      int rel = 0;
      t.sql() << "SELECT RELEASE_LOCK('schoolyard_migrate')", soci::into(rel);
      throw;
    }
    int rel = 0;
    t.sql() << "SELECT RELEASE_LOCK('schoolyard_migrate')", soci::into(rel);
  });
  return count;
}

}  // namespace sy::db
