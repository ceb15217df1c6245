// Which reads go to the replica (SCHOOLYARD_DB_READ_URL) and which stay on the writer. The
// "replica" here is a second database whose content differs from the writer's on purpose, so every
// answer shows where it was read: lists and exports may lag (replica), while permission and consent
// are decided on the writer. docs/deployment.md has the table this checks.
#include <gtest/gtest.h>

#include "db/accounts_repo.h"
#include "services/school.h"
#include "services/school_csv.h"
#include "services/school_fixture.h"
#include "services/users.h"
#include "services/yearbook.h"

using namespace sy;
using sy::test::status_of;

namespace {

class ReplicaRouting : public test::SchoolFixture {
 protected:
  // Runs the same scene-setting write on the writer and on the replica (the ids match because both
  // databases start empty), like replication that has caught up.
  template <class F>
  void both(F&& write) {
    write(*app->db);
    write(*app->replica);
  }
  std::int64_t user_on(db::Database& d, const std::string& username, Role role) {
    return test::insert_user(d, username, role);
  }

  std::int64_t admin = 0, teacher = 0, ann = 0, ben = 0, c1 = 0, ann_photo = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    app->replica = test::fresh_db();
    for (db::Database* d : {app->db.get(), app->replica.get()}) {
      admin = user_on(*d, "admin", Role::admin);
      teacher = user_on(*d, "teacher", Role::teacher);
      ann = user_on(*d, "ann", Role::student);
      ben = user_on(*d, "ben", Role::student);
      d->tx([&](db::Tx& t) {
        c1 = db::classes::insert(t, "7A", 2025, 1000);
        db::classes::enrol(t, c1, ann, 1000);
        db::classes::enrol(t, c1, ben, 1000);
        db::consent::set(t, ann, "yearbook", 0, 1000);
        ann_photo = db::school_testing::insert_photo(t, ann, "ready", "approved", true, "hello");
      });
    }
  }
  db::Database& writer() { return *app->db; }
  db::Database& lagging() { return *app->replica; }
};

TEST_F(ReplicaRouting, ListsComeFromTheReplica) {
  // A class the replica has not seen yet is missing from the list; one only it has is there.
  writer().tx([&](db::Tx& t) { db::classes::insert(t, "only-on-writer", 2025, 1000); });
  lagging().tx([&](db::Tx& t) { db::classes::insert(t, "only-on-replica", 2025, 1000); });
  std::vector<std::string> names;
  for (auto& c : services::list_classes(*app, actor(admin))) names.push_back(c.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "only-on-replica"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "only-on-writer"), names.end());

  user_on(lagging(), "replica-user", Role::student);
  bool seen = false;
  for (auto& u : services::list_users(*app, actor(admin), "", 100, 0)) seen |= u.username == "replica-user";
  EXPECT_TRUE(seen);
}

TEST_F(ReplicaRouting, ExportsComeFromTheReplica) {
  user_on(lagging(), "exported-from-replica", Role::student);
  EXPECT_NE(services::students_csv(*app, actor(admin)).find("exported-from-replica"), std::string::npos);
  lagging().tx([&](db::Tx& t) { db::consent::set(t, ben, "print", 0, 1000); });
  EXPECT_NE(services::roster_csv(*app, actor(admin), c1).find(",print"), std::string::npos);
}

TEST_F(ReplicaRouting, PermissionIsDecidedOnTheWriter) {
  // The teacher is assigned to the class on the writer only: the class opens. Another teacher
  // assigned on the (wrong) replica only is still refused.
  writer().tx([&](db::Tx& t) { db::classes::assign_teacher(t, c1, teacher, "Art", 1000); });
  EXPECT_EQ(services::get_class(*app, actor(teacher), c1).cls.id, c1);
  EXPECT_EQ(services::yearbook(*app, actor(teacher), c1).cls.id, c1);

  std::int64_t intruder = 0;
  both([&](db::Database& d) { intruder = user_on(d, "intruder", Role::teacher); });
  lagging().tx([&](db::Tx& t) { db::classes::assign_teacher(t, c1, intruder, "Art", 1000); });
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(intruder), c1); }), 403);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(intruder), c1); }), 403);
}

TEST_F(ReplicaRouting, YearbookNamesFromTheReplicaConsentFromTheWriter) {
  auto photo_of = [&](const services::Yearbook& y, std::int64_t student) -> std::int64_t {
    for (auto& e : y.entries)
      if (e.student_id == student) return e.photo_id;
    return -1;
  };
  EXPECT_EQ(photo_of(services::yearbook(*app, actor(admin), c1), ann), ann_photo);

  // The page lists whoever the replica has (a lagging name change shows the replica's value).
  lagging().tx([&](db::Tx& t) { t.exec("UPDATE users SET full_name = 'Replica Name' WHERE username = 'ben'"); });
  bool replica_name = false;
  for (auto& e : services::yearbook(*app, actor(admin), c1).entries) replica_name |= e.full_name == "Replica Name";
  EXPECT_TRUE(replica_name);

  // Consent withdrawn on the writer, not yet replicated: the photo is gone at once.
  writer().tx([&](db::Tx& t) { db::consent::set(t, ann, "none", 0, 2000); });
  EXPECT_EQ(photo_of(services::yearbook(*app, actor(admin), c1), ann), 0);
  writer().tx([&](db::Tx& t) { db::consent::set(t, ann, "yearbook", 0, 3000); });
  EXPECT_EQ(photo_of(services::yearbook(*app, actor(admin), c1), ann), ann_photo);

  // Approval taken back on the writer only: not shown either.
  writer().tx(
      [&](db::Tx& t) { t.exec("UPDATE photos SET moderation = 'rejected' WHERE id = " + std::to_string(ann_photo)); });
  EXPECT_EQ(photo_of(services::yearbook(*app, actor(admin), c1), ann), 0);
}

}  // namespace
