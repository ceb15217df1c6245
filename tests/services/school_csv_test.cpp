// CSV parsing/writing, the all-or-nothing student import, roster and student exports.
#include "services/school_csv.h"

#include <gtest/gtest.h>

#include "db/accounts_repo.h"
#include "services/auth.h"
#include "services/school.h"
#include "services/school_fixture.h"

using namespace sy;
using sy::test::status_of;

namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const AppError& e) {
    return e.code + ": " + e.what();
  }
  return "";
}

TEST(Csv, ParsesQuotesCrlfAndEmbeddedNewlines) {
  auto recs = services::parse_csv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\n\n\"multi\nline\",2,3\nlast,,");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", ""}));
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_EQ(recs[2].fields[0], "multi\nline");
  EXPECT_EQ(recs[2].line, 4);  // line 3 is blank and skipped
  EXPECT_EQ(recs[3].line, 6);
  EXPECT_EQ(recs[3].fields, (std::vector<std::string>{"last", "", ""}));
  EXPECT_TRUE(services::parse_csv("").empty());
}

TEST(Csv, MalformedInputNamesTheLine) {
  EXPECT_EQ(error_of([] { services::parse_csv("a\nb\n\"open"); }), "invalid_csv: line 3: a quoted field is not closed");
  EXPECT_EQ(error_of([] { services::parse_csv("a\nb\"c"); }),
            "invalid_csv: line 2: a quote inside an unquoted field (quote the whole field)");
  EXPECT_EQ(error_of([] { services::parse_csv("a\n\"b\"c"); }),
            "invalid_csv: line 2: unexpected text after a closing quote");
  EXPECT_EQ(error_of([] { services::parse_csv("a\nb\n\xff"); }), "invalid_csv: line 3: not valid UTF-8 text");
  EXPECT_EQ(error_of([] { services::parse_csv(std::string("a\0b", 3)); }), "invalid_csv: line 1: not valid UTF-8 text");
  EXPECT_EQ(error_of([] { services::parse_csv("\xc0\xaf"); }), "invalid_csv: line 1: not valid UTF-8 text");
  EXPECT_EQ(error_of([] { services::parse_csv("\xed\xa0\x80"); }), "invalid_csv: line 1: not valid UTF-8 text");
  EXPECT_EQ(error_of([] { services::parse_csv("Zoë,日本"); }), "");
}

