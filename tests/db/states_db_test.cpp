// The typed states on both databases: each enum is stored as its text and read back as itself,
// and a row holding a text the enum does not know is refused, never read as some other state.
#include <gtest/gtest.h>

#include <soci/soci.h>

#include "db/accounts_repo.h"
#include "db/jobs_repo.h"
#include "db/photos_repo.h"
#include "db/states_soci.h"
#include "support/db_testing.h"
#include "support/testenv.h"

using namespace sy;

namespace {

std::int64_t add_user(db::Database& d, const std::string& name, Role role) {
  db::UserRow u;
  u.username = name;
  u.password_hash = "x";
  u.role = role;
  u.created_at = u.updated_at = 1000;
  return d.tx_result<std::int64_t>([&](db::Tx& t) { return db::users::insert(t, u); });
}

std::string column_text(db::Database& d, const std::string& sql, std::int64_t id) {
  return d.read_result<std::string>([&](db::Tx& t) {
    std::string v;
    long long i = id;
    t.sql() << sql, soci::use(i), soci::into(v);
    return v;
  });
}

}  // namespace

TEST(States, StoredAsTheirTextAndReadBack) {
  auto d = test::fresh_db();
  for (Role r : {Role::admin, Role::teacher, Role::student, Role::guardian}) {
    auto id = add_user(*d, "u-" + to_string(r), r);
    EXPECT_EQ(column_text(*d, "SELECT role FROM users WHERE id = :id", id), to_string(r));
    auto back = d->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, id); });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->role, r);
  }
  auto student = add_user(*d, "photo-owner", Role::student);
  auto photo = d->tx_result<std::int64_t>(
      [&](db::Tx& t) { return db::school_testing::insert_photo(t, student, "failed", "rejected", true, ""); });
  auto p = d->read_result<std::optional<db::PhotoRow>>([&](db::Tx& t) { return db::photos::by_id(t, photo); });
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, PhotoStatus::failed);
  EXPECT_EQ(p->moderation, Moderation::rejected);
  d->tx([&](db::Tx& t) { db::photos::moderate(t, photo, Moderation::approved, "", student, 2000); });
  EXPECT_EQ(column_text(*d, "SELECT moderation FROM photos WHERE id = :id", photo), "approved");

  db::JobRow j;
  j.bucket = "b";
  j.object_key = "uploads/x";
  j.status = JobStatus::dead;
  auto job = d->tx_result<std::int64_t>([&](db::Tx& t) { return db::jobs::insert(t, j); });
  EXPECT_EQ(column_text(*d, "SELECT status FROM jobs WHERE id = :id", job), "dead");
  d->read([&](db::Tx& t) {
    EXPECT_EQ(db::jobs::list(t, JobStatus::dead, 10, 0).size(), 1u);
    EXPECT_TRUE(db::jobs::list(t, JobStatus::queued, 10, 0).empty());
    EXPECT_EQ(db::jobs::open_counts(t)[JobStatus::dead], 1);
  });
}

// The tables' CHECK constraints keep other values out; should one get in anyway (a manual edit, a
// later migration), reading it fails loudly instead of becoming some state.
TEST(States, AnUnknownTextIsRefused) {
  auto d = test::fresh_db();
  d->read([&](db::Tx& t) {
    Role r = Role::admin;
    t.sql() << "SELECT 'teacher'", soci::into(r);
    EXPECT_EQ(r, Role::teacher);
    EXPECT_THROW((t.sql() << "SELECT 'janitor'", soci::into(r)), std::runtime_error);
    JobStatus j = JobStatus::queued;
    EXPECT_THROW((t.sql() << "SELECT 'Done'", soci::into(j)), std::runtime_error);
    EXPECT_THROW((t.sql() << "SELECT NULL", soci::into(j)), std::runtime_error);
  });
}
