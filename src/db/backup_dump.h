#pragma once
// The database half of `schoolyard backup` / `restore` (services/backup.h does the rest).
// SQLite: a database file made with the online backup API (every page copied under one read
// snapshot, so writers keep going). MySQL/MariaDB: JSON lines, table after table, read in pages
// inside one START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY, written straight to a file.
// SOCI and sqlite3 stay in here.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct DumpSummary {
  std::string format;  // "sqlite3-file" | "mysql-jsonl"
  int schema_version = 0;
  std::map<std::string, std::int64_t> rows;  // table → rows (schema_migrations left out)
};

// Writes a consistent dump of the whole database to `path` (replacing it).
DumpSummary dump_database(Database& db, const std::string& path);

// Reads a dump file without touching any database: complete, well-formed, for dialect `d`.
// Throws std::runtime_error with a one-line reason.
DumpSummary inspect_dump(Dialect d, const std::string& path);

// The schema version the database is at now (0 when it has no schema); reads only.
int schema_version_readonly(Database& db);
// Whether the database holds application data (any user). A missing schema counts as empty.
bool holds_data(Database& db);

// Replaces the database's contents with the dump's (call inspect_dump first). SQLite: the backup
// API copies the file into the live database in one step. MySQL: migrate to the dump's schema
// version, then delete and insert every table in one transaction, then set each table's
// AUTO_INCREMENT so new rows do not collide. The caller migrates to the latest version after.
void restore_database(Database& db, const std::string& path);

// Every table's rows as text, sorted, plus the auto-increment state (SQLite: sqlite_sequence;
// MySQL: "auto_increment" → "table=N"); schema_migrations left out. For comparing two databases
// (restore tests, drills), not for big tables.
std::map<std::string, std::vector<std::string>> table_contents(Database& db);

// Scheduled backups: claims the period for `holder` when the backup is due (next_due <= now) and no
// other instance holds an unexpired lease; a conditional UPDATE, so exactly one instance wins.
bool claim_scheduled_backup(Database& db, const std::string& holder, std::int64_t now, std::int64_t lease_seconds);
// Releases the claim and sets when the next backup is due.
void finish_scheduled_backup(Database& db, const std::string& holder, std::int64_t next_due,
                             const std::string& backup_id);

// After a restore: a lease copied in from the backup belongs to no running instance.
void release_backup_lease(Database& db);

}  // namespace sy::db
