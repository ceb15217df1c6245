// Assessments and marks (services/marks.h): who may do what, validation, the lock, the reopen
// refusal while published, all-or-nothing saves and the CSV import's idempotence.
#include "services/marks.h"

#include <gtest/gtest.h>

#include "db/subjects_repo.h"
#include "db/years_repo.h"
#include "services/school_fixture.h"
#include "services/years.h"

using namespace sy;
using sy::test::status_of;

namespace {

class Marks : public test::SchoolFixture {
 protected:
  std::int64_t term = 0, maths = 0, art = 0;
  void SetUp() override {
    SchoolFixture::SetUp();
    seed_two_classes();  // 7A: teacher1 teaches Maths, student1; 7B: teacher2 teaches Art, student2
    auto year = services::current_year(*app);
    ASSERT_TRUE(year);
    term = services::create_term(*app, actor(admin), year->id, {"Term 1", "2025-01-06", "2025-04-04"}).id;
    app->db->read([&](db::Tx& t) {
      maths = db::subjects::by_name(t, "Maths")->id;
      art = db::subjects::by_name(t, "Art")->id;
    });
  }
  services::AssessmentInput input(std::int64_t cls, std::int64_t subject, const std::string& name = "Test 1") {
    services::AssessmentInput in;
    in.term_id = term;
    in.class_id = cls;
    in.subject_id = subject;
    in.name = name;
    in.max_x100 = 2000;  // out of 20
    return in;
  }
  std::int64_t maths_test() { return services::create_assessment(*app, actor(t1), input(c1, maths)).id; }
  std::string mark_of(std::int64_t id, std::int64_t student) {
    for (auto& l : services::mark_sheet(*app, actor(admin), id).lines)
      if (l.mark.student_id == student) return l.text;
    return "?";
  }
};

TEST_F(Marks, TheAssignedTeacherCreatesOthersGet404) {
  auto a = services::create_assessment(*app, actor(t1), input(c1, maths));
  EXPECT_EQ(a.status, "open");
  EXPECT_EQ(a.class_name, "7A");
  EXPECT_EQ(a.subject_name, "Maths");
  std::string code;
  // teacher2 does not teach Maths in 7A; students and guardians never see marks here.
  for (auto who : {t2, s1, g1})
    EXPECT_EQ(status_of([&] { services::create_assessment(*app, actor(who), input(c1, maths, "X")); }, &code), 404)
        << who;
  EXPECT_EQ(status_of([&] { services::mark_sheet(*app, actor(t2), a.id); }, &code), 404);
  EXPECT_EQ(code, "no_such_assessment");
  EXPECT_EQ(status_of([&] { services::mark_sheet(*app, actor(s1), a.id); }), 404);
  EXPECT_EQ(status_of([&] { services::mark_sheet(*app, actor(g1), a.id); }), 404);
  EXPECT_EQ(services::list_assessments(*app, actor(t2), {}).size(), 0u);
  EXPECT_EQ(services::list_assessments(*app, actor(t1), {}).size(), 1u);
  EXPECT_EQ(services::list_assessments(*app, actor(admin), {}).size(), 1u);
  EXPECT_EQ(status_of([&] { services::list_assessments(*app, actor(s1), {}); }), 404);
  // The admin creates for any pair; a duplicate name in the same term, class and subject is 409.
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, actor(admin), input(c1, maths)); }, &code), 409);
  EXPECT_EQ(code, "assessment_exists");
  EXPECT_NO_THROW(services::create_assessment(*app, actor(admin), input(c2, art)));
}

TEST_F(Marks, AssessmentFieldsAreValidated) {
  auto a = actor(t1);
  std::string code;
  auto in = input(c1, maths);
  in.max_x100 = 0;
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 422);
  EXPECT_EQ(code, "invalid_max");
  in = input(c1, maths);
  in.weight_pct = 1001;
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 422);
  in = input(c1, maths);
  in.held_on = "2025-02-30";
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 422);
  in = input(c1, maths, "  ");
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 422);
  in = input(c1, maths);
  in.grade_scale_id = 999;
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 422);
  EXPECT_EQ(code, "no_such_scale");
  in = input(c1, maths);
  in.term_id = 999;
  EXPECT_EQ(status_of([&] { services::create_assessment(*app, a, in); }, &code), 404);
}

