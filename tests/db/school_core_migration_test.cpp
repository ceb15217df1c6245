// Migration 0010 on a database that already has classes and free-text teaching subjects: every
// class gets an academic year from its year number, the newest year is current, the subjects
// become rows (one per name, whatever the case) and every assignment keeps its class and teacher.
#include <gtest/gtest.h>

#include "db/migrations.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "db/years_repo.h"
#include "support/testenv.h"

using namespace sy;

namespace {

TEST(SchoolCoreMigration, ExistingClassesAndSubjectsAreCarriedOver) {
  auto d = test::fresh_db(false);
  db::migrate(*d, 9);  // the schema before school core
  d->tx([](db::Tx& t) {
    t.exec(
        "INSERT INTO users (username, password_hash, role, full_name, active, created_at, updated_at) VALUES "
        "('t1','x','teacher','T One',1,1,1), ('t2','x','teacher','T Two',1,1,1), ('s1','x','student','S',1,1,1)");
    t.exec("INSERT INTO classes (name, year, created_at) VALUES ('7A', 2024, 10), ('8A', 2025, 20), ('8B', 2025, 30)");
    // Old rows: a subject written two ways, and a class teacher with no subject.
    t.exec(
        "INSERT INTO class_teachers (class_id, teacher_id, subject, created_at) SELECT c.id, u.id, 'Maths', 5 "
        "FROM classes c, users u WHERE c.name = '7A' AND u.username = 't1'");
    t.exec(
        "INSERT INTO class_teachers (class_id, teacher_id, subject, created_at) SELECT c.id, u.id, 'maths', 6 "
        "FROM classes c, users u WHERE c.name = '8A' AND u.username = 't2'");
    t.exec(
        "INSERT INTO class_teachers (class_id, teacher_id, subject, created_at) SELECT c.id, u.id, '', 7 "
        "FROM classes c, users u WHERE c.name = '8B' AND u.username = 't1'");
    t.exec(
        "INSERT INTO class_students (class_id, student_id, created_at) SELECT c.id, u.id, 8 "
        "FROM classes c, users u WHERE c.name = '7A' AND u.username = 's1'");
  });
  db::migrate(*d);

  d->read([](db::Tx& t) {
    auto years = db::years::list(t);
    ASSERT_EQ(years.size(), 2u);
    EXPECT_EQ(years[0].year, 2025);
    EXPECT_EQ(years[0].name, "2025");
    EXPECT_TRUE(years[0].current);
    EXPECT_EQ(years[0].start_date, "2025-01-01");
    EXPECT_EQ(years[0].end_date, "2025-12-31");
    EXPECT_FALSE(years[1].current);
    EXPECT_EQ(db::years::current(t)->year, 2025);

    for (const auto& c : db::classes::list_all(t)) {
      auto y = db::years::by_id(t, c.academic_year_id);
      ASSERT_TRUE(y) << c.name;
      EXPECT_EQ(y->year, c.year) << c.name;
    }
    EXPECT_EQ(db::classes::for_year(t, years[0].id).size(), 2u);

    auto subjects = db::subjects::list(t, "", 10, 0);
    ASSERT_EQ(subjects.size(), 1u);
    EXPECT_TRUE(subjects[0].name == "Maths" || subjects[0].name == "maths") << subjects[0].name;

    auto a7 = db::assignments::for_class(t, db::classes::by_name_year(t, "7A", 2024)->id);
    ASSERT_EQ(a7.size(), 1u);
    EXPECT_EQ(a7[0].subject_id, subjects[0].id);
    EXPECT_EQ(a7[0].teacher_username, "t1");
    auto a8 = db::assignments::for_class(t, db::classes::by_name_year(t, "8A", 2025)->id);
    ASSERT_EQ(a8.size(), 1u);
    EXPECT_EQ(a8[0].subject_id, subjects[0].id);
    auto b8 = db::assignments::for_class(t, db::classes::by_name_year(t, "8B", 2025)->id);
    ASSERT_EQ(b8.size(), 1u);
    EXPECT_EQ(b8[0].subject_id, 0);  // the class's own teacher
    EXPECT_EQ(b8[0].subject_name, "");
    // The old name-based helpers still answer on the new table.
    EXPECT_TRUE(db::classes::teaches(t, a7[0].class_id, a7[0].teacher_id, "MATHS"));
    EXPECT_TRUE(db::classes::teaches(t, b8[0].class_id, b8[0].teacher_id, ""));
    EXPECT_EQ(db::classes::students(t, a7[0].class_id).size(), 1u);
  });
}

TEST(SchoolCoreMigration, AtMostOneCurrentYearIsEnforcedByTheSchema) {
  auto d = test::fresh_db();
  d->tx([](db::Tx& t) {
    db::YearRow y{0, 2030, "2030", "2030-09-01", "2031-07-31", false, 1};
    auto a = db::years::insert(t, y);
    y.year = 2031;
    y.name = "2031";
    y.start_date = "2031-09-01";
    y.end_date = "2032-07-31";
    auto b = db::years::insert(t, y);
    db::years::set_current(t, a);
    db::years::set_current(t, b);
    EXPECT_EQ(db::years::current(t)->id, b);
  });
  // A second flag written behind the repository's back is refused by the unique key.
  EXPECT_THROW(d->tx([](db::Tx& t) { t.exec("UPDATE academic_years SET current_flag = 1"); }), std::exception);
  // End before start is refused by the CHECK.
  EXPECT_THROW(d->tx([](db::Tx& t) {
    t.exec(
        "INSERT INTO academic_years (year, name, start_date, end_date, created_at) "
        "VALUES (2040, '2040', '2040-09-01', '2040-01-01', 1)");
  }),
               std::exception);
}

}  // namespace
