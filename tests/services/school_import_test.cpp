// The CSV import engine and its kinds: a dry run writes nothing and reports every row; a file
// with any bad row writes nothing; a good file is imported at once; importing it again reports
// every row unchanged.
#include <gtest/gtest.h>

#include "db/people_repo.h"
#include "db/subjects_repo.h"
#include "services/people.h"
#include "services/school.h"
#include "services/school_fixture.h"
#include "services/school_import.h"
#include "services/subjects.h"

using namespace sy;
using sy::test::status_of;

namespace {

class SchoolImport : public test::SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    seed_two_classes();
  }
  services::ImportReport run(const std::string& kind, const std::string& csv, bool dry = false) {
    return services::run_import(*app, actor(admin), kind, csv, dry);
  }
  std::vector<std::string> outcomes(const services::ImportReport& r) {
    std::vector<std::string> out;
    for (auto& row : r.rows) out.push_back(row.outcome);
    return out;
  }
  std::int64_t user_count() {
    return app->db->read_result<std::int64_t>([](db::Tx& t) { return db::people::count(t, {}); });
  }
  std::optional<db::ProfileRow> person(const std::string& username) {
    return app->db->read_result<std::optional<db::ProfileRow>>(
        [&](db::Tx& t) { return db::people::by_username(t, username); });
  }
};

const char* kStudents =
    "admission_no,username,full_name,date_of_birth,class_name,year,guardian_username,guardian_full_name,"
    "guardian_email,guardian_phone,guardian2_username,guardian2_email\n"
    "A100,nia,Nia Obi,2013-05-06,7A,2025,mama.obi,Ada Obi,ada@example.org,+44 20 7946 0958,papa.obi,ike@example.org\n"
    "A101,olu,Olu Obi,2014-01-02,8A,2025,mama.obi,,,,,\n";

TEST_F(SchoolImport, StudentsWithGuardiansDryRunThenCommitThenIdempotent) {
  auto before = user_count();
  auto dry = run("students", kStudents, true);
  EXPECT_TRUE(dry.dry_run);
  EXPECT_FALSE(dry.committed);
  EXPECT_EQ(outcomes(dry), (std::vector<std::string>{"created", "created"}));
  EXPECT_TRUE(dry.accounts.empty());  // no password of a dry run is ever shown
  EXPECT_EQ(user_count(), before);    // nothing written
  EXPECT_FALSE(person("nia"));

  auto done = run("students", kStudents);
  EXPECT_TRUE(done.committed);
  EXPECT_EQ(outcomes(done), outcomes(dry));  // the dry run said what the import did
  EXPECT_EQ(done.accounts.size(), 4u);       // nia, olu, mama.obi, papa.obi
  for (auto& a : done.accounts) EXPECT_EQ(a.password.size(), 20u);
  EXPECT_EQ(done.totals["classes_created"], 1);  // 8A
  EXPECT_EQ(done.totals["guardian_links"], 3);
  auto nia = person("nia");
  ASSERT_TRUE(nia);
  EXPECT_EQ(nia->admission_no, "A100");
  EXPECT_EQ(nia->date_of_birth, "2013-05-06");
  auto mama = person("mama.obi");
  ASSERT_TRUE(mama);
  EXPECT_EQ(mama->role, Role::guardian);
  EXPECT_EQ(mama->full_name, "Ada Obi");
  EXPECT_EQ(mama->email, "ada@example.org");
  EXPECT_EQ(mama->phone, "+44 20 7946 0958");
  auto gs = services::guardian_recipients(*app, nia->id, true);
  EXPECT_EQ(gs.size(), 2u);
  EXPECT_EQ(services::get_person(*app, actor(admin), person("olu")->id).guardians.size(), 1u);
  EXPECT_EQ(services::get_class(*app, actor(admin), c1).students.size(), 2u);

  auto again = run("students", kStudents);
  EXPECT_EQ(outcomes(again), (std::vector<std::string>{"unchanged", "unchanged"}));
  EXPECT_TRUE(again.accounts.empty());
  EXPECT_EQ(user_count(), before + 4);
}

