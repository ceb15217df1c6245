#include "services/years.h"

#include <cstdio>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/people_repo.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/school.h"

namespace sy::services {

namespace {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::string year_name(const std::string& in, int year) {
  std::string n = text::trim_copy(in, text::kSpaceTab);
  if (n.empty()) n = std::to_string(year);
  if (text::utf8_length(n) > 100 || !text::valid_utf8(n))
    fail(ErrorKind::invalid, "invalid_name", "the name must have 1 to 100 characters");
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) fail(ErrorKind::invalid, "invalid_name", "the name must not contain control characters");
  return n;
}

void check_dates(const std::string& start, const std::string& end, bool strict) {
  validate_date(start, "start_date");
  validate_date(end, "end_date");
  if (strict ? !(start < end) : !(start <= end))
    fail(ErrorKind::invalid, "invalid_dates", "the start date must come before the end date");
}

db::YearRow year_or_404(db::Tx& t, std::int64_t id) {
  auto y = db::years::by_id(t, id);
  if (!y) fail(ErrorKind::not_found, "no_such_year", "no such academic year");
  return *y;
}

db::TermRow term_or_404(db::Tx& t, std::int64_t id) {
  auto r = db::terms::by_id(t, id);
  if (!r) fail(ErrorKind::not_found, "no_such_term", "no such term");
  return *r;
}

void require_login(const Actor& actor) {
  if (actor.role == Role::anonymous) unauthorized();
}

// A term lies inside its year and overlaps no other term of it (except `self`).
void check_term_fits(db::Tx& t, const db::YearRow& y, const TermInput& in, std::int64_t self) {
  if (in.start_date < y.start_date || in.end_date > y.end_date)
    fail(ErrorKind::invalid, "term_outside_year",
         "the term must lie inside the year (" + y.start_date + " to " + y.end_date + ")");
  for (const auto& o : db::terms::for_year(t, y.id)) {
    if (o.id == self) continue;
    if (text::iequals(o.name, in.name))
      fail(ErrorKind::conflict, "term_exists", "that year already has a term of that name");
    if (in.start_date <= o.end_date && o.start_date <= in.end_date)
      fail(ErrorKind::conflict, "term_overlap", "the dates overlap term " + o.name);
  }
}

TermInput clean_term(const TermInput& in) {
  TermInput out = in;
  out.name = text::trim_copy(in.name, text::kSpaceTab);
  if (out.name.empty() || text::utf8_length(out.name) > 100 || !text::valid_utf8(out.name))
    fail(ErrorKind::invalid, "invalid_name", "the term name must have 1 to 100 characters");
  for (unsigned char c : out.name)
    if (c < 0x20 || c == 0x7f) fail(ErrorKind::invalid, "invalid_name", "the name must not contain control characters");
  check_dates(out.start_date, out.end_date, false);
  return out;
}

}  // namespace

std::string today() { return utc_format(now_unix(), "%Y-%m-%d"); }

void validate_date(const std::string& d, const std::string& field, const std::string& code) {
  auto bad = [&] { fail(ErrorKind::invalid, code, field + " must be a date written YYYY-MM-DD"); };
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') bad();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') bad();
  int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || day < 1) bad();
  if (day > kDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0)) bad();
}

std::vector<db::YearRow> list_years(App& app, const Actor& actor) {
  require_login(actor);
  return app.reader().read_result<std::vector<db::YearRow>>([](db::Tx& t) { return db::years::list(t); });
}

YearDetail get_year(App& app, const Actor& actor, std::int64_t year_id) {
  require_login(actor);
  return app.db->read_result<YearDetail>([&](db::Tx& t) {
    YearDetail d;
    d.year = year_or_404(t, year_id);
    d.terms = db::terms::for_year(t, year_id);
    // The classes are listed for those who may list every class; others see the calendar only.
    if (can(actor, "classes.view")) d.classes = db::classes::for_year(t, year_id);
    return d;
  });
}

std::optional<db::YearRow> current_year(App& app) {
  return app.db->read_result<std::optional<db::YearRow>>([](db::Tx& t) { return db::years::current(t); });
}

std::optional<db::TermRow> current_term(App& app, const std::string& date) {
  std::string d = date.empty() ? today() : date;
  return app.db->read_result<std::optional<db::TermRow>>([&](db::Tx& t) { return db::terms::current(t, d); });
}

