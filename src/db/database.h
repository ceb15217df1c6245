#pragma once
// Connection pool + transactions over SOCI (SQLite or MySQL/MariaDB). SOCI stays inside src/db:
// the rest of the app calls repository functions (db/*_repo.h) that take a Tx&.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace soci {
class session;
}

namespace sy::db {

enum class Dialect { sqlite, mysql };

// Thrown for lost connections / deadlocks: the unit of work may be retried.
struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Database;

// A leased connection inside an open transaction. Commit happens when the Database::tx() callback
// returns normally; any exception rolls back.
class Tx {
 public:
  soci::session& sql() { return *sql_; }
  Dialect dialect() const { return dialect_; }
  std::int64_t last_insert_id();      // after an INSERT into a table with an auto id
  void exec(const std::string& sql);  // a fixed statement with no parameters (DDL, admin)

 private:
  friend class Database;
  Tx(soci::session* s, Dialect d) : sql_(s), dialect_(d) {}
  soci::session* sql_;
  Dialect dialect_;
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
  void tx(const std::function<void(Tx&)>& fn);
  template <class T>
  T tx_result(const std::function<T(Tx&)>& fn) {
    T out{};
    tx([&](Tx& t) { out = fn(t); });
    return out;
  }
  // Read-only unit of work (SQLite: deferred BEGIN, so readers do not queue behind writers).
  void read(const std::function<void(Tx&)>& fn);
  template <class T>
  T read_result(const std::function<T(Tx&)>& fn) {
    T out{};
    read([&](Tx& t) { out = fn(t); });
    return out;
  }
  // Runs fn on a leased connection without a transaction (migrations, DDL).
  void with_session(const std::function<void(Tx&)>& fn);

  bool ping();  // SELECT 1 (for /readyz)

  struct Pool;  // opaque

 private:
  Database() = default;
  static Tx make_tx(soci::session* s, Dialect d);
  std::unique_ptr<Pool> pool_;
  Dialect dialect_ = Dialect::sqlite;
  std::string redacted_url_;
};

}  // namespace sy::db
