// The pool when the server goes away (MariaDB only: SQLite has no connection to lose). The app
// reaches the database through tests/cluster/tcp_forward.py, the endpoint a failover moves; killing
// the forwarder cuts every connection and refuses new ones, like a writer that died.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>

#include "core/error.h"
#include "db/accounts_repo.h"
#include "db/migrations.h"
#include "db/url.h"
#include "http/types.h"
#include "jobs/process.h"
#include "support/testenv.h"

using namespace sy;

namespace {

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(s);
  return ntohs(a.sin_port);
}

db::UserRow user(const std::string& name) {
  db::UserRow u;
  u.username = name;
  u.password_hash = "x";
  u.role = Role::student;
  u.full_name = name;
  u.created_at = u.updated_at = 1000;
  return u;
}

std::string first_user(db::Database& d) {
  return d.read_result<std::string>([](db::Tx& t) { return db::users::list(t, std::nullopt, 10, 0).at(0).username; });
}

class Failover : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::db_kind() != "mariadb") GTEST_SKIP() << "connection failover is a MySQL/MariaDB matter";
    url_ = test::fresh_db_url();
    direct_ = db::Database::open(url_, 2);
    db::migrate(*direct_);
    port_ = free_port();
    auto c = db::parse_url(url_);
    target_ = test::temp_dir("failover") + "/target";
    std::ofstream(target_) << c.host << ":" << c.port << "\n";
    via_ = "mysql://" + c.user + ":" + c.password + "@127.0.0.1:" + std::to_string(port_) + "/" + c.database;
    endpoint_up();
  }
  void TearDown() override { endpoint_down(); }

  void endpoint_up() {
    pid_ = test::spawn({"/usr/bin/python3", std::string(SY_TOOLS_DIR) + "/../tests/cluster/tcp_forward.py",
                        std::to_string(port_), target_});
    for (int i = 0; i < 100; ++i) {  // listening?
      int s = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      ::close(s);
      if (ok) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the forwarder did not start";
  }
  void endpoint_down() {
    if (pid_ > 0) test::stop(pid_, SIGKILL);
    pid_ = 0;
  }

  std::string url_, via_, target_;
  std::unique_ptr<db::Database> direct_;
  int port_ = 0;
  pid_t pid_ = 0;
};

TEST_F(Failover, AReplicaThatCannotBeReachedSendsItsReadsToTheWriter) {
  // The "replica" is another database (behind the endpoint) whose rows differ from the writer's.
  direct_->tx([&](db::Tx& t) { db::users::insert(t, user("on-replica")); });
  auto writer = test::fresh_db();
  writer->tx([&](db::Tx& t) { db::users::insert(t, user("on-writer")); });
  auto replica = db::Database::open(via_, 2);
  replica->set_fallback(writer.get());
  EXPECT_EQ(first_user(*replica), "on-replica");
  endpoint_down();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(first_user(*replica), "on-writer");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // one attempt, not the whole budget
}

TEST_F(Failover, LostConnectionsAreReplacedAndTheUnitRunsOnce) {
  auto d = db::Database::open(via_, 2);
  d->tx([&](db::Tx& t) { db::users::insert(t, user("before")); });  // the pool holds an open connection
  endpoint_down();                                                  // every open connection is cut …
  endpoint_up();  // … and the endpoint answers again (a restarted or promoted server)
  d->tx([&](db::Tx& t) { db::users::insert(t, user("after")); });
  auto names =
      direct_->read_result<std::vector<db::UserRow>>([](db::Tx& t) { return db::users::list(t, std::nullopt, 10, 0); });
  int after = 0;
  for (auto& u : names) after += u.username == "after";
  EXPECT_EQ(after, 1);
  EXPECT_EQ(names.size(), 2u);
}

TEST_F(Failover, AWriterThatStaysAwayAnswers503WithinTheBudgetAndReadinessFollows) {
  auto d = db::Database::open(via_, 2);
  d->set_retry_budget(std::chrono::milliseconds(1500));
  EXPECT_TRUE(d->ping(true));
  endpoint_down();
  EXPECT_FALSE(d->ping(true));  // /readyz red
  auto t0 = std::chrono::steady_clock::now();
  try {
    d->tx([&](db::Tx& t) { db::users::insert(t, user("never")); });
    ADD_FAILURE() << "a write succeeded without a server";
  } catch (const AppError& e) {
    EXPECT_EQ(sy::http::status_of(e.kind), 503);
    EXPECT_EQ(e.code, "database_unavailable");
  }
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(500));  // it retried with backoff …
  EXPECT_LT(took, std::chrono::seconds(10));        // … within its budget
  endpoint_up();
  EXPECT_TRUE(d->ping(true));  // green again, same Database object: no restart
  d->tx([&](db::Tx& t) { db::users::insert(t, user("back")); });
}

}  // namespace
