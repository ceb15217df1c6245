#pragma once
// Statements kept prepared on a pooled connection, for the queries every request makes (session,
// permission, content version): SQLite parses and plans each statement text again on every
// one-off `sql << "..."`, which was a fifth of a page's time. Inside src/db only (SOCI).
//
// A query is a struct that owns its bound variables and the statement prepared over them:
//
//   struct VersionQuery {
//     std::string name; long long version = 0; soci::indicator ind = soci::i_null;
//     soci::statement st;
//     explicit VersionQuery(soci::session& s)
//         : st((s.prepare << "SELECT version FROM content_versions WHERE name = :n", soci::use(name),
//               soci::into(version, ind))) {}
//   };
//   auto& q = t.statements().get<VersionQuery>(t.sql());
//   q.name = ...;
//   Run run(t, q.st);    // executes; resets the statement when it goes out of scope
//   bool found = run.row();
//
// One instance per connection and query type; a connection is used by one thread at a time.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "db/database.h"

#include <memory>
#include <typeindex>
#include <unordered_map>

namespace sy::db {

class StatementCache {
 public:
  template <class Q>
  Q& get(soci::session& s) {
    auto& slot = map_[Key{std::type_index(typeid(Q)), nullptr}];
    if (!slot) slot = std::make_shared<Q>(s);
    return *static_cast<Q*>(slot.get());
  }
  // One Q per SQL text, for a query shape shared by several statements: Q(session, sql). `sql`
  // must be a string literal (its address is the key).
  template <class Q>
  Q& get(soci::session& s, const char* sql) {
    auto& slot = map_[Key{std::type_index(typeid(Q)), sql}];
    if (!slot) slot = std::make_shared<Q>(s, sql);
    return *static_cast<Q*>(slot.get());
  }

 private:
  struct Key {
    std::type_index type;
    const void* sql;
    bool operator==(const Key& o) const { return type == o.type && sql == o.sql; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return k.type.hash_code() ^ std::hash<const void*>()(k.sql); }
  };
  std::unordered_map<Key, std::shared_ptr<void>, KeyHash> map_;
};

// Executes a kept statement and, when done, resets it. A SQLite statement left on a row keeps its
// read snapshot open after COMMIT, and the connection's next transaction would read old data.
class Run {
 public:
  Run(Tx& t, soci::statement& st) : Run(t.dialect(), st) {}
  Run(Dialect d, soci::statement& st) : st_(st), sqlite_(d == Dialect::sqlite) { got_ = st_.execute(true); }
  ~Run() {
    // libsoci exports neither the backend's reset() nor its typeinfo: reset the handle directly.
    if (!sqlite_) return;
    auto* be = static_cast<soci::sqlite3_statement_backend*>(st_.get_backend());
    if (be && be->stmt_) {
      sqlite_api::sqlite3_reset(be->stmt_);
      be->databaseReady_ = true;
    }
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  bool row() const { return got_; }  // the first row was fetched into the bound variables
  bool next() { return got_ = st_.fetch(); }

 private:
  soci::statement& st_;
  bool sqlite_;
  bool got_ = false;
};

}  // namespace sy::db
