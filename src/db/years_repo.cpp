#include "db/years_repo.h"

#include <soci/soci.h>

#include <functional>

namespace sy::db {

namespace {

const char* kYearCols = "id, year, name, start_date, end_date, current_flag, created_at";

std::vector<YearRow> fetch_years(Tx& t, const std::string& tail,
                                 const std::function<void(soci::details::prepare_temp_type&)>& use) {
  std::vector<YearRow> out;
  YearRow r;
  long long id = 0, created = 0;
  int year = 0, flag = 0;
  soci::indicator flag_ind = soci::i_null;
  auto prep = (t.sql().prepare << std::string("SELECT ") + kYearCols + " FROM academic_years " + tail, soci::into(id),
               soci::into(year), soci::into(r.name), soci::into(r.start_date), soci::into(r.end_date),
               soci::into(flag, flag_ind), soci::into(created));
  use(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.year = year;
    r.current = flag_ind == soci::i_ok && flag == 1;
    r.created_at = created;
    out.push_back(r);
  }
  return out;
}

std::optional<YearRow> first(std::vector<YearRow> rows) {
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

const char* kTermCols = "id, academic_year_id, name, start_date, end_date, created_at";

std::vector<TermRow> fetch_terms(Tx& t, const std::string& q,
                                 const std::function<void(soci::details::prepare_temp_type&)>& use) {
  std::vector<TermRow> out;
  TermRow r;
  long long id = 0, year_id = 0, created = 0;
  auto prep = (t.sql().prepare << q, soci::into(id), soci::into(year_id), soci::into(r.name), soci::into(r.start_date),
               soci::into(r.end_date), soci::into(created));
  use(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.academic_year_id = year_id;
    r.created_at = created;
    out.push_back(r);
  }
  return out;
}

bool deleted_any(Tx& t, const char* q, long long id) {
  soci::statement st = (t.sql().prepare << q, soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace

namespace years {

std::int64_t insert(Tx& t, const YearRow& y) {
  long long c = y.created_at;
  int year = y.year;
  t.sql() << "INSERT INTO academic_years (year, name, start_date, end_date, current_flag, created_at) "
             "VALUES (:y, :n, :s, :e, NULL, :c)",
      soci::use(year), soci::use(y.name), soci::use(y.start_date), soci::use(y.end_date), soci::use(c);
  return t.last_insert_id();
}

std::optional<YearRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  return first(fetch_years(t, "WHERE id = :id", [&](auto& p) { p, soci::use(i); }));
}

std::optional<YearRow> by_year(Tx& t, int year) {
  return first(fetch_years(t, "WHERE year = :y", [&](auto& p) { p, soci::use(year); }));
}

std::optional<YearRow> by_name(Tx& t, const std::string& name) {
  return first(fetch_years(t, "WHERE name = :n", [&](auto& p) { p, soci::use(name); }));
}

std::optional<YearRow> current(Tx& t) {
  return first(fetch_years(t, "WHERE current_flag = 1", [](auto&) {}));
}

std::vector<YearRow> list(Tx& t) {
  return fetch_years(t, "ORDER BY year DESC", [](auto&) {});
}

std::optional<YearRow> next_after(Tx& t, int year) {
  return first(fetch_years(t, "WHERE year > :y ORDER BY year", [&](auto& p) { p, soci::use(year); }));
}

void update(Tx& t, const YearRow& y) {
  long long i = y.id;
  t.sql() << "UPDATE academic_years SET name = :n, start_date = :s, end_date = :e WHERE id = :id", soci::use(y.name),
      soci::use(y.start_date), soci::use(y.end_date), soci::use(i);
}

void set_current(Tx& t, std::int64_t id) {
  long long i = id;
  t.sql() << "UPDATE academic_years SET current_flag = NULL WHERE current_flag = 1";
  t.sql() << "UPDATE academic_years SET current_flag = 1 WHERE id = :id", soci::use(i);
}

bool remove(Tx& t, std::int64_t id) { return deleted_any(t, "DELETE FROM academic_years WHERE id = :id", id); }

std::int64_t class_count(Tx& t, std::int64_t id) {
  long long i = id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM classes WHERE academic_year_id = :id", soci::use(i), soci::into(n);
  return n;
}

}  // namespace years

namespace terms {

std::int64_t insert(Tx& t, const TermRow& r) {
  long long y = r.academic_year_id, c = r.created_at;
  t.sql() << "INSERT INTO terms (academic_year_id, name, start_date, end_date, created_at) "
             "VALUES (:y, :n, :s, :e, :c)",
      soci::use(y), soci::use(r.name), soci::use(r.start_date), soci::use(r.end_date), soci::use(c);
  return t.last_insert_id();
}

std::optional<TermRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  auto rows = fetch_terms(t, std::string("SELECT ") + kTermCols + " FROM terms WHERE id = :id",
                          [&](auto& p) { p, soci::use(i); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<TermRow> by_name(Tx& t, std::int64_t academic_year_id, const std::string& name) {
  long long y = academic_year_id;
  auto rows =
      fetch_terms(t, std::string("SELECT ") + kTermCols + " FROM terms WHERE academic_year_id = :y AND name = :n",
                  [&](auto& p) { p, soci::use(y), soci::use(name); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<TermRow> for_year(Tx& t, std::int64_t academic_year_id) {
  long long y = academic_year_id;
  return fetch_terms(
      t, std::string("SELECT ") + kTermCols + " FROM terms WHERE academic_year_id = :y ORDER BY start_date, name, id",
      [&](auto& p) { p, soci::use(y); });
}

std::optional<TermRow> current(Tx& t, const std::string& date) {
  auto rows = fetch_terms(t,
                          "SELECT t.id, t.academic_year_id, t.name, t.start_date, t.end_date, t.created_at "
                          "FROM terms t JOIN academic_years a ON a.id = t.academic_year_id AND a.current_flag = 1 "
                          "WHERE t.start_date <= :d1 AND t.end_date >= :d2 ORDER BY t.start_date, t.id",
                          [&](auto& p) { p, soci::use(date), soci::use(date); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

void update(Tx& t, const TermRow& r) {
  long long i = r.id;
  t.sql() << "UPDATE terms SET name = :n, start_date = :s, end_date = :e WHERE id = :id", soci::use(r.name),
      soci::use(r.start_date), soci::use(r.end_date), soci::use(i);
}

bool remove(Tx& t, std::int64_t id) { return deleted_any(t, "DELETE FROM terms WHERE id = :id", id); }

}  // namespace terms

namespace rollovers {

void record(Tx& t, std::int64_t from_class_id, std::int64_t to_class_id, int promoted, int graduated,
            std::int64_t actor_id, std::int64_t now) {
  long long f = from_class_id, to = to_class_id, a = actor_id, n = now;
  soci::indicator to_ind = to_class_id > 0 ? soci::i_ok : soci::i_null;
  soci::indicator a_ind = actor_id > 0 ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO class_rollovers (from_class_id, to_class_id, promoted, graduated, actor_id, created_at) "
             "VALUES (:f, :t, :p, :g, :a, :n)",
      soci::use(f), soci::use(to, to_ind), soci::use(promoted), soci::use(graduated), soci::use(a, a_ind), soci::use(n);
}

std::vector<RolloverRow> for_class(Tx& t, std::int64_t from_class_id) {
  std::vector<RolloverRow> out;
  RolloverRow r;
  long long id = 0, f = from_class_id, to = 0, a = 0, created = 0;
  int promoted = 0, graduated = 0;
  soci::indicator to_ind = soci::i_null, a_ind = soci::i_null;
  soci::statement st = (t.sql().prepare << "SELECT id, to_class_id, promoted, graduated, actor_id, created_at "
                                           "FROM class_rollovers WHERE from_class_id = :f ORDER BY id DESC",
                        soci::use(f), soci::into(id), soci::into(to, to_ind), soci::into(promoted),
                        soci::into(graduated), soci::into(a, a_ind), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.from_class_id = from_class_id;
    r.to_class_id = to_ind == soci::i_ok ? to : 0;
    r.promoted = promoted;
    r.graduated = graduated;
    r.actor_id = a_ind == soci::i_ok ? a : 0;
    r.created_at = created;
    out.push_back(r);
  }
  return out;
}

}  // namespace rollovers

}  // namespace sy::db