TEST_F(SchoolImport, MatchedByAdmissionNumberAndUpdated) {
  run("students", kStudents);
  // The same student by admission number only, with new details; and by username with a new class.
  auto r = run("students",
               "admission_no,username,full_name,status,class_name,year\n"
               "A100,,Nia A. Obi,,,\n"
               ",olu,,left,7B,2025\n");
  EXPECT_EQ(outcomes(r), (std::vector<std::string>{"updated", "updated"}));
  EXPECT_EQ(r.rows[0].key, "nia");
  EXPECT_EQ(person("nia")->full_name, "Nia A. Obi");
  EXPECT_EQ(person("olu")->status, PersonStatus::left);
  EXPECT_EQ(services::get_class(*app, actor(admin), c2).students.size(), 2u);
}

TEST_F(SchoolImport, AnyBadRowMeansNothingIsWrittenAndEveryRowIsReported) {
  auto before = user_count();
  auto r = run("students",
               "admission_no,username,full_name,date_of_birth,email,class_name,year,guardian_username\n"
               "B1,good.kid,Good Kid,,,7A,2025,\n"
               "B2,bad.date,Bad Date,2013-02-30,,,,\n"
               "B3,bad.mail,Bad Mail,,not-an-email,,,\n"
               "B4,teacher1,Not A Student,,,,,\n"
               "B5,no.class,No Class,,,7A,,\n"
               "B1,other.kid,Other Kid,,,,,\n"
               "B7,,,,,,,\n"
               "B8,kid8,Kid Eight,,,,,student1\n"
               "B9,kid9,,,,,,\n");
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(outcomes(r), (std::vector<std::string>{"created", "error", "error", "error", "error", "error", "error",
                                                   "error", "error"}));
  EXPECT_NE(r.rows[1].message.find("date_of_birth"), std::string::npos) << r.rows[1].message;
  EXPECT_NE(r.rows[2].message.find("email"), std::string::npos) << r.rows[2].message;
  EXPECT_NE(r.rows[3].message.find("role teacher"), std::string::npos) << r.rows[3].message;
  EXPECT_NE(r.rows[4].message.find("both or neither"), std::string::npos) << r.rows[4].message;
  EXPECT_NE(r.rows[5].message.find("belongs to 'good.kid'"), std::string::npos) << r.rows[5].message;
  EXPECT_NE(r.rows[6].message.find("no student has admission number B7"), std::string::npos) << r.rows[6].message;
  EXPECT_NE(r.rows[7].message.find("role student (expected guardian)"), std::string::npos) << r.rows[7].message;
  EXPECT_NE(r.rows[8].message.find("full_name is required"), std::string::npos) << r.rows[8].message;
  EXPECT_EQ(r.first_error().rfind("line 3: ", 0), 0u) << r.first_error();
  EXPECT_EQ(user_count(), before);
  EXPECT_FALSE(person("good.kid"));
}

TEST_F(SchoolImport, ContradictionsInsideOneFile) {
  auto r = run("students",
               "username,full_name,class_name,year,guardian_username\n"
               "nia,Nia Obi,7A,2025,papa.obi\n"
               "nia,Nia Different,,,\n"
               "pip,Pip,7A,2025,nia\n");
  EXPECT_EQ(outcomes(r), (std::vector<std::string>{"created", "error", "error"}));
  EXPECT_EQ(r.rows[1].message, "'nia' has a different full_name on line 2");
  EXPECT_EQ(r.rows[2].message, "'nia' is used both as a student and as a guardian");
  EXPECT_FALSE(person("nia"));
}

TEST_F(SchoolImport, FileLevelProblemsAreOneError) {
  std::string code;
  EXPECT_EQ(status_of([&] { run("students", "username,shoe_size\nx,9\n"); }, &code), 422);
  EXPECT_EQ(code, "invalid_csv");
  EXPECT_EQ(status_of([&] { run("students", "full_name\nX\n"); }), 422);  // neither username nor admission_no
  EXPECT_EQ(status_of([&] { run("students", "username,username\na,b\n"); }), 422);
  EXPECT_EQ(status_of([&] { run("students", "username,full_name\n\"unclosed\n"); }), 422);
  EXPECT_EQ(status_of([&] { run("staff", "username\nabc,def\n"); }), 422);  // field count
  EXPECT_EQ(status_of([&] { run("timetable-not-here", "a\n1\n"); }, &code), 404);
  EXPECT_EQ(code, "unknown_import_kind");
  for (auto who : {t1, s1, g1})
    EXPECT_EQ(status_of([&] { services::run_import(*app, actor(who), "students", kStudents, true); }), 403);
}

