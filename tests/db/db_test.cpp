#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "db/accounts_repo.h"
#include "db/migrations.h"
#include "db/url.h"
#include "http/types.h"
#include "support/testenv.h"

using namespace sy;

namespace {
db::UserRow user(const std::string& name, Role role = Role::student) {
  db::UserRow u;
  u.username = name;
  u.password_hash = "x";
  u.role = role;
  u.full_name = "Full " + name;
  u.created_at = u.updated_at = 1000;
  return u;
}
}  // namespace

TEST(Url, ParsesMysqlAndRedactsPassword) {
  auto c = db::parse_url("mysql://app:s%40cret@db.example:3307/school");
  EXPECT_EQ(c.dialect, db::Dialect::mysql);
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.password, "s@cret");
  EXPECT_EQ(c.host, "db.example");
  EXPECT_EQ(c.port, 3307);
  EXPECT_EQ(c.database, "school");
  EXPECT_EQ(c.redacted.find("cret"), std::string::npos);
  EXPECT_THROW(db::parse_url("postgres://x"), std::invalid_argument);
  EXPECT_THROW(db::parse_url("mysql://u:p@h:1/bad;name"), std::invalid_argument);
}

// How many migrations a fresh database gets (versions may have gaps while branches are merged).
static int migration_count(db::Dialect d) {
  int n = 0;
  for (auto& m : db::embedded_migrations()) n += m.dialect == (d == db::Dialect::sqlite ? "sqlite" : "mysql");
  return n;
}

TEST(Migrations, ApplyOnceAndAreIdempotent) {
  auto d = test::fresh_db(false);
  EXPECT_EQ(db::current_version(*d), 0);
  int n = db::migrate(*d);
  EXPECT_EQ(n, migration_count(d->dialect()));
  EXPECT_GE(n, 2);
  EXPECT_EQ(db::migrate(*d), 0);
  EXPECT_EQ(db::current_version(*d), db::latest_version(d->dialect()));
}

TEST(Migrations, EveryVersionExistsForBothDialects) {
  std::set<std::pair<std::string, int>> seen;
  for (auto& m : db::embedded_migrations()) seen.insert({m.dialect, m.version});
  for (auto& [dialect, v] : seen) {
    std::string other = dialect == "sqlite" ? "mysql" : "sqlite";
    EXPECT_TRUE(seen.count({other, v})) << "migration " << v << " missing for " << other;
  }
}

TEST(Migrations, ConcurrentAppliersApplyEachOnce) {
  std::string url = test::fresh_db_url();
  std::atomic<int> total{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&] {
      auto d = db::Database::open(url, 1);
      total += db::migrate(*d);
    });
  for (auto& t : ts) t.join();
  auto d = db::Database::open(url, 1);
  EXPECT_EQ(total.load(), migration_count(d->dialect()));
}

TEST(Users, InsertFindListUpdate) {
  auto d = test::fresh_db();
  std::int64_t id = 0;
  d->tx([&](db::Tx& t) { id = db::users::insert(t, user("amy", Role::teacher)); });
  ASSERT_GT(id, 0);
  d->tx([&](db::Tx& t) {
    auto u = db::users::by_username(t, "amy");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->id, id);
    EXPECT_EQ(u->role, Role::teacher);
    EXPECT_TRUE(u->active);
    EXPECT_FALSE(db::users::by_username(t, "nobody"));
    EXPECT_FALSE(db::users::by_id(t, id + 100));
    db::users::set_active(t, id, false, 2000);
    db::users::set_password(t, id, "newhash", 2000);
  });
  d->read([&](db::Tx& t) {
    auto u = db::users::by_id(t, id);
    EXPECT_FALSE(u->active);
    EXPECT_EQ(u->password_hash, "newhash");
    EXPECT_EQ(u->updated_at, 2000);
    EXPECT_EQ(db::users::count_role(t, Role::teacher, false), 1);
    EXPECT_EQ(db::users::count_role(t, Role::teacher, true), 0);
  });
}

TEST(Users, UnicodeNamesRoundTrip) {
  auto d = test::fresh_db();
  auto u = user("zoe");
  u.full_name = "Zoë Ångström 王小明 🙂";
  d->tx([&](db::Tx& t) { db::users::insert(t, u); });
  d->read([&](db::Tx& t) { EXPECT_EQ(db::users::by_username(t, "zoe")->full_name, u.full_name); });
}

