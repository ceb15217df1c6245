// The yearbook rules: only current, ready, approved photos of consenting students; scope checks.
#include <gtest/gtest.h>

#include "db/accounts_repo.h"
#include "services/school.h"
#include "services/school_fixture.h"
#include "services/yearbook.h"

using namespace sy;
using sy::test::status_of;

namespace {

class Yearbook : public test::SchoolFixture {
 protected:
  std::int64_t admin = 0, teacher = 0, other_teacher = 0, guardian = 0, other_guardian = 0, c1 = 0, c2 = 0;
  std::int64_t ann = 0, ben = 0, cat = 0, dan = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    admin = add_user("admin", Role::admin);
    teacher = add_user("teacher", Role::teacher);
    other_teacher = add_user("teacher2", Role::teacher);
    guardian = add_user("guardian", Role::guardian);
    other_guardian = add_user("guardian2", Role::guardian);
    ann = add_user("ann", Role::student);
    ben = add_user("ben", Role::student);
    cat = add_user("cat", Role::student);
    dan = add_user("dan", Role::student);
    c1 = add_class("7A", 2025);
    c2 = add_class("7B", 2025);
    teach(c1, teacher);
    teach(c2, other_teacher);
    for (auto s : {ann, ben, cat}) enrol(c1, s);
    enrol(c2, dan);
    link(guardian, ann);
    link(other_guardian, dan);
  }

  const services::YearbookEntry& entry(const services::Yearbook& y, std::int64_t student) {
    for (auto& e : y.entries)
      if (e.student_id == student) return e;
    throw std::runtime_error("student not listed");
  }
};

TEST_F(Yearbook, ListsEveryStudentButPhotosOnlyWithConsentAndApproval) {
  auto pa = photo(ann, "ready", "approved", true, "Carpe diem");
  photo(ben, "ready", "approved", true, "Hi");
  auto pc = photo(cat, "ready", "approved", true);
  consent(ann, "yearbook");
  consent(cat, "print");
  // ben: no consent row at all
  auto y = services::yearbook(*app, actor(teacher), c1);
  EXPECT_EQ(y.cls.name, "7A");
  ASSERT_EQ(y.entries.size(), 3u);
  EXPECT_EQ(y.entries[0].full_name, "Full ann");  // ordered by name
  EXPECT_EQ(entry(y, ann).photo_id, pa);
  EXPECT_EQ(entry(y, ann).quote, "Carpe diem");
  EXPECT_EQ(entry(y, ben).photo_id, 0);
  EXPECT_EQ(entry(y, cat).photo_id, pc);
  EXPECT_EQ(services::photo_url(pa, "thumb"), "/api/v1/photos/" + std::to_string(pa) + "/thumb");
}

TEST_F(Yearbook, ConsentNoneHidesThePhotoAtOnce) {
  auto pa = photo(ann);
  services::set_consent(*app, actor(guardian), ann, "yearbook");
  EXPECT_EQ(entry(services::yearbook(*app, actor(ben), c1), ann).photo_id, pa);
  services::set_consent(*app, actor(guardian), ann, "none");
  EXPECT_EQ(entry(services::yearbook(*app, actor(ben), c1), ann).photo_id, 0);
  services::set_consent(*app, actor(admin), ann, "print");
  EXPECT_EQ(entry(services::yearbook(*app, actor(ben), c1), ann).photo_id, pa);
}

TEST_F(Yearbook, UnapprovedUnreadyOrOldPhotosNeverListed) {
  for (auto s : {ann, ben, cat}) consent(s, "yearbook");
  photo(ann, "ready", "pending", true, "secret quote");
  photo(ben, "ready", "rejected", true);
  photo(cat, "processing", "approved", true);
  auto y = services::yearbook(*app, actor(admin), c1);
  for (auto& e : y.entries) {
    EXPECT_EQ(e.photo_id, 0) << e.full_name;
    EXPECT_EQ(e.quote, "") << e.full_name;  // an unmoderated quote is never shown
  }
  // failed, and an approved photo that is no longer the current one
  photo(ann, "failed", "approved", true);
  photo(ben, "ready", "approved", false);
  y = services::yearbook(*app, actor(admin), c1);
  EXPECT_EQ(entry(y, ann).photo_id, 0);
  EXPECT_EQ(entry(y, ben).photo_id, 0);
  // Finally an approved current one shows.
  auto ok = photo(cat, "ready", "approved", true);
  EXPECT_EQ(entry(services::yearbook(*app, actor(admin), c1), cat).photo_id, ok);
}

TEST_F(Yearbook, DeactivatedStudentsAreLeftOut) {
  app->db->tx([&](db::Tx& t) { db::users::set_active(t, ben, false, 2000); });
  auto y = services::yearbook(*app, actor(admin), c1);
  EXPECT_EQ(y.entries.size(), 2u);
  for (auto& e : y.entries) EXPECT_NE(e.student_id, ben);
}

TEST_F(Yearbook, PrintListsOnlyPrintConsent) {
  for (auto s : {ann, ben, cat}) photo(s);
  consent(ann, "yearbook");
  consent(ben, "print");
  auto y = services::yearbook(*app, actor(teacher), c1, services::YearbookKind::print);
  ASSERT_EQ(y.entries.size(), 1u);
  EXPECT_EQ(y.entries[0].student_id, ben);
  EXPECT_GT(y.entries[0].photo_id, 0);
}

TEST_F(Yearbook, ScopeStudentsGuardiansTeachers) {
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(ann), c1); }), 0);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(ann), c2); }), 403);  // another class
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(guardian), c1); }), 0);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(guardian), c2); }), 403);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(teacher), c1); }), 0);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(teacher), c2); }), 403);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(admin), c2); }), 0);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(admin), 9999); }), 404);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(ann), 9999); }), 403);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(ann), c1, services::YearbookKind::print); }), 0);
  EXPECT_EQ(status_of([&] { services::yearbook(*app, actor(dan), c1, services::YearbookKind::print); }), 403);
}

TEST_F(Yearbook, PhotoVisibilityForThePhotoEndpoint) {
  auto pd = photo(dan);
  auto pa = photo(ann);
  consent(dan, "yearbook");
  auto visible = [&](std::int64_t who, std::int64_t p) {
    return app->db->read_result<bool>([&](db::Tx& t) { return services::photo_visible_in_yearbook(t, actor(who), p); });
  };
  EXPECT_TRUE(visible(other_teacher, pd));
  EXPECT_TRUE(visible(other_guardian, pd));
  EXPECT_TRUE(visible(admin, pd));
  EXPECT_FALSE(visible(ann, pd));      // another class
  EXPECT_FALSE(visible(teacher, pd));  // not their class
  EXPECT_FALSE(visible(ben, pa));      // no consent for ann yet
  consent(ann, "print");
  EXPECT_TRUE(visible(ben, pa));  // a classmate
  consent(ann, "none");
  EXPECT_FALSE(visible(ben, pa));
  auto pending = photo(dan, "ready", "pending");
  EXPECT_FALSE(visible(admin, pending));
  EXPECT_FALSE(visible(admin, 999999));
}

}  // namespace
