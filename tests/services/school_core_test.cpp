// Years, terms, rollover, subjects, teaching assignments, people fields and the setup checklist:
// rules, validation and scope checks.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "db/people_repo.h"
#include "db/subjects_repo.h"
#include "db/years_repo.h"
#include "services/people.h"
#include "services/school.h"
#include "services/school_fixture.h"
#include "services/setup_checklist.h"
#include "services/subjects.h"
#include "services/years.h"

using namespace sy;
using sy::test::status_of;

namespace {

class SchoolCore : public test::SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    seed_two_classes();  // 7A and 7B in 2025, which becomes the current year
  }
  services::YearInput year(int y, std::string start, std::string end, std::string name = "") {
    services::YearInput in;
    in.year = y;
    in.name = std::move(name);
    in.start_date = std::move(start);
    in.end_date = std::move(end);
    return in;
  }
  std::vector<std::string> checks() {
    std::vector<std::string> out;
    for (auto& i : services::setup_checklist(*app, actor(admin))) out.push_back(i.check + ":" + i.fix_url);
    return out;
  }
};

TEST_F(SchoolCore, DatesAreRealCalendarDates) {
  for (const char* ok : {"2024-02-29", "2026-12-31", "1900-01-01"}) EXPECT_NO_THROW(services::validate_date(ok, "d"));
  for (const char* bad : {"2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01", "2026/01/01", "",
                          "2026-1-01", "abcd-ef-gh", "3000-01-01", "2026-01-01x"})
    EXPECT_EQ(status_of([&] { services::validate_date(bad, "d"); }), 422) << bad;
}

TEST_F(SchoolCore, YearsHaveOneCurrentAndValidDates) {
  auto a = actor(admin);
  auto cur = services::current_year(*app);
  ASSERT_TRUE(cur);
  EXPECT_EQ(cur->year, 2025);  // created with the fixture's classes
  auto y = services::create_year(*app, a, year(2026, "2026-09-01", "2027-07-15", "2026/27"));
  EXPECT_FALSE(y.current);  // there already is a current year
  std::string code;
  EXPECT_EQ(status_of([&] { services::create_year(*app, a, year(2026, "2026-09-01", "2027-07-15")); }, &code), 409);
  EXPECT_EQ(code, "year_exists");
  EXPECT_EQ(status_of([&] { services::create_year(*app, a, year(2027, "2027-09-01", "2027-08-01")); }, &code), 422);
  EXPECT_EQ(code, "invalid_dates");
  EXPECT_EQ(status_of([&] { services::create_year(*app, a, year(2027, "2027-09-31", "2028-07-01")); }, &code), 422);
  EXPECT_EQ(code, "invalid_date");
  for (auto who : {t1, s1, g1})
    EXPECT_EQ(status_of([&] { services::create_year(*app, actor(who), year(2028, "2028-09-01", "2029-07-01")); }), 403);

  services::set_current_year(*app, a, y.id);
  EXPECT_EQ(services::current_year(*app)->id, y.id);
  int current = 0;
  for (auto& r : services::list_years(*app, actor(s1))) current += r.current;  // everyone reads the calendar
  EXPECT_EQ(current, 1);
  // The current year cannot go while another exists; a year with classes cannot go at all.
  EXPECT_EQ(status_of([&] { services::delete_year(*app, a, y.id); }, &code), 409);
  EXPECT_EQ(code, "year_is_current");
  EXPECT_EQ(status_of([&] { services::delete_year(*app, a, cur->id); }, &code), 409);
  EXPECT_EQ(code, "year_in_use");
  EXPECT_EQ(status_of([&] { services::set_current_year(*app, a, 999999); }, &code), 404);
  EXPECT_EQ(audit_count("year.set_current"), 1);
}