TEST_F(SchoolImport, StaffClassesEnrolmentsSubjects) {
  auto staff = run("staff",
                   "username,full_name,role,email\n"
                   "ms.lee,Ms Lee,teacher,lee@example.org\n"
                   "teacher1,Teacher One Renamed,,\n"
                   "head,Head,admin,\n");
  EXPECT_EQ(outcomes(staff), (std::vector<std::string>{"created", "updated", "created"}));
  EXPECT_EQ(person("ms.lee")->email, "lee@example.org");
  EXPECT_EQ(person("head")->role, Role::admin);
  EXPECT_EQ(outcomes(run("staff", "username,role\nstudent1,teacher\n", true)), std::vector<std::string>{"error"});

  auto classes = run("classes", "class_name,year,teacher_username\n9A,2026,ms.lee\n7A,2025,\n7B,2025,ms.lee\n");
  EXPECT_EQ(outcomes(classes), (std::vector<std::string>{"created", "unchanged", "updated"}));
  EXPECT_EQ(outcomes(run("classes", "class_name,year,teacher_username\n9A,2026,ms.lee\n")),
            std::vector<std::string>{"unchanged"});

  services::update_person(*app, actor(admin), s3, {.admission_no = "S3"});
  auto enr = run("enrolments",
                 "class_name,year,username,admission_no\n9A,2026,,S3\n9A,2026,student1,\n9Z,2026,student2,\n", true);
  EXPECT_EQ(outcomes(enr), (std::vector<std::string>{"created", "created", "error"}));
  enr = run("enrolments", "class_name,year,username,admission_no\n9A,2026,,S3\n9A,2026,student1,\n");
  EXPECT_TRUE(enr.committed);
  EXPECT_EQ(outcomes(run("enrolments", "class_name,year,username\n9A,2026,student1\n")),
            std::vector<std::string>{"unchanged"});

  auto subj = run("subjects",
                  "name,code,class_name,year,teacher_username\n"
                  "Chemistry,CHEM,9A,2026,ms.lee\n"
                  "maths,MATH,,,\n"
                  "Art,,7A,2025,student1\n");
  EXPECT_EQ(outcomes(subj), (std::vector<std::string>{"created", "updated", "error"}));
  EXPECT_FALSE(subj.committed);
  subj = run("subjects", "name,code,class_name,year,teacher_username\nChemistry,CHEM,9A,2026,ms.lee\nmaths,MATH,,,\n");
  EXPECT_TRUE(subj.committed);
  auto chem = app->db->read_result<std::optional<db::SubjectRow>>(
      [](db::Tx& t) { return db::subjects::by_name(t, "chemistry"); });
  ASSERT_TRUE(chem);
  EXPECT_EQ(chem->code, "CHEM");
  auto detail = services::get_subject(*app, actor(admin), chem->id);
  ASSERT_EQ(detail.assignments.size(), 1u);
  EXPECT_EQ(detail.assignments[0].teacher_username, "ms.lee");
  EXPECT_EQ(outcomes(run("subjects", "name,code\nChemistry,CHEM\nMaths,MATH\n")),
            (std::vector<std::string>{"unchanged", "unchanged"}));
}

TEST_F(SchoolImport, OtherPartsRegisterKinds) {
  services::Importer imp;
  imp.kind = "test-kind";
  imp.title = "Test";
  imp.columns = {{"word", ""}};
  imp.required = {"word"};
  imp.actions = {"classes.manage"};
  imp.run = [](services::ImportSession& s, const std::vector<services::ImportRow>& rows) {
    s.each(rows, [&](const services::ImportRow& row, services::RowReport& rep) {
      rep.key = row.get("word");
      if (rep.key == "bad") fail(ErrorKind::invalid, "invalid_row", "bad word");
      rep.outcome = "created";
    });
  };
  services::register_importer(imp);
  std::vector<std::size_t> seen;
  auto r = services::run_import(*app, actor(admin), "test-kind", "word\nhello\nworld\n", false,
                                [&](std::size_t d, std::size_t) { seen.push_back(d); });
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 2, 1, 2}));  // the planning pass, then the write pass
  EXPECT_EQ(outcomes(services::run_import(*app, actor(admin), "test-kind", "word\nbad\n", false)),
            std::vector<std::string>{"error"});
}

}  // namespace
