#include "db/database.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <regex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "db/prepared.h"
#include "db/url.h"

namespace sy::db {

namespace {

// MySQL/MariaDB error numbers after which the same work may succeed on a fresh connection.
bool mysql_transient(unsigned n) {
  switch (n) {
    case 1205:  // lock wait timeout
    case 1213:  // deadlock
    case 1290:  // --read-only (a failed-over writer we still talk to)
    case 1792:  // read-only transaction
    case 1836:  // read-only mode
      return true;
    default:
      return false;
  }
}

// The connection itself is gone: the server may be down, restarting or replaced. When this happens
// during COMMIT, the transaction may or may not have been kept.
bool mysql_connection_lost(unsigned n) {
  switch (n) {
    case 1927:  // connection killed
    case 2002:
    case 2003:
    case 2006:
    case 2013:
    case 2055:  // cannot connect / gone / lost
    case 4031:  // disconnected for inactivity (MariaDB)
      return true;
    default:
      return false;
  }
}

enum class Kind { transient, connection_lost, constraint, other };

Kind classify(const soci::soci_error& e) {
  if (auto* m = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    if (mysql_connection_lost(m->err_num_)) return Kind::connection_lost;
    if (mysql_transient(m->err_num_)) return Kind::transient;
    if (m->err_num_ == 1062 || m->err_num_ == 1451 || m->err_num_ == 1452) return Kind::constraint;
    return Kind::other;
  }
  if (auto* s = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    int base = s->result() & 0xff;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED) return Kind::transient;
    if (base == SQLITE_CONSTRAINT) return Kind::constraint;
    return Kind::other;
  }
  if (e.get_error_category() == soci::soci_error::connection_error) return Kind::connection_lost;
  // SOCI sometimes reports SQLite busy only in the message text.
  std::string what = e.what();
  if (what.find("database is locked") != std::string::npos) return Kind::transient;
  if (what.find("UNIQUE constraint failed") != std::string::npos ||
      what.find("FOREIGN KEY constraint failed") != std::string::npos)
    return Kind::constraint;
  return Kind::other;
}

}  // namespace

struct Database::Pool {
  Dialect dialect;
  ConnInfo info;
  std::size_t max = 1;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<soci::session>> idle;
  std::size_t open = 0;
  // Each connection's prepared statements. Declared after `idle`, so destroyed before the
  // sessions they were prepared on; dropped with their connection.
  std::unordered_map<soci::session*, std::unique_ptr<StatementCache>> stmts;

  StatementCache& statements_of(soci::session* s) {
    std::lock_guard lk(mu);
    auto& c = stmts[s];
    if (!c) c = std::make_unique<StatementCache>();
    return *c;
  }

  std::unique_ptr<soci::session> connect() {
    auto s = std::make_unique<soci::session>();
    if (dialect == Dialect::sqlite) {
      s->open(soci::sqlite3, "db=" + info.path + " timeout=10");
      // WAL lets readers run beside the one writer; NORMAL sync is durable across app crashes.
      *s << "PRAGMA journal_mode=WAL";
      *s << "PRAGMA foreign_keys=ON";
      *s << "PRAGMA busy_timeout=10000";
      *s << "PRAGMA synchronous=NORMAL";
    } else {
      std::string cs = "host=" + info.host + " port=" + std::to_string(info.port) + " user=" + info.user +
                       " password='" + info.password + "' db=" + info.database +
                       " charset=utf8mb4 connect_timeout=5 read_timeout=30 write_timeout=30";
      s->open(soci::mysql, cs);
      *s << "SET SESSION sql_mode='STRICT_TRANS_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
      *s << "SET SESSION time_zone='+00:00'";
      *s << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    }
    return s;
  }

  std::unique_ptr<soci::session> acquire() {
    std::unique_lock lk(mu);
    if (!cv.wait_for(lk, std::chrono::seconds(30), [&] { return !idle.empty() || open < max; }))
      throw TransientError("database pool exhausted (waited 30 s)");
    if (!idle.empty()) {
      auto s = std::move(idle.back());
      idle.pop_back();
      return s;
    }
    ++open;
    lk.unlock();
    try {
      return connect();
    } catch (...) {
      lk.lock();
      --open;
      cv.notify_one();
      throw;
    }
  }