TEST_F(SchoolCore, TermsLieInsideTheirYearWithoutOverlap) {
  auto a = actor(admin);
  auto y = services::create_year(*app, a, year(2026, "2026-09-01", "2027-07-15"));
  auto autumn = services::create_term(*app, a, y.id, {"Autumn", "2026-09-01", "2026-12-18"});
  std::string code;
  EXPECT_EQ(status_of(
                [&] {
                  services::create_term(*app, a, y.id, {"Spring", "2026-12-18", "2027-03-31"});
                },
                &code),
            409);
  EXPECT_EQ(code, "term_overlap");
  EXPECT_EQ(status_of(
                [&] {
                  services::create_term(*app, a, y.id, {"autumn", "2027-01-05", "2027-03-31"});
                },
                &code),
            409);
  EXPECT_EQ(code, "term_exists");
  EXPECT_EQ(status_of(
                [&] {
                  services::create_term(*app, a, y.id, {"Summer", "2027-04-10", "2027-08-01"});
                },
                &code),
            422);
  EXPECT_EQ(code, "term_outside_year");
  EXPECT_EQ(status_of([&] { services::create_term(*app, a, y.id, {"", "2027-04-10", "2027-05-01"}); }, &code), 422);
  auto spring = services::create_term(*app, a, y.id, {"Spring", "2027-01-05", "2027-03-31"});
  // Moving a term onto another is refused; onto itself is fine.
  EXPECT_EQ(status_of([&] { services::update_term(*app, a, spring.id, {"Spring", "2026-12-01", "2027-03-31"}); }), 409);
  EXPECT_EQ(services::update_term(*app, a, autumn.id, {"Autumn", "2026-09-02", "2026-12-18"}).start_date, "2026-09-02");
  // A year cannot shrink past its terms.
  EXPECT_EQ(status_of([&] { services::update_year(*app, a, y.id, year(0, "2026-10-01", "2027-07-15")); }, &code), 422);
  EXPECT_EQ(code, "term_outside_year");
  EXPECT_EQ(status_of([&] { services::delete_term(*app, actor(t1), spring.id); }), 403);
  services::delete_term(*app, a, spring.id);
  EXPECT_EQ(status_of([&] { services::get_term(*app, a, spring.id); }), 404);
  // The current term: the current year's term containing the date.
  services::set_current_year(*app, a, y.id);
  EXPECT_EQ(services::current_term(*app, "2026-10-01")->name, "Autumn");
  EXPECT_FALSE(services::current_term(*app, "2027-02-01"));
}

TEST_F(SchoolCore, RolloverPromotesActiveStudentsAndKeepsHistory) {
  auto a = actor(admin);
  std::string code;
  EXPECT_EQ(status_of([&] { services::rollover_class(*app, a, c1, "", false); }, &code), 422);
  EXPECT_EQ(code, "no_next_year");
  services::create_year(*app, a, year(2026, "2026-09-01", "2027-07-15"));
  auto left = add_user("leaver", sy::Role::student);
  enrol(c1, left);
  services::update_person(*app, a, left, {.status = "left"});
  auto r = services::rollover_class(*app, a, c1, "8A", false);
  ASSERT_TRUE(r.to);
  EXPECT_EQ(r.to->name, "8A");
  EXPECT_EQ(r.to->year, 2026);
  EXPECT_EQ(r.promoted, 1);
  EXPECT_EQ(r.skipped, 1);
  // History: the old class still lists its students; the new one has the promoted student.
  EXPECT_EQ(services::get_class(*app, a, c1).students.size(), 2u);
  auto next = services::get_class(*app, a, r.to->id);
  ASSERT_EQ(next.students.size(), 1u);
  EXPECT_EQ(next.students[0].id, s1);
  // Running it again changes nothing.
  auto again = services::rollover_class(*app, a, c1, "8A", false);
  EXPECT_EQ(again.promoted, 0);
  EXPECT_EQ(again.already, 1);
  EXPECT_EQ(again.to->id, r.to->id);
  EXPECT_EQ(app->db->read_result<std::size_t>([&](db::Tx& t) { return db::rollovers::for_class(t, c1).size(); }), 2u);
  // A final-year class graduates instead.
  auto g = services::rollover_class(*app, a, c2, "", true);
  EXPECT_FALSE(g.to);
  EXPECT_EQ(g.graduated, 1);
  EXPECT_EQ(services::get_person(*app, a, s2).person.status, PersonStatus::graduated);
  EXPECT_EQ(status_of([&] { services::rollover_class(*app, actor(t1), c1, "", false); }), 403);
}

