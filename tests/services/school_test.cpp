// Classes, enrolment, teachers, guardians and consent: rules and scope checks (IDOR).
#include "services/school.h"

#include <gtest/gtest.h>

#include "services/school_fixture.h"

using namespace sy;
using sy::test::status_of;

namespace {

class School : public test::SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    seed_two_classes();
  }
};

TEST_F(School, AdminCreatesClassValidatedAndAudited) {
  auto c = services::create_class(*app, actor(admin), "  8C  ", 2026);
  EXPECT_GT(c.id, 0);
  EXPECT_EQ(c.name, "8C");
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(audit_count("class.create"), 1);
  std::string code;
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "8C", 2026); }, &code), 409);
  EXPECT_EQ(code, "class_exists");
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "8C", 2027); }), 0);  // other year
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "   ", 2026); }, &code), 422);
  EXPECT_EQ(code, "invalid_name");
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), std::string(101, 'x'), 2026); }), 422);
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "a\nb", 2026); }), 422);
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "9A", 0); }, &code), 422);
  EXPECT_EQ(code, "invalid_year");
  EXPECT_EQ(status_of([&] { services::create_class(*app, actor(admin), "9A", 10000); }), 422);
}

TEST_F(School, OnlyAdminsCreateClasses) {
  for (auto who : {t1, s1, g1}) EXPECT_EQ(status_of([&] { services::create_class(*app, actor(who), "X", 2025); }), 403);
  EXPECT_EQ(audit_count("class.create"), 0);
}

TEST_F(School, ListClassesFollowsRole) {
  auto names = [&](std::int64_t who) {
    std::vector<std::string> out;
    for (auto& c : services::list_classes(*app, actor(who))) out.push_back(c.name);
    return out;
  };
  EXPECT_EQ(names(admin), (std::vector<std::string>{"7A", "7B"}));
  EXPECT_EQ(names(t1), std::vector<std::string>{"7A"});
  EXPECT_EQ(names(t2), std::vector<std::string>{"7B"});
  EXPECT_EQ(names(s1), std::vector<std::string>{"7A"});
  EXPECT_EQ(names(s3), std::vector<std::string>{});
  EXPECT_EQ(names(g2), std::vector<std::string>{"7B"});
  teach(c2, t1, "French");  // a second class for teacher1
  EXPECT_EQ(names(t1), (std::vector<std::string>{"7A", "7B"}));
}

TEST_F(School, ClassDetailIsScopedAndHidesStaffFieldsFromFamilies) {
  auto d = services::get_class(*app, actor(t1), c1);
  EXPECT_TRUE(d.staff_view);
  ASSERT_EQ(d.students.size(), 1u);
  EXPECT_EQ(d.students[0].username, "student1");
  ASSERT_EQ(d.teachers.size(), 1u);
  EXPECT_EQ(d.teachers[0].subject, "Maths");

  auto fam = services::get_class(*app, actor(g1), c1);
  EXPECT_FALSE(fam.staff_view);
  ASSERT_EQ(fam.students.size(), 1u);
  EXPECT_EQ(fam.students[0].full_name, "Full student1");
  EXPECT_EQ(fam.students[0].username, "");
  EXPECT_EQ(services::get_class(*app, actor(s1), c1).students.size(), 1u);

  // IDOR: another teacher's class, another child's class, another student's class.
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(t1), c2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(g1), c2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(s1), c2); }), 403);
  // Missing class: 404 for admins, 403 for others (no probing for ids).
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(admin), 9999); }), 404);
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(t1), 9999); }), 403);
}

TEST_F(School, EnrolRequiresAnActiveStudentAndRejectsDuplicates) {
  services::enrol_student(*app, actor(admin), c1, s3);
  EXPECT_EQ(audit_count("class.enrol"), 1);
  std::string code;
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c1, s3); }, &code), 409);
  EXPECT_EQ(code, "already_enrolled");
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c1, t2); }, &code), 422);
  EXPECT_EQ(code, "not_a_student");
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c1, g1); }), 422);
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c1, 9999); }), 422);
  auto gone = add_user("leaver", Role::student, false);
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c1, gone); }), 422);
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), 9999, s2); }), 404);
  // A student may be in two classes.
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(admin), c2, s3); }), 0);
}

TEST_F(School, TeachersCannotEnrolEvenInTheirOwnClass) {
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(t1), c1, s3); }), 403);
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(t1), c2, s3); }), 403);
  EXPECT_EQ(status_of([&] { services::enrol_student(*app, actor(s1), c1, s3); }), 403);
  EXPECT_EQ(status_of([&] { services::unenrol_student(*app, actor(t1), c1, s1); }), 403);
  EXPECT_EQ(services::get_class(*app, actor(admin), c1).students.size(), 1u);
}