  // After a failover every idle connection still points at the old writer: drop them all so the
  // next unit of work connects (and resolves the host name) afresh.
  void drop_idle() {
    std::lock_guard lk(mu);
    open -= idle.size();
    for (auto& s : idle) stmts.erase(s.get());
    idle.clear();
    cv.notify_all();
  }

  void release(std::unique_ptr<soci::session> s, bool broken) {
    std::lock_guard lk(mu);
    if (broken) {
      --open;  // dropped: the next acquire reconnects
      stmts.erase(s.get());
    } else
      idle.push_back(std::move(s));
    cv.notify_one();
  }
};

std::unique_ptr<Database> Database::open(const std::string& url, std::size_t pool_size) {
  std::unique_ptr<Database> db(new Database());
  db->pool_ = std::make_unique<Pool>();
  db->pool_->info = parse_url(url);
  db->dialect_ = db->pool_->info.dialect;
  db->pool_->dialect = db->dialect_;
  db->pool_->max = std::max<std::size_t>(1, pool_size);
  db->redacted_url_ = db->pool_->info.redacted;
  if (db->dialect_ == Dialect::sqlite) {
    auto parent = std::filesystem::path(db->pool_->info.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  }
  // Connect once now so a bad URL or password fails at start-up with a clear message.
  auto s = db->pool_->acquire();
  db->pool_->release(std::move(s), false);
  return db;
}

Database::~Database() = default;

std::int64_t Tx::last_insert_id() {
  long long id = 0;
  if (dialect_ == Dialect::sqlite)
    *sql_ << "SELECT last_insert_rowid()", soci::into(id);
  else
    *sql_ << "SELECT LAST_INSERT_ID()", soci::into(id);
  return id;
}

void Tx::exec(const std::string& sql) { *sql_ << sql; }

namespace {

// What one failed attempt tells the retry loop.
struct Failure {
  bool broken = false;     // drop this connection (and the idle ones: the server may have changed)
  bool ambiguous = false;  // the connection was lost during COMMIT: the writes may have been kept
};

// BEGIN, COMMIT and ROLLBACK, kept prepared like the hot queries (each request runs one or two
// transactions, and a one-off statement is parsed, run and finalised every time).
struct FixedStatement {
  soci::statement st;
  FixedStatement(soci::session& s, const char* sql) : st((s.prepare << sql)) {}
};
void run_fixed(soci::session& s, StatementCache& c, Dialect d, const char* sql) {
  auto& f = c.get<FixedStatement>(s, sql);
  Run run(d, f.st);
}

// Runs one attempt on a leased session.
template <class F>
void run_attempt(soci::session& s, StatementCache& c, Dialect d, bool transactional, bool write, F&& body, Failure& f) {
  bool began = false, committing = false;
  auto rollback = [&] {
    if (!began || committing) return;
    try {
      run_fixed(s, c, d, "ROLLBACK");
    } catch (...) {
      f.broken = true;
    }
  };
  try {
    if (transactional) {
      // SQLite: take the write lock up front so two writers never deadlock on lock upgrade.
      if (d == Dialect::sqlite)
        run_fixed(s, c, d, write ? "BEGIN IMMEDIATE" : "BEGIN");
      else
        run_fixed(s, c, d, "START TRANSACTION");
      began = true;
    }
    body();
    if (transactional) {
      committing = true;
      run_fixed(s, c, d, "COMMIT");
    }
  } catch (const soci::soci_error& e) {
    rollback();
    Kind k = classify(e);
    if (k == Kind::transient || k == Kind::connection_lost) {
      if (d == Dialect::mysql) f.broken = true;  // reconnect: the server may have failed over
      if (k == Kind::connection_lost && committing && write) f.ambiguous = true;
      throw TransientError(e.what());
    }
    if (committing) f.broken = true;
    if (k == Kind::constraint)
      throw AppError(ErrorKind::conflict, "conflict", "that conflicts with an existing record");
    throw;
  } catch (...) {
    rollback();
    throw;
  }
}

struct RetryPolicy {
  bool transactional = true;
  bool write = true;
  bool idempotent = false;
  std::chrono::milliseconds budget{20000};
};

}  // namespace

// Retries transient failures with capped exponential backoff (and jitter, so instances that lost
// the writer together do not return in lockstep) until the budget is spent.
static void with_retries(Database::Pool& pool, Dialect d, const RetryPolicy& policy, const std::function<void(Tx&)>& fn,
                         Tx (*make)(soci::session*, Dialect, StatementCache*)) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + policy.budget;
  std::chrono::milliseconds delay{50};
  thread_local std::minstd_rand jitter{std::random_device{}()};
  auto backoff = [&](const char* what, int attempt) {
    auto wait = delay + std::chrono::milliseconds(jitter() % (delay.count() / 2 + 1));
    if (clock::now() + wait >= deadline) return false;
    spdlog::warn("database: {}, retrying (attempt {}) in {} ms", what, attempt, wait.count());
    std::this_thread::sleep_for(wait);
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::milliseconds(2000));
    return true;
  };
  for (int i = 1;; ++i) {
    std::unique_ptr<soci::session> s;
    try {
      s = pool.acquire();
    } catch (const soci::soci_error& e) {
      if (!backoff("cannot connect", i)) throw TransientError(std::string("database unavailable: ") + e.what());
      continue;
    }
    Failure f;
    try {
      auto& stmts = pool.statements_of(s.get());
      Tx t = make(s.get(), d, &stmts);
      run_attempt(
          *s, stmts, d, policy.transactional, policy.write, [&] { fn(t); }, f);
      pool.release(std::move(s), false);
      return;
    } catch (const TransientError& e) {
      pool.release(std::move(s), f.broken);
      if (f.broken) pool.drop_idle();
      if (f.ambiguous && !policy.idempotent) {
        spdlog::error("database: connection lost during COMMIT; not retrying a non-idempotent unit: {}", e.what());
        throw TransientError("the database connection was lost while saving; check whether the change was kept");
      }
      if (!backoff(e.what(), i)) throw;
    } catch (...) {
      pool.release(std::move(s), f.broken);
      throw;
    }
  }
}

