// The row readers take an integer column whatever C++ type the backend reports for it: SQLite and
// MySQL differ (INT, BIGINT, TINYINT, COUNT(*), SUM(...) and expressions each come back as int,
// long long, double or decimal), and a typed get<T> of the wrong one throws std::bad_cast.
#include "db/row_mapping.h"

#include <gtest/gtest.h>

#include <soci/soci.h>

#include "support/testenv.h"

using namespace sy;

namespace {

// What a query's one row reads as through rows::integer / optional_integer / text_or_empty.
struct Probe {
  std::int64_t small = 0, normal = 0, big = 0, flag = 0, count = 0, sum = 0, expr = 0;
  std::optional<std::int64_t> missing, present;
  std::string empty_text;
  std::vector<std::string> types;  // what the backend reported, for the failure message
};

// One column read with rows::integer.
struct Column {
  std::string name;
  std::int64_t value = 0;
};

}  // namespace

namespace soci {
template <>
struct type_conversion<Column> {
  typedef values base_type;
  static void from_base(const values& v, indicator, Column& c) { c.value = sy::db::rows::integer(v, c.name); }
};
template <>
struct type_conversion<Probe> {
  typedef values base_type;
  static void from_base(const values& v, indicator, Probe& p) {
    using sy::db::rows::integer;
    for (std::size_t i = 0; i < v.get_number_of_columns(); ++i)
      p.types.push_back(v.get_properties(i).get_name() + "=" +
                        std::to_string(static_cast<int>(v.get_properties(i).get_data_type())));
    p.small = integer(v, "small");
    p.normal = integer(v, "normal");
    p.big = integer(v, "big");
    p.flag = integer(v, "flag");
    p.count = integer(v, "n");
    p.sum = integer(v, "total");
    p.expr = integer(v, "expr");
    p.missing = sy::db::rows::optional_integer(v, "missing");
    p.present = sy::db::rows::optional_integer(v, "present");
    p.empty_text = sy::db::rows::text_or_empty(v, "no_text");
  }
};
}  // namespace soci

TEST(RowMapping, IntegersReadAlikeOnBothDatabases) {
  auto d = test::fresh_db();
  d->tx([&](db::Tx& t) {
    t.exec("CREATE TABLE probe (s SMALLINT, i INT, b BIGINT, f TINYINT, nul BIGINT, txt VARCHAR(10))");
    t.exec("INSERT INTO probe VALUES (-7, 2000000000, 9007199254740993, 1, NULL, NULL)");
    t.exec("INSERT INTO probe VALUES (3, 5, 1, 0, 42, NULL)");
  });
  Probe p;
  d->read([&](db::Tx& t) {
    t.sql() << "SELECT MIN(s) AS small, MAX(i) AS normal, MAX(b) AS big, MAX(f) AS flag, COUNT(*) AS n, "
               "SUM(i) AS total, MAX(i) + 1 AS expr, MIN(nul) AS present, MAX(CASE WHEN s > 100 THEN 1 END) "
               "AS missing, MAX(txt) AS no_text FROM probe",
        soci::into(p);
  });
  std::string types;
  for (auto& s : p.types) types += s + " ";
  EXPECT_EQ(p.small, -7) << types;
  EXPECT_EQ(p.normal, 2000000000) << types;
  EXPECT_EQ(p.big, 9007199254740993) << types;  // above 2^53: not through a double
  EXPECT_EQ(p.flag, 1) << types;
  EXPECT_EQ(p.count, 2) << types;
  EXPECT_EQ(p.sum, 2000000005) << types;  // MySQL: DECIMAL
  EXPECT_EQ(p.expr, 2000000001) << types;
  EXPECT_EQ(p.present, 42) << types;
  EXPECT_EQ(p.missing, std::nullopt) << types;
  EXPECT_EQ(p.empty_text, "") << types;
}

TEST(RowMapping, TextOrNullIsNotAnInteger) {
  auto d = test::fresh_db();
  d->read([&](db::Tx& t) {
    Column c{"word"};
    EXPECT_THROW((t.sql() << "SELECT 'abc' AS word", soci::into(c)), std::runtime_error);
    c = Column{"no_text"};
    EXPECT_THROW((t.sql() << "SELECT NULL AS no_text", soci::into(c)), std::runtime_error);
    c = Column{"digits"};
    t.sql() << "SELECT '-12' AS digits", soci::into(c);
    EXPECT_EQ(c.value, -12);
  });
}

// Every row type maps from its columns: a user read back equals what was written.
TEST(RowMapping, RowsRoundTrip) {
  auto d = test::fresh_db();
  db::UserRow u;
  u.username = "zed";
  u.password_hash = "h";
  u.role = Role::guardian;
  u.full_name = "Zed Zee";
  u.active = false;
  u.created_at = 1700000000123;
  u.updated_at = 1700000000456;
  u.id = d->tx_result<std::int64_t>([&](db::Tx& t) { return db::users::insert(t, u); });
  auto back = d->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, u.id); });
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, u.id);
  EXPECT_EQ(back->username, "zed");
  EXPECT_EQ(back->role, Role::guardian);
  EXPECT_EQ(back->full_name, "Zed Zee");
  EXPECT_FALSE(back->active);
  EXPECT_EQ(back->created_at, 1700000000123);
  EXPECT_EQ(back->updated_at, 1700000000456);
}
