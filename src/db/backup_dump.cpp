#include "db/backup_dump.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "db/migrations.h"

namespace sy::db {

namespace {

using nlohmann::json;
// soci-sqlite3.h includes <sqlite3.h> inside this namespace (and its include guard keeps it there).
using namespace sqlite_api;

constexpr const char* kSqliteFormat = "sqlite3-file";
constexpr const char* kMysqlFormat = "mysql-jsonl";
constexpr int kPageRows = 1000;  // MySQL rows fetched per query (bounds memory)

// Table and column names are interpolated into SQL, so only plain identifiers pass.
bool plain_identifier(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}
std::string checked(const std::string& name) {
  if (!plain_identifier(name)) throw std::runtime_error("unexpected table or column name '" + name + "'");
  return name;
}

// ---- SQLite -------------------------------------------------------------------------------

sqlite3* native(Tx& t) { return static_cast<soci::sqlite3_session_backend*>(t.sql().get_backend())->conn_; }

struct SqliteFile {
  sqlite3* db = nullptr;
  SqliteFile(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string why = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + path + ": " + why);
    }
  }
  ~SqliteFile() { sqlite3_close(db); }
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;

  // Rows of a query as text (NULL as an empty optional is not needed here).
  std::vector<std::vector<std::string>> query(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("not a schoolyard database: ") + sqlite3_errmsg(db));
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        row.emplace_back(p ? p : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("cannot read the dump: ") + sqlite3_errmsg(db));
    return out;
  }
};

// Copies every page of `from` into `to`; retries while the source is locked by a writer.
void copy_pages(sqlite3* to, sqlite3* from) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) throw std::runtime_error(std::string("sqlite backup: ") + sqlite3_errmsg(to));
  int rc;
  for (int attempt = 0;; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite backup: ") + sqlite3_errstr(rc));
}

DumpSummary summarize_sqlite(SqliteFile& f) {
  DumpSummary s;
  s.format = kSqliteFormat;
  auto v = f.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  s.schema_version = std::stoi(v.at(0).at(0));
  for (auto& row : f.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
    auto n = f.query("SELECT COUNT(*) FROM \"" + checked(row[0]) + "\"");
    s.rows[row[0]] = std::stoll(n.at(0).at(0));
  }
  return s;
}