TEST_F(SchoolCore, SubjectsAndAssignments) {
  auto a = actor(admin);
  auto maths =
      app->db->read_result<std::optional<db::SubjectRow>>([](db::Tx& t) { return db::subjects::by_name(t, "maths"); });
  ASSERT_TRUE(maths);  // made from the fixture's free-text subject
  auto physics = services::create_subject(*app, a, " Physics ", "phy");
  EXPECT_EQ(physics.name, "Physics");
  EXPECT_EQ(physics.code, "PHY");
  std::string code;
  EXPECT_EQ(status_of([&] { services::create_subject(*app, a, "PHYSICS", ""); }, &code), 409);
  EXPECT_EQ(code, "subject_exists");
  EXPECT_EQ(status_of([&] { services::create_subject(*app, a, "X", "no spaces"); }, &code), 422);
  EXPECT_EQ(code, "invalid_code");
  EXPECT_EQ(status_of([&] { services::create_subject(*app, actor(t1), "Chemistry", ""); }), 403);

  auto as = services::assign_subject_teacher(*app, a, c1, physics.id, t2);
  EXPECT_EQ(as.subject_name, "Physics");
  EXPECT_EQ(status_of([&] { services::assign_subject_teacher(*app, a, c1, physics.id, t2); }, &code), 409);
  EXPECT_EQ(code, "already_assigned");
  EXPECT_EQ(status_of([&] { services::assign_subject_teacher(*app, a, c1, physics.id, s1); }, &code), 422);
  EXPECT_EQ(code, "not_a_teacher");
  EXPECT_EQ(status_of([&] { services::assign_subject_teacher(*app, a, c1, 999999, t2); }, &code), 404);
  // The class's own teacher (no subject) counts once.
  services::assign_subject_teacher(*app, a, c1, 0, t1);
  EXPECT_EQ(status_of([&] { services::assign_subject_teacher(*app, a, c1, 0, t1); }), 409);
  // teacher2 now teaches 7A, so 7A opens to them.
  EXPECT_EQ(services::class_assignments(*app, actor(t2), c1).size(), 3u);
  EXPECT_EQ(status_of([&] { services::class_assignments(*app, actor(s2), c1); }), 403);
  EXPECT_EQ(services::teacher_assignments(*app, actor(t2), t2).size(), 2u);
  EXPECT_EQ(status_of([&] { services::teacher_assignments(*app, actor(t1), t2); }), 403);
  // In use: not deleted. Unassigning checks the class the id belongs to.
  EXPECT_EQ(status_of([&] { services::delete_subject(*app, a, physics.id); }, &code), 409);
  EXPECT_EQ(code, "subject_in_use");
  EXPECT_EQ(status_of([&] { services::unassign(*app, a, c2, as.id); }, &code), 404);
  services::unassign(*app, a, c1, as.id);
  services::delete_subject(*app, a, physics.id);
  EXPECT_EQ(services::list_subjects(*app, actor(s1), "ath", {50, 0}).total, 1);  // Maths
  EXPECT_EQ(services::list_subjects(*app, actor(s1), "%", {50, 0}).total, 0);    // LIKE characters are literal
}

TEST_F(SchoolCore, ContactFieldsAreValidated) {
  EXPECT_EQ(services::validate_email(" Nia.Obi+home@Example.ORG "), "Nia.Obi+home@example.org");
  for (const char* bad : {"nia", "nia@", "@x.org", "a@b", "a b@x.org", "a@x..org", "a@-x.org", "a@x.o", "a@@x.org",
                          "a@x.123", ".a@x.org", "a..b@x.org"})
    EXPECT_EQ(status_of([&] { services::validate_email(bad); }), 422) << bad;
  EXPECT_EQ(services::validate_phone(" +44 (0)20 7946-0958 "), "+44 (0)20 7946-0958");
  for (const char* bad : {"12345", "call me", "+1 234 567 890 123 456", "1+234567"})
    EXPECT_EQ(status_of([&] { services::validate_phone(bad); }), 422) << bad;
  EXPECT_EQ(services::validate_language("PT_br"), "pt-BR");
  EXPECT_EQ(services::validate_language("zh-hant-tw"), "zh-Hant-TW");
  for (const char* bad : {"english", "e", "en-", "en-x", "12"})
    EXPECT_EQ(status_of([&] { services::validate_language(bad); }), 422) << bad;
  EXPECT_EQ(status_of([&] { services::validate_admission_no("A 1"); }), 422);
  EXPECT_EQ(status_of([&] { services::validate_birth_date("2999-01-01"); }), 422);
}