TEST_F(Marks, MarksSaveAllOrNothingWithGradesAndRanks) {
  auto id = maths_test();
  auto extra = add_user("student4", Role::student);
  enrol(c1, extra);
  auto sheet = services::save_marks(*app, actor(t1), id, {{s1, "15.5"}, {extra, "abs"}});
  ASSERT_EQ(sheet.lines.size(), 2u);
  EXPECT_EQ(mark_of(id, s1), "15.5");
  EXPECT_EQ(mark_of(id, extra), "abs");
  for (auto& l : sheet.lines)
    if (l.mark.student_id == s1) {
      EXPECT_EQ(l.percent_x100, 7750);
      EXPECT_EQ(l.grade, "B");  // the default scale: B from 70 %
    }
  std::string code;
  // One bad entry and nothing of the batch is written.
  EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(t1), id, {{s1, "10"}, {extra, "20.5"}}); }, &code), 422);
  EXPECT_EQ(code, "invalid_mark");
  EXPECT_EQ(mark_of(id, s1), "15.5");
  EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(t1), id, {{s1, "10"}, {s2, "5"}}); }, &code), 422);
  EXPECT_EQ(code, "not_enrolled");  // student2 is in 7B
  EXPECT_EQ(mark_of(id, s1), "15.5");
  EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(t1), id, {{s1, "10"}, {s1, "11"}}); }, &code), 422);
  EXPECT_EQ(code, "duplicate_student");
  for (const char* bad : {"7.125", "-1", "seven", "20.01"})
    EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(t1), id, {{s1, bad}}); }), 422) << bad;
  // Empty deletes; exempt is a code.
  services::save_marks(*app, actor(t1), id, {{s1, ""}, {extra, "x"}});
  EXPECT_EQ(mark_of(id, s1), "");
  EXPECT_EQ(mark_of(id, extra), "ex");
  // Another teacher, a student, a guardian: 404, nothing written.
  for (auto who : {t2, s1, g1})
    EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(who), id, {{s1, "1"}}); }), 404) << who;
  EXPECT_EQ(mark_of(id, s1), "");
}

TEST_F(Marks, RanksTieWhenShown) {
  auto in = input(c1, maths);
  in.show_rank = true;
  auto id = services::create_assessment(*app, actor(admin), in).id;
  auto b = add_user("student4", Role::student), c = add_user("student5", Role::student);
  enrol(c1, b);
  enrol(c1, c);
  auto sheet = services::save_marks(*app, actor(t1), id, {{s1, "12"}, {b, "18"}, {c, "12"}});
  std::map<std::int64_t, int> ranks;
  for (auto& l : sheet.lines) ranks[l.mark.student_id] = l.rank;
  EXPECT_EQ(ranks[b], 1);
  EXPECT_EQ(ranks[s1], 2);
  EXPECT_EQ(ranks[c], 2);
}

TEST_F(Marks, FinaliseLocksAndOnlyTheAdminFinalisesOrReopens) {
  auto id = maths_test();
  services::save_marks(*app, actor(t1), id, {{s1, "12"}});
  EXPECT_EQ(status_of([&] { services::finalise_assessment(*app, actor(t1), id); }), 403);
  EXPECT_EQ(status_of([&] { services::finalise_assessment(*app, actor(t2), id); }), 404);
  EXPECT_EQ(services::finalise_assessment(*app, actor(admin), id).status, "final");
  EXPECT_EQ(audit_count("assessment.finalise"), 1);
  std::string code;
  EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(t1), id, {{s1, "13"}}); }, &code), 409);
  EXPECT_EQ(code, "assessment_final");
  EXPECT_EQ(status_of([&] { services::save_marks(*app, actor(admin), id, {{s1, "13"}}); }, &code), 409);
  EXPECT_EQ(status_of([&] { services::update_assessment(*app, actor(admin), id, input(c1, maths, "Renamed")); }, &code),
            409);
  EXPECT_EQ(
      status_of([&] { services::import_marks(*app, actor(t1), id, "username,mark\nstudent1,14\n", false); }, &code),
      409);
  EXPECT_EQ(code, "assessment_final");
  EXPECT_EQ(mark_of(id, s1), "12");
  EXPECT_EQ(status_of([&] { services::reopen_assessment(*app, actor(t1), id); }), 403);
  EXPECT_EQ(services::reopen_assessment(*app, actor(admin), id).status, "open");
  EXPECT_EQ(audit_count("assessment.reopen"), 1);
  EXPECT_NO_THROW(services::save_marks(*app, actor(t1), id, {{s1, "13"}}));
}

