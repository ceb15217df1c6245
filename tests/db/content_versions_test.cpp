#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "db/accounts_repo.h"
#include "db/content_versions_repo.h"
#include "db/erasure_repo.h"
#include "db/notices_repo.h"
#include "db/photos_repo.h"
#include "db/school_repo.h"
#include "support/testenv.h"

using namespace sy;

TEST(ContentVersions, NeverBumpedIsZeroAndBumpsCount) {
  auto d = test::fresh_db();
  EXPECT_EQ(d->read_result<std::int64_t>([](db::Tx& t) { return db::content_versions::get(t, "yearbook:class:1"); }),
            0);
  d->tx([](db::Tx& t) { db::content_versions::bump(t, "yearbook:class:1"); });
  d->tx([](db::Tx& t) {
    db::content_versions::bump(t, "yearbook:class:1");
    db::content_versions::bump(t, "roster:class:1");
  });
  d->read([](db::Tx& t) {
    EXPECT_EQ(db::content_versions::get(t, "yearbook:class:1"), 2);
    EXPECT_EQ(db::content_versions::get(t, "roster:class:1"), 1);
    EXPECT_EQ(db::content_versions::get(t, "yearbook:class:2"), 0);
  });
}

// A bump belongs to its transaction: rolled back with it, never visible on its own.
TEST(ContentVersions, RolledBackWithTheChange) {
  auto d = test::fresh_db();
  d->tx([](db::Tx& t) { db::content_versions::bump(t, "k"); });
  EXPECT_THROW(d->tx([](db::Tx& t) {
    db::content_versions::bump(t, "k");
    throw std::runtime_error("the change failed");
  }),
               std::runtime_error);
  EXPECT_EQ(d->read_result<std::int64_t>([](db::Tx& t) { return db::content_versions::get(t, "k"); }), 1);
}

// Concurrent first bumps of a new name must not collide on the key (an upsert, not read-then-insert).
TEST(ContentVersions, ConcurrentBumpsAllCount) {
  auto d = test::fresh_db();
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int j = 0; j < 10; ++j) d->tx([](db::Tx& t) { db::content_versions::bump(t, "fresh"); });
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(d->read_result<std::int64_t>([](db::Tx& t) { return db::content_versions::get(t, "fresh"); }), 40);
}