DumpSummary dump_sqlite(Database& db, const std::string& path) {
  std::filesystem::remove(path);
  {
    SqliteFile out(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.with_session([&](Tx& t) { copy_pages(out.db, native(t)); });
    // A plain rollback-journal file, readable on its own (the live database is in WAL mode).
    out.query("PRAGMA journal_mode=DELETE");
  }
  SqliteFile in(path, SQLITE_OPEN_READONLY);
  return summarize_sqlite(in);
}

DumpSummary inspect_sqlite(const std::string& path) {
  SqliteFile in(path, SQLITE_OPEN_READONLY);
  auto ok = in.query("PRAGMA integrity_check");
  if (ok.empty() || ok[0].empty() || ok[0][0] != "ok")
    throw std::runtime_error("the database dump fails its integrity check");
  return summarize_sqlite(in);
}

void restore_sqlite(Database& db, const std::string& path) {
  SqliteFile in(path, SQLITE_OPEN_READONLY);
  // One step under the destination's write lock: other connections see the old or the new database.
  db.with_session([&](Tx& t) {
    copy_pages(native(t), in.db);
    t.sql() << "PRAGMA journal_mode=WAL";
  });
}

// ---- MySQL / MariaDB ----------------------------------------------------------------------

bool binary_type(const std::string& data_type) {
  return data_type.find("blob") != std::string::npos || data_type == "binary" || data_type == "varbinary";
}

struct Column {
  std::string name;
  bool binary = false;
};

std::vector<std::string> mysql_tables(soci::session& s) {
  std::vector<std::string> out;
  std::string name;
  soci::statement st = (s.prepare << "SELECT CAST(table_name AS CHAR) FROM information_schema.tables "
                                     "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' "
                                     "ORDER BY table_name",
                        soci::into(name));
  st.execute();
  while (st.fetch())
    if (name != "schema_migrations") out.push_back(checked(name));
  return out;
}

std::vector<Column> mysql_columns(soci::session& s, const std::string& table) {
  std::vector<Column> out;
  std::string name, type;
  soci::statement st = (s.prepare << "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) "
                                     "FROM information_schema.columns WHERE table_schema = DATABASE() "
                                     "AND table_name = :t ORDER BY ordinal_position",
                        soci::into(name), soci::into(type), soci::use(table));
  st.execute();
  while (st.fetch()) out.push_back({checked(name), binary_type(type)});
  return out;
}

std::vector<std::string> mysql_primary_key(soci::session& s, const std::string& table) {
  std::vector<std::string> out;
  std::string name;
  soci::statement st = (s.prepare << "SELECT CAST(column_name AS CHAR) FROM information_schema.key_column_usage "
                                     "WHERE table_schema = DATABASE() AND table_name = :t "
                                     "AND constraint_name = 'PRIMARY' ORDER BY ordinal_position",
                        soci::into(name), soci::use(table));
  st.execute();
  while (st.fetch()) out.push_back(checked(name));
  return out;
}

long long mysql_auto_increment(soci::session& s, const std::string& table) {
  long long n = 0;
  soci::indicator ind = soci::i_ok;
  s << "SELECT CAST(AUTO_INCREMENT AS SIGNED) FROM information_schema.tables WHERE table_schema = DATABASE() "
       "AND table_name = :t",
      soci::into(n, ind), soci::use(table);
  return ind == soci::i_ok ? n : 0;
}

std::string backticked(const std::string& id) { return "`" + id + "`"; }

DumpSummary dump_mysql(Database& db, const std::string& path) {
  DumpSummary sum;
  db.with_session([&](Tx& t) {
    sum = DumpSummary{};
    sum.format = kMysqlFormat;
    auto& s = t.sql();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    // MySQL 8 caches information_schema AUTO_INCREMENT for a day unless told not to (MariaDB has no
    // such cache, and no such variable).
    try {
      s << "SET SESSION information_schema_stats_expiry = 0";
    } catch (const soci::soci_error&) {}
    // Every table read at one point in time, without blocking writers.
    s << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    s << "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
    try {
      int version = 0;
      soci::indicator vi = soci::i_ok;
      s << "SELECT MAX(version) FROM schema_migrations", soci::into(version, vi);
      sum.schema_version = vi == soci::i_ok ? version : 0;
      out << json{{"format", kMysqlFormat}, {"version", 1}, {"schema_version", sum.schema_version}}.dump() << "\n";
      auto tables = mysql_tables(s);
      for (const auto& table : tables) {
        auto cols = mysql_columns(s, table);
        auto pk = mysql_primary_key(s, table);
        json header{{"table", table},
                    {"columns", json::array()},
                    {"binary", json::array()},
                    {"auto_increment", mysql_auto_increment(s, table)}};
        std::string select, order;
        for (const auto& c : cols) {
          header["columns"].push_back(c.name);
          header["binary"].push_back(c.binary);
          if (!select.empty()) select += ", ";
          select += c.binary ? "HEX(" + backticked(c.name) + ")" : "CAST(" + backticked(c.name) + " AS CHAR)";
        }
        for (const auto& k : pk) order += (order.empty() ? "" : ", ") + backticked(k);
        if (order.empty())
          for (const auto& c : cols) order += (order.empty() ? "" : ", ") + backticked(c.name);
        out << header.dump() << "\n";
        std::int64_t count = 0;
        for (std::int64_t offset = 0;; offset += kPageRows) {
          std::string q = "SELECT " + select + " FROM " + backticked(table) + " ORDER BY " + order + " LIMIT " +
                          std::to_string(kPageRows) + " OFFSET " + std::to_string(offset);
          soci::rowset<soci::row> rs = s.prepare << q;
          std::int64_t got = 0;
          for (const auto& r : rs) {
            json row = json::array();
            for (std::size_t i = 0; i < r.size(); ++i) {
              if (r.get_indicator(i) == soci::i_null)
                row.push_back(nullptr);
              else
                row.push_back(r.get<std::string>(i));
            }
            out << row.dump() << "\n";
            ++got;
          }
          count += got;
          if (got < kPageRows) break;
        }
        out << json{{"end", table}, {"rows", count}}.dump() << "\n";
        sum.rows[table] = count;
      }
      out << json{{"end_of_dump", true}, {"tables", tables.size()}}.dump() << "\n";
      s << "COMMIT";
    } catch (...) {
      try {
        s << "ROLLBACK";
      } catch (...) {}
      throw;
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + path + " (disk full?)");
  });
  return sum;
}

// Walks a JSON-lines dump; calls on_table(header) before a table's rows and on_row(values) per row.
template <class OnTable, class OnRow>
DumpSummary walk_mysql_dump(const std::string& path, OnTable&& on_table, OnRow&& on_row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the database dump");
  DumpSummary sum;
  std::string line;
  std::size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    return std::runtime_error("the database dump is malformed at line " + std::to_string(line_no) + ": " + why);
  };
  if (!std::getline(in, line)) throw bad("empty");
  ++line_no;
  json head = json::parse(line, nullptr, false);
  if (!head.is_object() || head.value("format", "") != kMysqlFormat || head.value("version", 0) != 1)
    throw bad("not a " + std::string(kMysqlFormat) + " version 1 dump");
  sum.format = kMysqlFormat;
  sum.schema_version = head.value("schema_version", 0);
  std::string table;
  std::size_t ncols = 0;
  std::int64_t count = 0;
  bool finished = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (finished) throw bad("data after the end marker");
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) throw bad("not JSON");
    if (j.is_array()) {
      if (table.empty() || j.size() != ncols) throw bad("a row outside a table or with the wrong column count");
      for (auto& v : j)
        if (!v.is_null() && !v.is_string()) throw bad("a value that is neither text nor null");
      on_row(j);
      ++count;
    } else if (j.is_object() && j.contains("table")) {
      if (!table.empty()) throw bad("a table inside a table");
      if (!j["table"].is_string() || !j["columns"].is_array() || !j["binary"].is_array() ||
          j["columns"].size() != j["binary"].size() || j["columns"].empty() || !j["auto_increment"].is_number_integer())
        throw bad("a malformed table header");
      table = j["table"].get<std::string>();
      if (!plain_identifier(table)) throw bad("a malformed table name");
      for (auto& c : j["columns"])
        if (!c.is_string() || !plain_identifier(c.get<std::string>())) throw bad("a malformed column name");
      ncols = j["columns"].size();
      count = 0;
      on_table(j);
    } else if (j.is_object() && j.contains("end")) {
      if (table.empty() || j["end"] != table || j.value("rows", std::int64_t{-1}) != count)
        throw bad("a table end that does not match its rows");
      sum.rows[table] = count;
      table.clear();
    } else if (j.is_object() && j.value("end_of_dump", false)) {
      if (!table.empty() || j.value("tables", std::size_t{0}) != sum.rows.size()) throw bad("an early end marker");
      finished = true;
    } else {
      throw bad("an unknown line");
    }
  }
  if (!finished) throw std::runtime_error("the database dump is truncated (no end marker)");
  return sum;
}