TEST_F(Marks, ReopenIsRefusedWhilePublished) {
  auto id = maths_test();
  services::finalise_assessment(*app, actor(admin), id);
  std::int64_t pub = 0;
  app->db->tx([&](db::Tx& t) { pub = db::marks_testing::insert_publication(t, term, id, "ready"); });
  std::string code;
  EXPECT_EQ(status_of([&] { services::reopen_assessment(*app, actor(admin), id); }, &code), 409);
  EXPECT_EQ(code, "assessment_published");
  app->db->tx([&](db::Tx& t) { db::marks_testing::set_publication_status(t, pub, "withdrawn"); });
  EXPECT_EQ(services::reopen_assessment(*app, actor(admin), id).status, "open");
}

TEST_F(Marks, MaximumIsNotLoweredBelowGivenMarks) {
  auto id = maths_test();
  services::save_marks(*app, actor(t1), id, {{s1, "15"}});
  auto in = input(c1, maths);
  in.max_x100 = 1000;
  std::string code;
  EXPECT_EQ(status_of([&] { services::update_assessment(*app, actor(t1), id, in); }, &code), 422);
  EXPECT_EQ(code, "max_below_marks");
  in.max_x100 = 1500;
  EXPECT_EQ(services::update_assessment(*app, actor(t1), id, in).max_x100, 1500);
}

TEST_F(Marks, CsvImportDryRunThenAllOrNothingAndIdempotent) {
  auto id = maths_test();
  auto b = add_user("student4", Role::student);
  enrol(c1, b);
  std::string csv = "username,mark\nstudent1,14.5\nstudent4,abs\n";
  auto dry = services::import_marks(*app, actor(t1), id, csv, true);
  EXPECT_FALSE(dry.committed);
  EXPECT_EQ(dry.created, 2);
  EXPECT_EQ(mark_of(id, s1), "");  // nothing written by the dry run
  auto done = services::import_marks(*app, actor(t1), id, csv, false);
  EXPECT_TRUE(done.committed);
  EXPECT_EQ(mark_of(id, s1), "14.5");
  EXPECT_EQ(mark_of(id, b), "abs");
  EXPECT_EQ(audit_count("marks.import"), 1);
  EXPECT_EQ(audit_count("import.marks"), 1);
  // The same file again changes nothing.
  auto again = services::import_marks(*app, actor(t1), id, csv, false);
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_EQ(again.created + again.updated, 0);
  // One bad row (above the maximum; a student of another class) and nothing is written.
  auto bad =
      services::import_marks(*app, actor(t1), id, "username,mark\nstudent1,16\nstudent4,25\nstudent2,3\n", false);
  EXPECT_FALSE(bad.committed);
  EXPECT_EQ(bad.errors, 2);
  ASSERT_EQ(bad.rows.size(), 3u);
  EXPECT_EQ(bad.rows[0].outcome, "updated");
  EXPECT_EQ(bad.rows[1].outcome, "error");
  EXPECT_EQ(bad.rows[2].outcome, "error");
  EXPECT_EQ(mark_of(id, s1), "14.5");
  // Another teacher cannot import into it.
  EXPECT_EQ(status_of([&] { services::import_marks(*app, actor(t2), id, csv, true); }), 404);
}