TEST_F(School, Unenrol) {
  services::unenrol_student(*app, actor(admin), c1, s1);
  EXPECT_TRUE(services::get_class(*app, actor(admin), c1).students.empty());
  EXPECT_EQ(status_of([&] { services::unenrol_student(*app, actor(admin), c1, s1); }), 404);
  EXPECT_EQ(audit_count("class.unenrol"), 1);
  // The student no longer sees the class.
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(s1), c1); }), 403);
}

TEST_F(School, AssignAndUnassignTeachers) {
  services::assign_teacher(*app, actor(admin), c1, t2, "Science");
  std::string code;
  EXPECT_EQ(status_of([&] { services::assign_teacher(*app, actor(admin), c1, t2, "Science"); }, &code), 409);
  EXPECT_EQ(code, "already_assigned");
  EXPECT_EQ(status_of([&] { services::assign_teacher(*app, actor(admin), c1, t2, "History"); }), 0);
  EXPECT_EQ(status_of([&] { services::assign_teacher(*app, actor(admin), c1, s1, "X"); }, &code), 422);
  EXPECT_EQ(code, "not_a_teacher");
  EXPECT_EQ(status_of([&] { services::assign_teacher(*app, actor(admin), c1, t2, std::string(101, 'x')); }), 422);
  EXPECT_EQ(status_of([&] { services::assign_teacher(*app, actor(t1), c1, t2, "Y"); }), 403);
  EXPECT_EQ(services::get_class(*app, actor(t2), c1).teachers.size(), 3u);
  services::unassign_teacher(*app, actor(admin), c1, t2);
  EXPECT_EQ(status_of([&] { services::get_class(*app, actor(t2), c1); }), 403);
  EXPECT_EQ(status_of([&] { services::unassign_teacher(*app, actor(admin), c1, t2); }), 404);
}

TEST_F(School, GuardianLinksAndChildren) {
  services::link_guardian(*app, actor(admin), g1, s3);
  std::string code;
  EXPECT_EQ(status_of([&] { services::link_guardian(*app, actor(admin), g1, s3); }, &code), 409);
  EXPECT_EQ(code, "already_linked");
  EXPECT_EQ(status_of([&] { services::link_guardian(*app, actor(admin), t1, s3); }, &code), 422);
  EXPECT_EQ(code, "not_a_guardian");
  EXPECT_EQ(status_of([&] { services::link_guardian(*app, actor(admin), g1, t1); }, &code), 422);
  EXPECT_EQ(code, "not_a_student");
  EXPECT_EQ(status_of([&] { services::link_guardian(*app, actor(t1), g2, s1); }), 403);
  EXPECT_EQ(status_of([&] { services::link_guardian(*app, actor(g2), g2, s1); }), 403);

  auto kids = services::my_children(*app, actor(g1));
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].child.username, "student1");
  ASSERT_EQ(kids[0].classes.size(), 1u);
  EXPECT_EQ(kids[0].classes[0].name, "7A");
  EXPECT_EQ(kids[1].child.username, "student3");
  EXPECT_TRUE(kids[1].classes.empty());
  EXPECT_EQ(status_of([&] { services::my_children(*app, actor(t1)); }), 403);

  services::unlink_guardian(*app, actor(admin), g1, s3);
  EXPECT_EQ(services::my_children(*app, actor(g1)).size(), 1u);
  EXPECT_EQ(status_of([&] { services::unlink_guardian(*app, actor(admin), g1, s3); }), 404);
}

TEST_F(School, GuardianSetsConsentForOwnChildOnly) {
  EXPECT_EQ(services::get_consent(*app, actor(g1), s1), "");
  EXPECT_EQ(services::set_consent(*app, actor(g1), s1, "print"), "print");
  EXPECT_EQ(services::get_consent(*app, actor(g1), s1), "print");
  EXPECT_EQ(services::set_consent(*app, actor(g1), s1, "none"), "none");  // update, not a second row
  EXPECT_EQ(services::get_consent(*app, actor(admin), s1), "none");
  EXPECT_EQ(audit_count("consent.set"), 2);

  // IDOR: someone else's child; teachers and the student themself cannot set it either.
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(g1), s2, "yearbook"); }), 403);
  EXPECT_EQ(status_of([&] { services::get_consent(*app, actor(g1), s2); }), 403);
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(t1), s1, "yearbook"); }), 403);
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(s1), s1, "yearbook"); }), 403);
  EXPECT_EQ(services::get_consent(*app, actor(admin), s2), "");
  EXPECT_EQ(audit_count("consent.set"), 2);
}

TEST_F(School, ConsentValidation) {
  std::string code;
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(admin), s1, "everyone"); }, &code), 422);
  EXPECT_EQ(code, "invalid_consent");
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(admin), s1, ""); }), 422);
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(admin), t1, "print"); }), 404);
  EXPECT_EQ(status_of([&] { services::set_consent(*app, actor(admin), 9999, "print"); }), 404);
  EXPECT_EQ(services::set_consent(*app, actor(admin), s2, "yearbook"), "yearbook");
}

}  // namespace