// Every repository mutator that changes what a class yearbook or roster shows bumps both versions
// of the classes involved, in its own transaction.
TEST(ContentVersions, PageMutatorsBumpTheirClasses) {
  auto d = test::fresh_db();
  std::int64_t cls = 0, other = 0, stu = 0, teacher = 0, photo = 0;
  d->tx([&](db::Tx& t) {
    cls = db::classes::insert(t, "7B", 2026, 1000);
    other = db::classes::insert(t, "7C", 2026, 1000);
    db::UserRow u;
    u.username = "stu";
    u.password_hash = "x";
    u.role = Role::student;
    u.full_name = "Stu";
    u.created_at = u.updated_at = 1000;
    stu = db::users::insert(t, u);
    u.username = "tea";
    u.role = Role::teacher;
    teacher = db::users::insert(t, u);
  });
  auto versions = [&](std::int64_t c) {
    return d->read_result<std::pair<std::int64_t, std::int64_t>>([&](db::Tx& t) {
      return std::make_pair(db::content_versions::get(t, db::content_versions::class_yearbook(c)),
                            db::content_versions::get(t, db::content_versions::class_roster(c)));
    });
  };
  std::int64_t last = 0;
  auto expect_bumped = [&](const char* what, const std::function<void(db::Tx&)>& change) {
    d->tx(change);
    auto [y, r] = versions(cls);
    EXPECT_GT(y, last) << what << " did not bump the yearbook";
    EXPECT_GT(r, last) << what << " did not bump the roster";
    last = std::min(y, r);
  };
  expect_bumped("enrol", [&](db::Tx& t) { db::classes::enrol(t, cls, stu, 1001); });
  expect_bumped("assign teacher", [&](db::Tx& t) { db::classes::assign_teacher(t, cls, teacher, "Art", 1001); });
  expect_bumped("consent", [&](db::Tx& t) { db::consent::set(t, stu, "yearbook", 0, 1002); });
  expect_bumped("rename", [&](db::Tx& t) { db::users::set_full_name(t, stu, "Stuart", 1003); });
  expect_bumped("teacher rename", [&](db::Tx& t) { db::users::set_full_name(t, teacher, "Ms T", 1003); });
  expect_bumped("upload replaces the current photo", [&](db::Tx& t) {
    db::photos::clear_current(t, stu, 1004);
    db::PhotoRow p;
    p.student_id = stu;
    p.original_key = "uploads/x";
    p.is_current = true;
    p.created_at = p.updated_at = 1004;
    photo = db::photos::insert(t, p);
  });
  expect_bumped("ready", [&](db::Tx& t) { db::photos::mark_ready(t, photo, "jpeg", 10, 1005); });
  expect_bumped("approve", [&](db::Tx& t) { db::photos::moderate(t, photo, Moderation::approved, "", teacher, 1006); });
  expect_bumped("reject",
                [&](db::Tx& t) { db::photos::moderate(t, photo, Moderation::rejected, "blurry", teacher, 1007); });
  expect_bumped("reprocess", [&](db::Tx& t) { db::photos::mark_processing(t, photo, true, 1008); });
  expect_bumped("failed", [&](db::Tx& t) { db::photos::mark_failed(t, photo, "invalid_image", "x", 1009); });
  expect_bumped("purged", [&](db::Tx& t) { db::photos::mark_purged(t, photo, 1010); });
  expect_bumped("deactivate", [&](db::Tx& t) { db::users::set_active(t, stu, false, 1011); });
  expect_bumped("unassign teacher", [&](db::Tx& t) { db::classes::unassign_teacher(t, cls, teacher); });
  expect_bumped("unenrol", [&](db::Tx& t) { db::classes::unenrol(t, cls, stu); });
  // A class the student was never in is left alone.
  EXPECT_EQ(versions(other), std::make_pair(std::int64_t{0}, std::int64_t{0}));
}