TEST(Csv, CellsAreQuotedAndGuardedAgainstFormulas) {
  EXPECT_EQ(services::csv_cell("plain"), "plain");
  EXPECT_EQ(services::csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(services::csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(services::csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(services::csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(services::csv_cell("+1"), "'+1");
  EXPECT_EQ(services::csv_cell("-2"), "'-2");
  EXPECT_EQ(services::csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(services::csv_cell("\tx"), "'\tx");
  EXPECT_EQ(services::csv_cell("a=b"), "a=b");
  EXPECT_EQ(services::csv_line({"1", "x,y"}), "1,\"x,y\"\r\n");
}

class Import : public test::SchoolFixture {
 protected:
  std::int64_t admin = 0;
  void SetUp() override {
    SchoolFixture::SetUp();
    admin = add_user("admin", Role::admin);
  }
  std::int64_t id_of(const std::string& username) {
    return app->db->read_result<std::int64_t>(
        [&](db::Tx& t) { return db::users::by_username(t, username).value().id; });
  }
  std::int64_t user_count() {
    return app->db->read_result<std::int64_t>(
        [](db::Tx& t) { return static_cast<std::int64_t>(db::users::list(t, std::nullopt, 1000, 0).size()); });
  }
};

const char* kGood =
    "username,full_name,class_name,year,guardian_username\n"
    "ann,Ann Lee,7A,2025,mum.lee\n"
    "ben,\"Benson, Ben\",7A,2025,\n"
    "ann,Ann Lee,Choir,2025,dad.lee\n"
    "cyd,Cy Young,,,mum.lee\n";

TEST_F(Import, CreatesStudentsClassesGuardiansAndReturnsPasswordsOnce) {
  auto r = services::import_students(*app, actor(admin), kGood);
  EXPECT_EQ(r.rows, 4);
  ASSERT_EQ(r.created.size(), 5u);  // ann, ben, cyd, mum.lee, dad.lee
  ASSERT_EQ(r.classes_created.size(), 2u);
  EXPECT_EQ(r.enrolments, 3);
  EXPECT_EQ(r.guardian_links, 3);
  for (auto& c : r.created) {
    auto u = app->db->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, c.id); });
    ASSERT_TRUE(u);
    EXPECT_EQ(u->username, c.username);
    EXPECT_EQ(u->role, c.role);
    EXPECT_TRUE(services::verify_password(u->password_hash, c.password)) << c.username;
    if (c.username == "ben") EXPECT_EQ(u->full_name, "Benson, Ben");
    if (c.username == "mum.lee") EXPECT_EQ(u->role, Role::guardian);
  }
  EXPECT_EQ(services::list_classes(*app, actor(id_of("ann"))).size(), 2u);
  EXPECT_EQ(services::my_children(*app, actor(id_of("mum.lee"))).size(), 2u);
  EXPECT_EQ(services::my_children(*app, actor(id_of("dad.lee"))).size(), 1u);
  EXPECT_EQ(audit_count("import.students"), 1);
  EXPECT_EQ(audit_count("user.create"), 5);

  // The same file again changes nothing and reveals no passwords.
  auto again = services::import_students(*app, actor(admin), kGood);
  EXPECT_TRUE(again.created.empty());
  EXPECT_TRUE(again.classes_created.empty());
  EXPECT_EQ(again.enrolments, 0);
  EXPECT_EQ(again.guardian_links, 0);
  EXPECT_EQ(user_count(), 6);
}

TEST_F(Import, ExistingStudentsAndClassesAreReused) {
  auto s = add_user("ann", Role::student);
  auto c = add_class("7A", 2025);
  auto r = services::import_students(*app, actor(admin),
                                     "username,full_name,class_name,year,guardian_username\r\nann,,7A,2025,\r\n");
  EXPECT_TRUE(r.created.empty());
  EXPECT_TRUE(r.classes_created.empty());
  EXPECT_EQ(r.enrolments, 1);
  EXPECT_EQ(services::get_class(*app, actor(admin), c).students.at(0).id, s);
}

TEST_F(Import, AnyBadRowRejectsTheWholeFile) {
  std::string csv = std::string(kGood) + "dee,Dee,7A,20x5,\n";
  EXPECT_EQ(error_of([&] { services::import_students(*app, actor(admin), csv); }),
            "invalid_csv: line 6: year must be a whole number from 1 to 9999");
  EXPECT_EQ(user_count(), 1);
  EXPECT_TRUE(services::list_classes(*app, actor(admin)).empty());
  EXPECT_EQ(audit_count("import.students"), 0);
  // A problem only the database can see (an existing teacher's username) on the last line.
  add_user("mr.t", Role::teacher);
  csv = std::string(kGood) + "mr.t,T,7A,2025,\n";
  EXPECT_EQ(error_of([&] { services::import_students(*app, actor(admin), csv); }),
            "invalid_csv: line 6: 'mr.t' already exists with the role teacher (expected student)");
  EXPECT_EQ(user_count(), 2);
  EXPECT_TRUE(services::list_classes(*app, actor(admin)).empty());
}

TEST_F(Import, RowErrors) {
  const std::string h = "username,full_name,class_name,year,guardian_username\n";
  auto err = [&](const std::string& body) {
    return error_of([&] { services::import_students(*app, actor(admin), h + body); });
  };
  EXPECT_EQ(err("ok1,A,7A,2025,\nBad Name,B,,,\n"),
            "invalid_csv: line 3: username must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-'");
  EXPECT_EQ(err("ok1,A,7A,2025\n"), "invalid_csv: line 2: expected 5 fields, found 4");
  EXPECT_EQ(err("ok1,A,7A,,\n"), "invalid_csv: line 2: class_name and year go together (both or neither)");
  EXPECT_EQ(err("ok1,,7A,2025,\n"), "invalid_csv: line 2: full_name is required for a new student ('ok1')");
  EXPECT_EQ(err("ok1,A,,,ok1\n"), "invalid_csv: line 2: a student cannot be their own guardian");
  EXPECT_EQ(err("ok1,A,,,\nok2,B,,,ok1\n"), "invalid_csv: line 3: 'ok1' is used both as a student and as a guardian");
  EXPECT_EQ(err("ok1,A,,,\nok1,B,,,\n"), "invalid_csv: line 3: 'ok1' has a different full_name on line 2");
  EXPECT_EQ(err("ok1,\"A\nB\",,,\n"),
            "invalid_csv: line 2: full_name must have at most 200 characters and no control characters");
  EXPECT_EQ(err("admin,A,,,\n"), "invalid_csv: line 2: 'admin' already exists with the role admin (expected student)");
  add_user("gone", Role::student, false);
  EXPECT_EQ(err("xx1,X,,,\ngone,G,,,\n"), "invalid_csv: line 3: 'gone' exists but is deactivated");
  EXPECT_EQ(error_of([&] { services::import_students(*app, actor(admin), "user,name\nx,y\n"); }),
            "invalid_csv: line 1: expected the header username,full_name,class_name,year,guardian_username");
  EXPECT_EQ(error_of([&] { services::import_students(*app, actor(admin), ""); }),
            "invalid_csv: line 1: missing header; expected username,full_name,class_name,year,guardian_username");
  EXPECT_EQ(user_count(), 2);
}

TEST_F(Import, TooManyRows) {
  std::string csv = "username,full_name,class_name,year,guardian_username\n";
  for (std::size_t i = 0; i <= services::kImportMaxRows; ++i) csv += "u" + std::to_string(i) + "x,N,,,\n";
  EXPECT_EQ(error_of([&] { services::import_students(*app, actor(admin), csv); }),
            "invalid_csv: line 2002: too many rows (at most 2000)");
}

TEST_F(Import, OnlyAdmins) {
  auto t = add_user("teach", Role::teacher);
  EXPECT_EQ(status_of([&] { services::import_students(*app, actor(t), kGood); }), 403);
  EXPECT_EQ(status_of([&] { services::roster_csv(*app, actor(t), 1); }), 403);
  EXPECT_EQ(status_of([&] { services::students_csv(*app, actor(t)); }), 403);
  EXPECT_EQ(user_count(), 2);
}

TEST_F(Import, RosterCsvIsQuotedAndGuarded) {
  auto c = add_class("7A", 2025);
  auto evil = add_user("evil", Role::student);
  app->db->tx([&](db::Tx& t) { db::users::set_full_name(t, evil, "=cmd|' /C calc'!A0, \"x\"", 1); });
  enrol(c, evil);
  consent(evil, "print");
  auto ok = add_user("zed", Role::student);
  enrol(c, ok);
  auto csv = services::roster_csv(*app, actor(admin), c);
  EXPECT_EQ(csv, "student_id,username,full_name,consent\r\n" + std::to_string(evil) +
                     ",evil,\"'=cmd|' /C calc'!A0, \"\"x\"\"\",print\r\n" + std::to_string(ok) +
                     ",zed,Full zed,unset\r\n");
  EXPECT_EQ(status_of([&] { services::roster_csv(*app, actor(admin), 9999); }), 404);
}

TEST_F(Import, StudentExportReimportsCleanly) {
  services::import_students(*app, actor(admin), kGood);
  auto exported = services::students_csv(*app, actor(admin));
  EXPECT_EQ(exported,
            "username,full_name,class_name,year,guardian_username\r\n"
            "ann,Ann Lee,7A,2025,dad.lee\r\n"
            "ann,Ann Lee,Choir,2025,mum.lee\r\n"
            "ben,\"Benson, Ben\",7A,2025,\r\n"
            "cyd,Cy Young,,,mum.lee\r\n");
  auto again = services::import_students(*app, actor(admin), exported);
  EXPECT_TRUE(again.created.empty());
  EXPECT_EQ(again.enrolments + again.guardian_links, 0);
}

}  // namespace