TEST_F(SchoolCore, PeopleUpdatesAreAllOrNothingAndScoped) {
  auto a = actor(admin);
  auto p = services::update_person(*app, a, s1,
                                   {.admission_no = "A-001", .date_of_birth = "2012-03-04", .email = "s1@example.org"});
  EXPECT_EQ(p.admission_no, "A-001");
  std::string code;
  EXPECT_EQ(status_of([&] { services::update_person(*app, a, s2, {.admission_no = "a-001"}); }, &code), 409);
  EXPECT_EQ(code, "admission_no_taken");
  EXPECT_EQ(status_of([&] { services::update_person(*app, a, g1, {.admission_no = "G1"}); }, &code), 422);
  EXPECT_EQ(code, "not_a_student");
  // One bad field: nothing changes.
  EXPECT_EQ(status_of([&] { services::update_person(*app, a, s1, {.email = "bad", .phone = "0123 456 789"}); }), 422);
  EXPECT_EQ(services::get_person(*app, a, s1).person.phone, "");
  // Self-service: contact fields only.
  auto g = services::update_person(*app, actor(g1), g1, {.email = "g1@example.org", .email_opt_out = true});
  EXPECT_TRUE(g.email_opt_out);
  EXPECT_EQ(status_of([&] { services::update_person(*app, actor(s1), s1, {.status = "left"}); }), 403);
  EXPECT_EQ(status_of([&] { services::update_person(*app, actor(s1), s1, {.full_name = "Me"}); }), 403);
  EXPECT_EQ(status_of([&] { services::update_person(*app, actor(g1), s1, {.email = "x@example.org"}); }), 403);
  EXPECT_EQ(status_of([&] { services::update_person(*app, actor(t1), s1, {.email = "x@example.org"}); }), 403);
  // The audit says which fields changed, never their values.
  auto rows = app->db->read_result<std::vector<db::AuditRow>>(
      [](db::Tx& t) { return db::audit::list(t, "user.update_profile", "", 10, 0); });
  ASSERT_FALSE(rows.empty());
  for (auto& r : rows) EXPECT_EQ(r.detail.find("example.org"), std::string::npos) << r.detail;
  // Opted-out guardians get essential mail only.
  EXPECT_EQ(services::guardian_recipients(*app, s1, true).size(), 1u);
  EXPECT_EQ(services::guardian_recipients(*app, s1, false).size(), 0u);
}

TEST_F(SchoolCore, WhoSeesWhom) {
  // admin: all; self; teacher: their students and those students' guardians; guardian: children.
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(admin), s2); }), 0);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(s1), s1); }), 0);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(s1), s2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), s1); }), 0);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), g1); }), 0);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), s2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), g2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), t2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(g1), s1); }), 0);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(g1), s2); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(g1), g2); }), 403);
  // A missing id looks like an unreachable one, except to the admin.
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(t1), 999999); }), 403);
  EXPECT_EQ(status_of([&] { services::get_person(*app, actor(admin), 999999); }), 404);
  auto d = services::get_person(*app, actor(t1), s1);
  ASSERT_EQ(d.guardians.size(), 1u);
  EXPECT_EQ(d.guardians[0].id, g1);
}

