#pragma once
// Connection pool + transactions over SOCI (SQLite or MySQL/MariaDB). SOCI stays inside src/db:
// the rest of the app calls repository functions (db/*_repo.h) that take a Tx&.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"

namespace soci {
class session;
}

namespace sy::db {

enum class Dialect { sqlite, mysql };

// Thrown for lost connections / deadlocks / a read-only (demoted) writer. Inside Database it means
// "retry"; once the retries are spent it reaches the client as 503 database_unavailable.
struct TransientError : AppError {
  explicit TransientError(const std::string& m) : AppError(ErrorKind::unavailable, "database_unavailable", m) {}
};

// Whether a unit of work may safely run twice. A unit that failed before its COMMIT reached the
// server had no effect and is always retried; when the connection drops during COMMIT the outcome is
// unknown, and only idempotent units (and reads) are retried then — the rest fail with 503.
enum class Idempotent { no, yes };

class Database;
class StatementCache;  // db/prepared.h

// A leased connection inside an open transaction. Commit happens when the Database::tx() callback
// returns normally; any exception rolls back.
class Tx {
 public:
  soci::session& sql() { return *sql_; }
  Dialect dialect() const { return dialect_; }
  std::int64_t last_insert_id();      // after an INSERT into a table with an auto id
  void exec(const std::string& sql);  // a fixed statement with no parameters (DDL, admin)
  // Statements kept prepared on this pooled connection (db/prepared.h; repositories only).
  StatementCache& statements() { return *stmts_; }

 private:
  friend class Database;
  Tx(soci::session* s, Dialect d, StatementCache* c) : sql_(s), dialect_(d), stmts_(c) {}
  soci::session* sql_;
  Dialect dialect_;
  StatementCache* stmts_;
};

class Database {
 public:
  // "sqlite://path" or "mysql://user:pass@host:port/db". pool_size connections are opened lazily.
  static std::unique_ptr<Database> open(const std::string& url, std::size_t pool_size);
  ~Database();

  Dialect dialect() const { return dialect_; }
  const std::string& url_for_logs() const { return redacted_url_; }

  // Runs fn inside a transaction; retries the whole unit on TransientError (deadlock, lost
  // connection, SQLite busy) a few times with backoff before giving up.
  void tx(const std::function<void(Tx&)>& fn, Idempotent idem = Idempotent::no);
  template <class T>
  T tx_result(const std::function<T(Tx&)>& fn, Idempotent idem = Idempotent::no) {
    T out{};
    tx([&](Tx& t) { out = fn(t); }, idem);
    return out;
  }
  // Read-only unit of work (SQLite: deferred BEGIN, so readers do not queue behind writers).
  // On a replica with a fallback (set_fallback), a replica that does not answer sends the read to
  // the fallback (the writer) at once instead of waiting out the retries.
  void read(const std::function<void(Tx&)>& fn);
  template <class T>
  T read_result(const std::function<T(Tx&)>& fn) {
    T out{};
    read([&](Tx& t) { out = fn(t); });
    return out;
  }
  // Runs fn on a leased connection without a transaction (migrations, DDL).
  void with_session(const std::function<void(Tx&)>& fn);

  // One attempt, no retries (for /readyz). With writable, a MySQL server in read-only mode (a
  // demoted writer that DNS still points at) is not ready either.
  bool ping(bool writable = false);

  // A replica's writer: where read() goes when this database does not answer. Not owned.
  void set_fallback(Database* writer) { fallback_ = writer; }

  // How long a unit of work keeps retrying transient errors (default 20 s: an Aurora failover).
  void set_retry_budget(std::chrono::milliseconds b) { retry_budget_ = b; }

  struct Pool;  // opaque

 private:
  Database() = default;
  static Tx make_tx(soci::session* s, Dialect d, StatementCache* c);
  std::unique_ptr<Pool> pool_;
  Dialect dialect_ = Dialect::sqlite;
  std::string redacted_url_;
  Database* fallback_ = nullptr;
  std::chrono::milliseconds retry_budget_{20000};
};

}  // namespace sy::db