TEST_F(Marks, CsvImportKindWithAssessmentColumn) {
  auto id = maths_test();
  std::string csv = "assessment_id,username,mark\n" + std::to_string(id) + ",student1,9\n";
  // The school-wide kind is the office's: teachers import through their assessment.
  EXPECT_EQ(status_of([&] { services::run_import(*app, actor(t1), "marks", csv, false); }), 403);
  EXPECT_EQ(mark_of(id, s1), "");
  auto other =
      services::run_import(*app, actor(admin), "marks", "assessment_id,username,mark\n999,student1,9\n", false);
  EXPECT_EQ(other.errors, 1);  // no such assessment: a row error
  auto r = services::run_import(*app, services::Actor::system("cli"), "marks", csv, false);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(mark_of(id, s1), "9");
}

TEST_F(Marks, GradeScalesAreValidatedAndOneIsDefault) {
  std::string code;
  services::ScaleInput in{"Pass/fail", false, {{5000, "P", "Pass"}, {0, "F", "Fail"}}};
  EXPECT_EQ(status_of([&] { services::create_scale(*app, actor(t1), in); }), 403);
  auto s = services::create_scale(*app, actor(admin), in);
  EXPECT_FALSE(s.is_default);
  ASSERT_EQ(s.bands.size(), 2u);
  EXPECT_EQ(s.bands[0].label, "P");
  EXPECT_EQ(status_of([&] { services::create_scale(*app, actor(admin), in); }, &code), 409);
  EXPECT_EQ(code, "scale_exists");
  services::ScaleInput bad{"Bad", false, {{5000, "P", ""}}};
  EXPECT_EQ(status_of([&] { services::create_scale(*app, actor(admin), bad); }, &code), 422);
  EXPECT_EQ(code, "invalid_scale");
  // Making it the default takes the flag from the seeded scale.
  in.make_default = true;
  EXPECT_TRUE(services::update_scale(*app, actor(admin), s.id, in).is_default);
  auto all = services::list_scales(*app, actor(t1));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, s.id);
  EXPECT_FALSE(all[1].is_default);
  // The default cannot simply stop being one.
  in.make_default = false;
  EXPECT_EQ(status_of([&] { services::update_scale(*app, actor(admin), s.id, in); }, &code), 409);
  EXPECT_EQ(code, "default_needed");
  // An assessment without a scale now grades with it.
  auto id = maths_test();
  services::save_marks(*app, actor(t1), id, {{s1, "9"}});
  EXPECT_EQ(services::mark_sheet(*app, actor(t1), id).lines[0].grade, "F");
  EXPECT_EQ(status_of([&] { services::list_scales(*app, actor(s1)); }), 404);
}

TEST_F(Marks, CommentsBySubjectTeacherAndFormTutor) {
  std::string code;
  services::CommentInput in{term, s1, maths, "Works hard."};
  EXPECT_EQ(services::set_comment(*app, actor(t1), in).comment, "Works hard.");
  // teacher2 teaches neither Maths in 7A nor is student1's form tutor.
  EXPECT_EQ(status_of([&] { services::set_comment(*app, actor(t2), in); }), 404);
  EXPECT_EQ(status_of([&] { services::set_comment(*app, actor(s1), in); }), 404);
  services::CommentInput general{term, s1, 0, "A good term."};
  EXPECT_EQ(status_of([&] { services::set_comment(*app, actor(t1), general); }), 404);  // not the form tutor
  teach(c1, t2);  // teacher2 becomes 7A's form tutor
  EXPECT_NO_THROW(services::set_comment(*app, actor(t2), general));
  EXPECT_NO_THROW(services::set_comment(*app, actor(admin), general));
  auto list = services::class_comments(*app, actor(t1), term, c1, maths);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].comment, "Works hard.");
  in.comment = std::string(2001, 'x');
  EXPECT_EQ(status_of([&] { services::set_comment(*app, actor(t1), in); }, &code), 422);
  in.comment = "";
  services::set_comment(*app, actor(t1), in);
  EXPECT_TRUE(services::class_comments(*app, actor(t1), term, c1, maths).empty());
}

}  // namespace