// The per-user lists (home notices with read marks, the review count in the navigation) are kept
// under one counter: every mutator they depend on bumps it in its own transaction, and the bump
// rolls back with the change.
TEST(ContentVersions, PersonalListMutatorsBumpTheCounter) {
  auto d = test::fresh_db();
  std::int64_t cls = 0, stu = 0, guardian = 0, teacher = 0, photo = 0, notice = 0;
  d->tx([&](db::Tx& t) {
    cls = db::classes::insert(t, "8A", 2026, 1000);
    db::UserRow u;
    u.username = "stu";
    u.password_hash = "x";
    u.role = Role::student;
    u.full_name = "Stu";
    u.created_at = u.updated_at = 1000;
    stu = db::users::insert(t, u);
    u.username = "gua";
    u.role = Role::guardian;
    guardian = db::users::insert(t, u);
    u.username = "tea";
    u.role = Role::teacher;
    teacher = db::users::insert(t, u);
  });
  auto version = [&] {
    return d->read_result<std::int64_t>(
        [](db::Tx& t) { return db::content_versions::get(t, db::content_versions::personal_lists()); });
  };
  std::int64_t last = version();
  auto expect_bumped = [&](const char* what, const std::function<void(db::Tx&)>& change) {
    // Rolled back with its transaction first...
    EXPECT_THROW(d->tx([&](db::Tx& t) {
      change(t);
      throw std::runtime_error("the change failed");
    }),
                 std::runtime_error)
        << what;
    EXPECT_EQ(version(), last) << what << ": the bump outlived its rolled-back transaction";
    // ...then committed.
    d->tx(change);
    auto v = version();
    EXPECT_GT(v, last) << what << " did not bump the personal lists";
    last = v;
  };
  expect_bumped("enrol", [&](db::Tx& t) { db::classes::enrol(t, cls, stu, 1001); });
  expect_bumped("assign teacher", [&](db::Tx& t) { db::classes::assign_teacher(t, cls, teacher, "Art", 1001); });
  expect_bumped("guardian link", [&](db::Tx& t) { db::guardians::link(t, guardian, stu, 1001); });
  expect_bumped("notice published", [&](db::Tx& t) {
    db::NoticeRow n;
    n.author_id = teacher;
    n.title = "Trip";
    n.body = "Bring lunch";
    n.publish_at = n.created_at = 1002;
    n.targets.push_back({cls, std::nullopt});
    notice = db::notices::insert(t, n);
  });
  expect_bumped("notice read", [&](db::Tx& t) { db::notices::mark_read(t, notice, stu, 1003); });
  // Reading it again changes nothing anyone sees: no bump.
  d->tx([&](db::Tx& t) { db::notices::mark_read(t, notice, stu, 1004); });
  EXPECT_EQ(version(), last) << "a second read of the same notice bumped";
  expect_bumped("photo inserted", [&](db::Tx& t) {
    db::PhotoRow p;
    p.student_id = stu;
    p.original_key = "uploads/y";
    p.is_current = true;
    p.created_at = p.updated_at = 1005;
    photo = db::photos::insert(t, p);
  });
  expect_bumped("ready", [&](db::Tx& t) { db::photos::mark_ready(t, photo, "jpeg", 10, 1006); });
  expect_bumped("approve", [&](db::Tx& t) { db::photos::moderate(t, photo, Moderation::approved, "", teacher, 1007); });
  expect_bumped("reject",
                [&](db::Tx& t) { db::photos::moderate(t, photo, Moderation::rejected, "blurry", teacher, 1008); });
  expect_bumped("replaced", [&](db::Tx& t) { db::photos::clear_current(t, stu, 1009); });
  expect_bumped("author renamed", [&](db::Tx& t) { db::users::set_full_name(t, teacher, "Ms T", 1010); });
  expect_bumped("deactivate", [&](db::Tx& t) { db::users::set_active(t, stu, false, 1011); });
  expect_bumped("guardian unlink", [&](db::Tx& t) { db::guardians::unlink(t, guardian, stu); });
  expect_bumped("unassign teacher", [&](db::Tx& t) { db::classes::unassign_teacher(t, cls, teacher); });
  expect_bumped("unenrol", [&](db::Tx& t) { db::classes::unenrol(t, cls, stu); });
  expect_bumped("photo erased", [&](db::Tx& t) { db::erasure::delete_photo(t, photo); });
  expect_bumped("user erased", [&](db::Tx& t) { db::erasure::delete_user(t, guardian); });
}

// A cached notice list is right until the next scheduled notice is due, whoever it is for.
TEST(ContentVersions, NextPublishAfterIsTheEarliestScheduledNotice) {
  auto d = test::fresh_db();
  auto next = [&](std::int64_t now) {
    return d->read_result<std::optional<std::int64_t>>(
        [&](db::Tx& t) { return db::notices::next_publish_after(t, now); });
  };
  EXPECT_EQ(next(1000), std::nullopt);
  d->tx([](db::Tx& t) {
    for (std::int64_t at : {900, 1500, 1200}) {
      db::NoticeRow n;
      n.title = "n";
      n.body = "b";
      n.publish_at = at;
      n.created_at = 800;
      db::notices::insert(t, n);
    }
  });
  EXPECT_EQ(next(1000), std::optional<std::int64_t>(1200));
  EXPECT_EQ(next(1200), std::optional<std::int64_t>(1500));
  EXPECT_EQ(next(1500), std::nullopt);
}