TEST_F(SchoolCore, PeopleListsSearchFilterAndPage) {
  auto a = actor(admin);
  for (int i = 0; i < 7; ++i) enrol(c1, add_user("kid" + std::to_string(i), Role::student));
  services::update_person(*app, a, s1, {.admission_no = "ADM-77", .email = "first@example.org"});
  db::PeopleFilter f;
  f.role = Role::student;
  auto all = services::search_people(*app, a, f, {3, 0});
  EXPECT_EQ(all.total, 10);
  EXPECT_EQ(all.items.size(), 3u);
  EXPECT_EQ(services::search_people(*app, a, f, {3, 9}).items.size(), 1u);
  f.q = "adm-7";
  EXPECT_EQ(services::search_people(*app, a, f, {50, 0}).items.at(0).id, s1);
  f.q = "FIRST@";
  EXPECT_EQ(services::search_people(*app, a, f, {50, 0}).total, 1);
  f.q = "_";  // a LIKE wildcard is a plain character here
  EXPECT_EQ(services::search_people(*app, a, f, {50, 0}).total, 0);
  EXPECT_EQ(status_of([&] { services::search_people(*app, actor(t1), {}, {50, 0}); }), 403);
  // Students of a class: the class's scope; names only for classmates.
  db::PeopleFilter cf;
  cf.q = "kid";
  auto kids = services::class_students(*app, actor(t1), c1, cf, {5, 0});
  EXPECT_EQ(kids.total, 7);
  EXPECT_EQ(kids.items.size(), 5u);
  EXPECT_FALSE(kids.items[0].username.empty());
  auto mates = services::class_students(*app, actor(s1), c1, {}, {50, 0});
  EXPECT_EQ(mates.total, 8);
  for (auto& m : mates.items) EXPECT_TRUE(m.username.empty() && m.admission_no.empty() && m.email.empty());
  EXPECT_EQ(status_of([&] { services::class_students(*app, actor(t2), c1, {}, {50, 0}); }), 403);
  EXPECT_EQ(status_of([&] { services::class_students(*app, actor(g2), c1, {}, {50, 0}); }), 403);
  // Classes: search and year filter inside the caller's scope.
  services::ClassFilter q;
  q.q = "b";
  EXPECT_EQ(services::find_classes(*app, a, q, {50, 0}).total, 1);
  EXPECT_EQ(services::find_classes(*app, actor(t1), q, {50, 0}).total, 0);
}

TEST_F(SchoolCore, ChecklistEmptiesAsTheSchoolIsSetUp) {
  auto a = actor(admin);
  auto y = *services::current_year(*app);
  auto items = checks();
  // The fixture's year has no term; its classes have teachers and students; Maths and Art are taught.
  EXPECT_EQ(items, std::vector<std::string>{"no_current_term:/years/" + std::to_string(y.id)});
  auto c3 = services::create_class(*app, a, "7C", 2025);
  auto cs = std::to_string(c3.id);
  EXPECT_EQ(checks(), (std::vector<std::string>{"no_current_term:/years/" + std::to_string(y.id),
                                                "class_without_teacher:/classes/" + cs,
                                                "class_without_students:/classes/" + cs}));
  auto bio = services::create_subject(*app, a, "Biology", "");
  EXPECT_EQ(checks().back(), "subject_without_teacher:/subjects/" + std::to_string(bio.id));
  services::assign_subject_teacher(*app, a, c3.id, bio.id, t1);
  services::enrol_student(*app, a, c3.id, s3);
  // A term covering today, whatever today is: widen the year to it first.
  std::string today = services::today();
  services::update_year(*app, a, y.id, year(0, "1900-01-01", "2999-12-31", y.name));
  services::create_term(*app, a, y.id, {"All", today, today});
  EXPECT_EQ(checks(), std::vector<std::string>{});
  EXPECT_EQ(status_of([&] { services::setup_checklist(*app, actor(t1)); }), 403);
  // Other parts add checks; the same id replaces.
  services::register_setup_check("test_extra", [](db::Tx&) {
    return std::vector<services::SetupItem>{{"test_extra", "extra", "/x"}};
  });
  EXPECT_EQ(checks(), std::vector<std::string>{"test_extra:/x"});
  services::register_setup_check("test_extra", [](db::Tx&) { return std::vector<services::SetupItem>{}; });
  EXPECT_EQ(checks(), std::vector<std::string>{});
}

TEST_F(SchoolCore, NoCurrentYearIsTheFirstItem) {
  // A school before any setup: no years at all.
  app->db->tx([](db::Tx& t) { t.exec("UPDATE academic_years SET current_flag = NULL"); });
  auto items = services::setup_checklist(*app, actor(admin));
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].check, "no_current_year");
  EXPECT_EQ(items[0].fix_url, "/years");
}

}  // namespace
