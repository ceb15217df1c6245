#pragma once
// Row mapping, once per row type: `soci::into(row)` fills a UserRow, PhotoRow, JobRow, … from the
// columns named like its fields (select them under those names, `AS` when joined). The readers
// below take a column by name and do not care which C++ type the backend chose for it: SQLite and
// MySQL report the same INTEGER column as int, long long or (for expressions) something else.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/accounts_repo.h"
#include "db/database.h"
#include "db/jobs_repo.h"
#include "db/moderation_repo.h"
#include "db/photos_repo.h"
#include "db/school_repo.h"
#include "db/states_soci.h"

namespace sy::db::rows {

// An integer column whatever its reported type (int, long long, unsigned, a whole double, or
// digits in text); throws on NULL and on anything that is not an integer in range.
std::int64_t integer(const soci::values& v, const std::string& col);
std::optional<std::int64_t> optional_integer(const soci::values& v, const std::string& col);
bool flag(const soci::values& v, const std::string& col);  // 0 / 1 (TINYINT on MySQL)
std::string text(const soci::values& v, const std::string& col);
std::string text_or_empty(const soci::values& v, const std::string& col);  // NULL reads as ""

void read(const soci::values& v, UserRow& r);
void read(const soci::values& v, SessionRow& r);
void read(const soci::values& v, AuditRow& r);
void read(const soci::values& v, PhotoRow& r);
void read(const soci::values& v, PhotoVariantRow& r);
void read(const soci::values& v, JobRow& r);
void read(const soci::values& v, ClassRow& r);
void read(const soci::values& v, PersonRow& r);
void read(const soci::values& v, TeacherRow& r);
void read(const soci::values& v, YearbookRow& r);
void read(const soci::values& v, moderation::Pending& r);

// Every row the query returns; `bind` adds the use() values to the prepared statement.
template <class Row, class Bind>
std::vector<Row> fetch(Tx& t, const std::string& sql, Bind&& bind) {
  std::vector<Row> out;
  Row r;
  auto prep = (t.sql().prepare << sql, soci::into(r));
  bind(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

template <class Row>
std::vector<Row> fetch(Tx& t, const std::string& sql) {
  return fetch<Row>(t, sql, [](auto&) {});
}

template <class T>
std::optional<T> first(std::vector<T> v) {
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

// The type_conversion every row type shares: read from the named columns; rows are never written
// through it (inserts bind their fields one by one).
template <class Row>
struct RowConversion {
  typedef soci::values base_type;
  static void from_base(const soci::values& v, soci::indicator, Row& r) { read(v, r); }
};

}  // namespace sy::db::rows

namespace soci {
template <>
struct type_conversion<sy::db::UserRow> : sy::db::rows::RowConversion<sy::db::UserRow> {};
template <>
struct type_conversion<sy::db::SessionRow> : sy::db::rows::RowConversion<sy::db::SessionRow> {};
template <>
struct type_conversion<sy::db::AuditRow> : sy::db::rows::RowConversion<sy::db::AuditRow> {};
template <>
struct type_conversion<sy::db::PhotoRow> : sy::db::rows::RowConversion<sy::db::PhotoRow> {};
template <>
struct type_conversion<sy::db::PhotoVariantRow> : sy::db::rows::RowConversion<sy::db::PhotoVariantRow> {};
template <>
struct type_conversion<sy::db::JobRow> : sy::db::rows::RowConversion<sy::db::JobRow> {};
template <>
struct type_conversion<sy::db::ClassRow> : sy::db::rows::RowConversion<sy::db::ClassRow> {};
template <>
struct type_conversion<sy::db::PersonRow> : sy::db::rows::RowConversion<sy::db::PersonRow> {};
template <>
struct type_conversion<sy::db::TeacherRow> : sy::db::rows::RowConversion<sy::db::TeacherRow> {};
template <>
struct type_conversion<sy::db::YearbookRow> : sy::db::rows::RowConversion<sy::db::YearbookRow> {};
template <>
struct type_conversion<sy::db::moderation::Pending> : sy::db::rows::RowConversion<sy::db::moderation::Pending> {};
}  // namespace soci