db::TermRow get_term(App& app, const Actor& actor, std::int64_t term_id) {
  require_login(actor);
  return app.db->read_result<db::TermRow>([&](db::Tx& t) { return term_or_404(t, term_id); });
}

db::YearRow create_year(App& app, const Actor& actor, const YearInput& in) {
  require(actor, "classes.manage");
  validate_class_year(in.year);
  db::YearRow row;
  row.year = in.year;
  row.name = year_name(in.name, in.year);
  row.start_date = in.start_date;
  row.end_date = in.end_date;
  check_dates(row.start_date, row.end_date, true);
  app.db->tx([&](db::Tx& t) {
    if (db::years::by_year(t, row.year) || db::years::by_name(t, row.name))
      fail(ErrorKind::conflict, "year_exists", "an academic year with that number or name already exists");
    row.created_at = now_unix();
    row.id = db::years::insert(t, row);
    // Exactly one current year once there is any: the first one is it.
    if (!db::years::current(t)) {
      db::years::set_current(t, row.id);
      row.current = true;
    }
    audit(t, actor, "year.create", "academic_year", std::to_string(row.id),
          "year=" + std::to_string(row.year) + " name=" + row.name);
  });
  return row;
}

db::YearRow update_year(App& app, const Actor& actor, std::int64_t year_id, const YearInput& in) {
  require(actor, "classes.manage");
  check_dates(in.start_date, in.end_date, true);
  return app.db->tx_result<db::YearRow>([&](db::Tx& t) {
    db::YearRow row = year_or_404(t, year_id);
    row.name = year_name(in.name, row.year);
    row.start_date = in.start_date;
    row.end_date = in.end_date;
    if (auto other = db::years::by_name(t, row.name); other && other->id != row.id)
      fail(ErrorKind::conflict, "year_exists", "another academic year has that name");
    for (const auto& term : db::terms::for_year(t, row.id))
      if (term.start_date < row.start_date || term.end_date > row.end_date)
        fail(ErrorKind::invalid, "term_outside_year", "term " + term.name + " would lie outside the year's dates");
    db::years::update(t, row);
    audit(t, actor, "year.update", "academic_year", std::to_string(row.id),
          "name=" + row.name + " " + row.start_date + ".." + row.end_date);
    return row;
  });
}

void set_current_year(App& app, const Actor& actor, std::int64_t year_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    year_or_404(t, year_id);
    db::years::set_current(t, year_id);
    audit(t, actor, "year.set_current", "academic_year", std::to_string(year_id));
  });
}

void delete_year(App& app, const Actor& actor, std::int64_t year_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    auto y = year_or_404(t, year_id);
    if (db::years::class_count(t, year_id) > 0)
      fail(ErrorKind::conflict, "year_in_use", "the year still has classes; move or delete them first");
    if (y.current && db::years::list(t).size() > 1)
      fail(ErrorKind::conflict, "year_is_current", "make another year current before deleting this one");
    db::years::remove(t, year_id);
    audit(t, actor, "year.delete", "academic_year", std::to_string(year_id), "name=" + y.name);
  });
}

db::TermRow create_term(App& app, const Actor& actor, std::int64_t year_id, const TermInput& in_raw) {
  require(actor, "classes.manage");
  TermInput in = clean_term(in_raw);
  return app.db->tx_result<db::TermRow>([&](db::Tx& t) {
    auto y = year_or_404(t, year_id);
    check_term_fits(t, y, in, 0);
    db::TermRow r;
    r.academic_year_id = year_id;
    r.name = in.name;
    r.start_date = in.start_date;
    r.end_date = in.end_date;
    r.created_at = now_unix();
    r.id = db::terms::insert(t, r);
    audit(t, actor, "term.create", "term", std::to_string(r.id),
          "year_id=" + std::to_string(year_id) + " name=" + r.name + " " + r.start_date + ".." + r.end_date);
    return r;
  });
}

