// The pool when a server goes away (MariaDB only: SQLite has no connection to lose). A killed
// connection is replaced and the unit retried; a replica that cannot be reached sends its reads to
// the writer; a unit that keeps failing gives up within its retry budget with 503.
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "db/accounts_repo.h"
#include "db/migrations.h"
#include "db/url.h"
#include "support/testenv.h"

using namespace sy;

namespace {

class Failover : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::db_kind() != "mariadb") GTEST_SKIP() << "connection failover is a MySQL/MariaDB matter";
  }
  // A migrated database with one user row named `marker` (so a read shows which database answered),
  // reached as its own MySQL account `account` so that account can be cut off.
  std::unique_ptr<db::Database> marked(const std::string& marker, const std::string& account, db::Database* admin) {
    std::string url = test::fresh_db_url();
    auto owner = db::Database::open(url, 2);
    db::migrate(*owner);
    owner->tx([&](db::Tx& t) { db::users::insert(t, user(marker)); });
    if (account.empty()) return owner;
    auto c = db::parse_url(url);
    (admin ? *admin : *owner).with_session([&](db::Tx& t) {
      t.exec("CREATE USER '" + account + "'@'127.0.0.1' IDENTIFIED BY 'pw-" + account + "'");
      t.exec("GRANT ALL PRIVILEGES ON " + c.database + ".* TO '" + account + "'@'127.0.0.1'");
    });
    accounts_.push_back(account);
    return db::Database::open(
        "mysql://" + account + ":pw-" + account + "@" + c.host + ":" + std::to_string(c.port) + "/" + c.database, 2);
  }
  // The server forgets the account and drops its connections: like a server that went away.
  void cut_off(db::Database& admin, const std::string& account) {
    admin.with_session([&](db::Tx& t) {
      t.exec("DROP USER '" + account + "'@'127.0.0.1'");
      t.exec("KILL CONNECTION USER '" + account + "'@'127.0.0.1'");
    });
  }
  void TearDown() override {
    if (accounts_.empty()) return;
    auto admin = db::Database::open(test::fresh_db_url(), 1);
    for (auto& a : accounts_)
      admin->with_session([&](db::Tx& t) { t.exec("DROP USER IF EXISTS '" + a + "'@'127.0.0.1'"); });
  }
  static db::UserRow user(const std::string& name) {
    db::UserRow u;
    u.username = name;
    u.password_hash = "x";
    u.role = "student";
    u.full_name = name;
    u.created_at = u.updated_at = 1000;
    return u;
  }
  static std::string first_user(db::Database& d) {
    return d.read_result<std::string>([](db::Tx& t) { return db::users::list(t, "", 10, 0).at(0).username; });
  }
  std::string account(const std::string& tag) { return "syfo_" + tag + "_" + std::to_string(::getpid()); }
  std::vector<std::string> accounts_;
};

TEST_F(Failover, AReplicaThatCannotBeReachedSendsItsReadsToTheWriter) {
  auto writer = marked("on-writer", "", nullptr);
  auto replica = marked("on-replica", account("rep"), writer.get());
  replica->set_fallback(writer.get());
  EXPECT_EQ(first_user(*replica), "on-replica");
  cut_off(*writer, account("rep"));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(first_user(*replica), "on-writer");
  // One attempt on the replica, not its whole retry budget.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(Failover, AKilledConnectionIsReplacedAndTheUnitRetriedOnce) {
  auto admin = marked("admin", "", nullptr);
  auto d = marked("m", account("kill"), admin.get());
  EXPECT_EQ(first_user(*d), "m");  // the pool now holds an open connection
  admin->with_session([&](db::Tx& t) { t.exec("KILL CONNECTION USER '" + account("kill") + "'@'127.0.0.1'"); });
  d->tx([&](db::Tx& t) { db::users::insert(t, user("after-kill")); });
  d->read([&](db::Tx& t) {
    int n = 0;
    for (auto& u : db::users::list(t, "", 100, 0)) n += u.username == "after-kill";
    EXPECT_EQ(n, 1);
  });
}

TEST_F(Failover, AServerThatStaysAwayGivesUpWithin503AndTheBudget) {
  auto admin = marked("admin", "", nullptr);
  auto d = marked("m", account("gone"), admin.get());
  d->set_retry_budget(std::chrono::milliseconds(1500));
  EXPECT_TRUE(d->ping(true));
  cut_off(*admin, account("gone"));
  EXPECT_FALSE(d->ping(true));  // /readyz goes red
  auto t0 = std::chrono::steady_clock::now();
  try {
    d->tx([&](db::Tx& t) { db::users::insert(t, user("never")); });
    ADD_FAILURE() << "the write succeeded without a server";
  } catch (const AppError& e) {
    EXPECT_EQ(e.status, 503);
    EXPECT_EQ(e.code, "database_unavailable");
  }
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(500));  // it did retry
  EXPECT_LT(took, std::chrono::seconds(10));
}

}  // namespace
