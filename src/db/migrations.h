#pragma once
// Forward-only schema migrations, one SQL file per version and dialect (migrations/<dialect>/),
// embedded at build time and tracked in the schema_migrations table.
#include <limits>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct Migration {
  std::string dialect;  // "sqlite" | "mysql"
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& embedded_migrations();

// Applies pending migrations in order; returns how many were applied. Safe when several
// instances start at once (SQLite: write lock; MySQL: GET_LOCK). `up_to` stops after that version
// (restore brings an empty database to a backup's version before loading its rows).
int migrate(Database& db, int up_to = std::numeric_limits<int>::max());
int current_version(Database& db);
int latest_version(Dialect d);

}  // namespace sy::db