void restore_mysql(Database& db, const std::string& path) {
  auto sum = walk_mysql_dump(
      path, [](const json&) {}, [](const json&) {});
  migrate(db, sum.schema_version);
  db.with_session([&](Tx& t) {
    auto& s = t.sql();
    std::map<std::string, long long> counters;
    // Rows go in table by table (alphabetical), so foreign keys are checked at the end instead.
    s << "SET FOREIGN_KEY_CHECKS = 0";
    s << "START TRANSACTION";
    try {
      std::unique_ptr<soci::statement> insert;
      std::vector<std::string> vals;
      std::vector<soci::indicator> inds;
      walk_mysql_dump(
          path,
          [&](const json& h) {
            std::string table = h["table"].get<std::string>();
            s << "DELETE FROM " + backticked(table);
            counters[table] = h["auto_increment"].get<long long>();
            std::string cols, params;
            std::size_t n = h["columns"].size();
            for (std::size_t i = 0; i < n; ++i) {
              if (i) cols += ", ", params += ", ";
              cols += backticked(h["columns"][i].get<std::string>());
              std::string p = ":p" + std::to_string(i);
              params += h["binary"][i].get<bool>() ? "UNHEX(" + p + ")" : p;
            }
            insert.reset();
            vals.assign(n, std::string());
            inds.assign(n, soci::i_ok);
            insert = std::make_unique<soci::statement>(s);
            insert->alloc();
            insert->prepare("INSERT INTO " + backticked(table) + " (" + cols + ") VALUES (" + params + ")");
            for (std::size_t i = 0; i < n; ++i) insert->exchange(soci::use(vals[i], inds[i]));
            insert->define_and_bind();
          },
          [&](const json& row) {
            for (std::size_t i = 0; i < row.size(); ++i) {
              inds[i] = row[i].is_null() ? soci::i_null : soci::i_ok;
              vals[i] = row[i].is_null() ? std::string() : row[i].get<std::string>();
            }
            insert->execute(true);
          });
      insert.reset();
      s << "COMMIT";
      s << "SET FOREIGN_KEY_CHECKS = 1";
    } catch (...) {
      try {
        s << "ROLLBACK";
        s << "SET FOREIGN_KEY_CHECKS = 1";
      } catch (...) {}
      throw;
    }
    // After the commit (ALTER TABLE commits implicitly): the counters as they were, so ids freed
    // by deletes before the backup are not handed out again.
    for (auto& [table, next] : counters)
      if (next > 0) s << "ALTER TABLE " + backticked(table) + " AUTO_INCREMENT = " + std::to_string(next);
  });
}

}  // namespace

DumpSummary dump_database(Database& db, const std::string& path) {
  return db.dialect() == Dialect::sqlite ? dump_sqlite(db, path) : dump_mysql(db, path);
}

DumpSummary inspect_dump(Dialect d, const std::string& path) {
  if (d == Dialect::sqlite) return inspect_sqlite(path);
  return walk_mysql_dump(
      path, [](const json&) {}, [](const json&) {});
}