db::TermRow update_term(App& app, const Actor& actor, std::int64_t term_id, const TermInput& in_raw) {
  require(actor, "classes.manage");
  TermInput in = clean_term(in_raw);
  return app.db->tx_result<db::TermRow>([&](db::Tx& t) {
    auto r = term_or_404(t, term_id);
    auto y = year_or_404(t, r.academic_year_id);
    check_term_fits(t, y, in, r.id);
    r.name = in.name;
    r.start_date = in.start_date;
    r.end_date = in.end_date;
    db::terms::update(t, r);
    audit(t, actor, "term.update", "term", std::to_string(r.id),
          "name=" + r.name + " " + r.start_date + ".." + r.end_date);
    return r;
  });
}

void delete_term(App& app, const Actor& actor, std::int64_t term_id) {
  require(actor, "classes.manage");
  app.db->tx([&](db::Tx& t) {
    auto r = term_or_404(t, term_id);
    db::terms::remove(t, term_id);
    audit(t, actor, "term.delete", "term", std::to_string(term_id), "name=" + r.name);
  });
}

db::ClassRow create_class_in_year(App& app, const Actor& actor, const std::string& name, std::int64_t year_id) {
  require(actor, "classes.manage");
  auto y = app.db->read_result<std::optional<db::YearRow>>([&](db::Tx& t) { return db::years::by_id(t, year_id); });
  if (!y) fail(ErrorKind::not_found, "no_such_year", "no such academic year");
  return create_class(app, actor, name, y->year);
}

Paged<db::ClassRow> find_classes(App& app, const Actor& actor, const ClassFilter& filter, Page page) {
  page = clamp_page(page);
  std::string q = text::to_lower(text::trim_copy(filter.q));
  Paged<db::ClassRow> out;
  out.page = page;
  std::int64_t seen = 0;
  for (auto& c : list_classes(app, actor)) {
    if (filter.academic_year_id && c.academic_year_id != filter.academic_year_id) continue;
    if (!q.empty() && text::to_lower(c.name).find(q) == std::string::npos) continue;
    if (seen >= page.offset && static_cast<int>(out.items.size()) < page.limit) out.items.push_back(std::move(c));
    ++seen;
  }
  out.total = seen;
  return out;
}

RolloverResult rollover_class(App& app, const Actor& actor, std::int64_t class_id, const std::string& to_name_in,
                              bool graduate) {
  require(actor, "classes.manage");
  std::string to_name;
  if (!graduate) to_name = to_name_in.empty() ? std::string() : validate_class_name(to_name_in);
  return app.db->tx_result<RolloverResult>([&](db::Tx& t) {
    RolloverResult res;
    auto from = db::classes::by_id(t, class_id);
    if (!from) fail(ErrorKind::not_found, "no_such_class", "no such class");
    res.from = *from;
    std::int64_t now = now_unix();
    if (!graduate) {
      auto next = db::years::next_after(t, from->year);
      if (!next)
        fail(ErrorKind::invalid, "no_next_year",
             "create next year first: there is no year after " + std::to_string(from->year));
      std::string name = to_name.empty() ? from->name : to_name;
      auto to = db::classes::by_name_year(t, name, next->year);
      if (!to) {
        db::ClassRow c;
        c.id = db::classes::insert(t, name, next->year, now);
        to = db::classes::by_id(t, c.id);
        audit(t, actor, "class.create", "class", std::to_string(to->id),
              "name=" + name + " year=" + std::to_string(next->year) + " (rollover)");
      }
      res.to = *to;
    }
    for (const auto& s : db::classes::students(t, class_id)) {
      auto p = db::people::by_id(t, s.id);
      if (!p || !p->active || p->status != PersonStatus::active) {
        ++res.skipped;
        continue;
      }
      if (graduate) {
        p->status = PersonStatus::graduated;
        db::people::update(t, *p, now);
        ++res.graduated;
      } else if (db::classes::is_enrolled(t, res.to->id, s.id)) {
        ++res.already;
      } else {
        db::classes::enrol(t, res.to->id, s.id, now);
        ++res.promoted;
      }
    }
    db::rollovers::record(t, class_id, res.to ? res.to->id : 0, res.promoted, res.graduated, actor.id, now);
    audit(t, actor, "class.rollover", "class", std::to_string(class_id),
          (res.to ? "to=" + std::to_string(res.to->id) : std::string("graduated")) +
              " promoted=" + std::to_string(res.promoted) + " graduated=" + std::to_string(res.graduated) +
              " skipped=" + std::to_string(res.skipped));
    return res;
  });
}

}  // namespace sy::services