Tx Database::make_tx(soci::session* s, Dialect d, StatementCache* c) { return Tx(s, d, c); }

void Database::tx(const std::function<void(Tx&)>& fn, Idempotent idem) {
  with_retries(*pool_, dialect_, {true, true, idem == Idempotent::yes, retry_budget_}, fn, &Database::make_tx);
}
void Database::read(const std::function<void(Tx&)>& fn) {
  if (!fallback_) {
    with_retries(*pool_, dialect_, {true, false, true, retry_budget_}, fn, &Database::make_tx);
    return;
  }
  try {
    with_retries(*pool_, dialect_, {true, false, true, std::chrono::milliseconds(0)}, fn, &Database::make_tx);
  } catch (const TransientError& e) {
    spdlog::warn("database: the replica did not answer ({}); reading from the writer", e.what());
    fallback_->read(fn);
  }
}
void Database::with_session(const std::function<void(Tx&)>& fn) {
  with_retries(*pool_, dialect_, {false, true, false, retry_budget_}, fn, &Database::make_tx);
}

bool Database::ping(bool writable) {
  try {
    int value = -1;
    const char* q = dialect_ == Dialect::mysql && writable ? "SELECT @@global.read_only" : "SELECT 0";
    with_retries(
        *pool_, dialect_, {false, false, true, std::chrono::milliseconds(0)},
        [&](Tx& t) { t.sql() << q, soci::into(value); }, &Database::make_tx);
    if (value != 0) spdlog::warn("database ping: the writer is read-only (a demoted primary?)");
    return value == 0;
  } catch (const std::exception& e) {
    spdlog::warn("database ping failed: {}", e.what());
    return false;
  }
}

}  // namespace sy::db