void restore_database(Database& db, const std::string& path) {
  if (db.dialect() == Dialect::sqlite)
    restore_sqlite(db, path);
  else
    restore_mysql(db, path);
}

int schema_version_readonly(Database& db) {
  int v = 0;
  db.read([&](Tx& t) {
    int n = 0;
    if (t.dialect() == Dialect::sqlite)
      t.sql() << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
          soci::into(n);
    else
      t.sql() << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                 "AND table_name = 'schema_migrations'",
          soci::into(n);
    if (n == 0) return;
    soci::indicator ind = soci::i_ok;
    t.sql() << "SELECT MAX(version) FROM schema_migrations", soci::into(v, ind);
    if (ind != soci::i_ok) v = 0;
  });
  return v;
}

bool holds_data(Database& db) {
  bool found = false;
  db.read([&](Tx& t) {
    int n = 0;
    if (t.dialect() == Dialect::sqlite)
      t.sql() << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'", soci::into(n);
    else
      t.sql() << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                 "AND table_name = 'users'",
          soci::into(n);
    if (n == 0) return;
    long long users = 0;
    t.sql() << "SELECT COUNT(*) FROM users", soci::into(users);
    found = users > 0;
  });
  return found;
}

std::map<std::string, std::vector<std::string>> table_contents(Database& db) {
  std::map<std::string, std::vector<std::string>> out;
  db.read([&](Tx& t) {
    auto& s = t.sql();
    std::vector<std::string> tables;
    std::map<std::string, std::vector<std::string>> columns;
    if (t.dialect() == Dialect::sqlite) {
      std::string name;
      soci::statement st = (s.prepare << "SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name <> 'schema_migrations' ORDER BY name",
                            soci::into(name));
      st.execute();
      while (st.fetch()) tables.push_back(checked(name));
      for (auto& tb : tables) {
        std::string col;
        soci::statement cs = (s.prepare << "SELECT name FROM pragma_table_info(:t)", soci::into(col), soci::use(tb));
        cs.execute();
        while (cs.fetch()) columns[tb].push_back(checked(col));
      }
    } else {
      tables = mysql_tables(s);
      for (auto& tb : tables) {
        for (auto& c : mysql_columns(s, tb)) columns[tb].push_back(c.name);
        out["auto_increment"].push_back(tb + "=" + std::to_string(mysql_auto_increment(s, tb)));
      }
    }
    for (auto& tb : tables) {
      std::string expr;
      for (auto& c : columns[tb]) {
        if (!expr.empty()) expr += t.dialect() == Dialect::sqlite ? " || ',' || " : ", ',', ";
        expr += t.dialect() == Dialect::sqlite ? "quote(\"" + c + "\")" : "QUOTE(" + backticked(c) + ")";
      }
      if (t.dialect() == Dialect::mysql) expr = "CAST(CONCAT(" + expr + ") AS CHAR)";
      std::string line;
      soci::statement st =
          (s.prepare << "SELECT " + expr + " FROM " + (t.dialect() == Dialect::sqlite ? "\"" + tb + "\"" : backticked(tb)) +
                            " ORDER BY 1",
           soci::into(line));
      st.execute();
      auto& rows = out[tb];
      while (st.fetch()) rows.push_back(line);
    }
  });
  return out;
}

bool claim_scheduled_backup(Database& db, const std::string& holder, std::int64_t now, std::int64_t lease_seconds) {
  bool won = false;
  db.tx([&](Tx& t) {
    long long n = now, until = now + lease_seconds;
    soci::statement st = (t.sql().prepare << "UPDATE backup_schedule SET holder = :h, lease_until = :u "
                                             "WHERE name = 'scheduled' AND next_due <= :n AND lease_until < :n2",
                          soci::use(holder), soci::use(until), soci::use(n), soci::use(n));
    st.execute(true);
    won = st.get_affected_rows() == 1;
  });
  return won;
}

void finish_scheduled_backup(Database& db, const std::string& holder, std::int64_t next_due,
                             const std::string& backup_id) {
  db.tx([&](Tx& t) {
    long long nd = next_due;
    if (backup_id.empty())  // failed: keep the last good backup's id
      t.sql() << "UPDATE backup_schedule SET holder = '', lease_until = 0, next_due = :d "
                 "WHERE name = 'scheduled' AND holder = :h",
          soci::use(nd), soci::use(holder);
    else
      t.sql() << "UPDATE backup_schedule SET holder = '', lease_until = 0, next_due = :d, last_backup_id = :b "
                 "WHERE name = 'scheduled' AND holder = :h",
          soci::use(nd), soci::use(backup_id), soci::use(holder);
  });
}

void release_backup_lease(Database& db) {
  db.tx([&](Tx& t) { t.exec("UPDATE backup_schedule SET holder = '', lease_until = 0 WHERE holder <> ''"); });
}

}  // namespace sy::db