TEST(Users, DuplicateUsernameIsConflictAndRollsBack) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) { db::users::insert(t, user("bob")); });
  try {
    d->tx([&](db::Tx& t) {
      db::users::insert(t, user("carl"));
      db::users::insert(t, user("bob"));
    });
    FAIL() << "expected a conflict";
  } catch (const AppError& e) {
    EXPECT_EQ(sy::http::status_of(e.kind), 409);
  }
  // carl was in the failed transaction: gone.
  d->read([&](db::Tx& t) { EXPECT_FALSE(db::users::by_username(t, "carl")); });
}

TEST(Users, ListFiltersByRoleAndPages) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    for (int i = 0; i < 5; ++i) db::users::insert(t, user("s" + std::to_string(i)));
    db::users::insert(t, user("t0", Role::teacher));
  });
  d->read([&](db::Tx& t) {
    EXPECT_EQ(db::users::list(t, std::nullopt, 100, 0).size(), 6u);
    auto students = db::users::list(t, Role::student, 2, 1);
    ASSERT_EQ(students.size(), 2u);
    EXPECT_EQ(students[0].username, "s1");
  });
}

TEST(Sessions, InsertFindTouchPurge) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    auto uid = db::users::insert(t, user("sam"));
    db::SessionRow s;
    s.token_hash = std::string(64, 'a');
    s.user_id = uid;
    s.csrf_token = "c";
    s.created_at = s.last_seen_at = 100;
    s.expires_at = 1000;
    auto sid = db::sessions::insert(t, s);
    db::sessions::touch(t, sid, 200);
    auto got = db::sessions::by_token_hash(t, s.token_hash);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->last_seen_at, 200);
    EXPECT_FALSE(db::sessions::by_token_hash(t, std::string(64, 'b')));
    EXPECT_EQ(db::sessions::purge(t, 150, 500), 0);
    EXPECT_EQ(db::sessions::purge(t, 300, 500), 1);
    EXPECT_FALSE(db::sessions::by_token_hash(t, s.token_hash));
  });
}

TEST(AuthFailures, CountsWindowAndNth) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    for (int i = 0; i < 5; ++i) db::auth_failures::record(t, "amy", "1.2.3.4", 100 + i);
    db::auth_failures::record(t, "bob", "1.2.3.4", 200);
    EXPECT_EQ(db::auth_failures::count_user(t, "amy", 102), 3);
    EXPECT_EQ(db::auth_failures::count_ip(t, "1.2.3.4", 0), 6);
    EXPECT_EQ(db::auth_failures::nth_latest_user(t, "amy", 1), 104);
    EXPECT_EQ(db::auth_failures::nth_latest_user(t, "amy", 5), 100);
    EXPECT_EQ(db::auth_failures::nth_latest_user(t, "amy", 6), 0);
    db::auth_failures::clear_user(t, "amy");
    EXPECT_EQ(db::auth_failures::count_user(t, "amy", 0), 0);
  });
}

TEST(Audit, InsertAndFilter) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    db::AuditRow r;
    r.at = 5;
    r.actor_id = 1;
    r.actor_username = "admin";
    r.action = "user.create";
    r.entity_type = "user";
    r.entity_id = "2";
    db::audit::insert(t, r);
    r.action = "login.failed";
    r.actor_id.reset();
    r.actor_username = "eve";
    db::audit::insert(t, r);
  });
  d->read([&](db::Tx& t) {
    auto all = db::audit::list(t, "", "", 10, 0);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].action, "login.failed");  // newest first
    EXPECT_FALSE(all[0].actor_id);
    EXPECT_EQ(*all[1].actor_id, 1);
    EXPECT_EQ(db::audit::list(t, "user.", "", 10, 0).size(), 1u);
    EXPECT_EQ(db::audit::list(t, "", "eve", 10, 0).size(), 1u);
  });
}

TEST(Pool, ManyThreadsWriteWithoutErrors) {
  auto d = test::fresh_db(true, 4);
  std::vector<std::thread> ts;
  std::atomic<int> errors{0};
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&, i] {
      for (int j = 0; j < 10; ++j) {
        try {
          d->tx([&](db::Tx& t) { db::users::insert(t, user("u" + std::to_string(i) + "_" + std::to_string(j))); });
        } catch (const std::exception& e) {
          ++errors;
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  d->read([&](db::Tx& t) { EXPECT_EQ(db::users::list(t, std::nullopt, 1000, 0).size(), 80u); });
}

TEST(Pool, PingAnswers) {
  auto d = test::fresh_db();
  EXPECT_TRUE(d->ping());
}
