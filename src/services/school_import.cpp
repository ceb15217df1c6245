#include "services/school_import.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/import_kinds.h"
#include "services/marks.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

[[noreturn]] void csv_error(int line, const std::string& msg) {
  fail(ErrorKind::invalid, "invalid_csv", "line " + std::to_string(line) + ": " + msg);
}

// Undo the export's formula guard, so an exported file re-imports unchanged.
std::string unguard(std::string s) {
  if (s.size() >= 2 && s[0] == '\'' && std::string_view("=+-@\t\r").find(s[1]) != std::string_view::npos) s.erase(0, 1);
  return s;
}

// Thrown at the end of the planning pass so the transaction rolls back.
struct PlanDone {};

std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}

std::vector<Importer>& registry() {
  static std::vector<Importer> list = {students_importer(),   staff_importer(),    classes_importer(),
                                       enrolments_importer(), subjects_importer(), timetable_importer(),
                                       marks_importer()};
  return list;
}

std::vector<ImportRow> parse_rows(const Importer& imp, std::string_view csv) {
  auto records = parse_csv(csv);
  std::string expected;
  for (const auto& c : imp.columns) expected += (expected.empty() ? "" : ",") + c.name;
  if (records.empty()) csv_error(1, "missing header; the columns are " + expected);
  std::vector<std::string> header;
  std::set<std::string> seen;
  for (const auto& f : records[0].fields) {
    std::string name = text::to_lower(text::trim(f, text::kSpaceTab));
    bool known = std::any_of(imp.columns.begin(), imp.columns.end(), [&](const auto& c) { return c.name == name; });
    if (!known) csv_error(records[0].line, "unknown column '" + name + "'; the columns are " + expected);
    if (!seen.insert(name).second) csv_error(records[0].line, "column '" + name + "' appears twice");
    header.push_back(name);
  }
  for (const auto& r : imp.required)
    if (!seen.count(r)) csv_error(records[0].line, "the header needs the column '" + r + "'");
  if (!imp.any_of.empty() &&
      std::none_of(imp.any_of.begin(), imp.any_of.end(), [&](const auto& c) { return seen.count(c) > 0; })) {
    std::string names;
    for (const auto& c : imp.any_of) names += (names.empty() ? "'" : " or '") + c + "'";
    csv_error(records[0].line, "the header needs the column " + names);
  }
  if (records.size() - 1 > kImportMaxRows)
    csv_error(records[kImportMaxRows + 1].line, "too many rows (at most " + std::to_string(kImportMaxRows) + ")");
  std::vector<ImportRow> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& rec = records[i];
    if (rec.fields.size() != header.size())
      csv_error(rec.line,
                "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(rec.fields.size()));
    ImportRow row;
    row.line = rec.line;
    for (std::size_t c = 0; c < header.size(); ++c)
      row.cells[header[c]] = unguard(text::trim_copy(rec.fields[c], text::kSpaceTab));
    rows.push_back(std::move(row));
  }
  return rows;
}

void tally(ImportReport& r) {
  r.created = r.updated = r.unchanged = r.errors = 0;
  for (const auto& row : r.rows) {
    if (row.outcome == "created")
      ++r.created;
    else if (row.outcome == "updated")
      ++r.updated;
    else if (row.outcome == "error")
      ++r.errors;
    else
      ++r.unchanged;
  }
}

}  // namespace

const std::string& ImportRow::get(const std::string& column) const {
  static const std::string empty;
  auto it = cells.find(column);
  return it == cells.end() ? empty : it->second;
}

std::string ImportReport::first_error() const {
  for (const auto& r : rows)
    if (r.outcome == "error") return "line " + std::to_string(r.line) + ": " + r.message;
  return "";
}

std::int64_t ImportSession::create_account(const std::string& username, const std::string& role,
                                           const std::string& full_name) {
  if (db::users::by_username(tx, username))
    fail(ErrorKind::conflict, "username_taken", "'" + username + "' was just created by someone else");
  auto& pw = passwords_[username];
  if (pw.first.empty()) pw.first = generate_password();
  // Planning never commits, so it needs no real hash; a write pass that meets an account the
  // planning pass did not (the data changed in between) hashes it here.
  if (!planning && pw.second.empty()) pw.second = hash_password(pw.first);
  db::UserRow u;
  u.username = username;
  u.password_hash = planning ? "!planning" : pw.second;
  u.role = parse_role(role).value();
  u.full_name = full_name;
  u.created_at = u.updated_at = now;
  u.id = db::users::insert(tx, u);
  report.accounts.push_back({u.id, username, u.role, pw.first});
  services::audit(tx, actor, "user.create", "user", std::to_string(u.id),
                  "role=" + role + " username=" + username + " via=import");
  return u.id;
}

void ImportSession::audit(const std::string& action, const std::string& entity_type, const std::string& entity_id,
                          const std::string& detail) {
  services::audit(tx, actor, action, entity_type, entity_id, detail + " via=import");
}

void ImportSession::each(const std::vector<ImportRow>& rows,
                         const std::function<void(const ImportRow&, RowReport&)>& fn) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    RowReport rep;
    rep.line = rows[i].line;
    rep.outcome = "unchanged";
    try {
      fn(rows[i], rep);
    } catch (const AppError& e) {
      if (e.kind == ErrorKind::unavailable || e.kind == ErrorKind::internal) throw;
      rep.outcome = "error";
      rep.message = e.what();
    }
    report.rows.push_back(std::move(rep));
    if (progress_) progress_(i + 1, rows.size());
  }
}

void register_importer(Importer importer) {
  std::lock_guard lock(registry_mu());
  for (auto& i : registry())
    if (i.kind == importer.kind) {
      i = std::move(importer);
      return;
    }
  registry().push_back(std::move(importer));
}

std::vector<Importer> importers() {
  std::lock_guard lock(registry_mu());
  return registry();
}

Importer importer_for(const std::string& kind) {
  for (auto& i : importers())
    if (i.kind == kind) return i;
  fail(ErrorKind::not_found, "unknown_import_kind", "there is no import of kind '" + kind + "'");
}

ImportReport run_import(App& app, const Actor& actor, const std::string& kind, std::string_view csv, bool dry_run,
                        const ImportProgress& progress) {
  return run_import(app, actor, importer_for(kind), csv, dry_run, progress);
}

ImportReport run_import(App& app, const Actor& actor, const Importer& imp, std::string_view csv, bool dry_run,
                        const ImportProgress& progress) {
  const std::string& kind = imp.kind;
  for (const auto& action : imp.actions) require(actor, action);
  auto rows = parse_rows(imp, csv);
  std::map<std::string, std::pair<std::string, std::string>> passwords;

  // Pass 1: everything, in a transaction that is always rolled back. Its report is the dry run's.
  ImportReport plan;
  try {
    app.db->tx([&](db::Tx& t) {
      plan = ImportReport{};
      ImportSession s(t, actor, true, now_unix(), plan, passwords, progress);
      imp.run(s, rows);
      throw PlanDone{};
    });
  } catch (const PlanDone&) {}
  plan.kind = kind;
  plan.dry_run = dry_run;
  plan.accounts.clear();  // the passwords of a plan are never shown: they were never kept
  tally(plan);
  if (dry_run || plan.errors > 0) return plan;

  // Pass 2: hash the new accounts' passwords outside the transaction, then the same run for real.
  std::vector<std::string> names, plain;
  for (const auto& [name, pw] : passwords) {
    names.push_back(name);
    plain.push_back(pw.first);
  }
  auto hashes = hash_passwords(plain);
  for (std::size_t i = 0; i < names.size(); ++i) passwords[names[i]].second = hashes[i];
  ImportReport done;
  app.db->tx([&](db::Tx& t) {
    done = ImportReport{};
    ImportSession s(t, actor, false, now_unix(), done, passwords, progress);
    imp.run(s, rows);
    tally(done);
    if (done.errors > 0)
      fail(ErrorKind::conflict, "import_changed",
           "the data changed while importing (" + done.first_error() + "); nothing was written, try again");
    services::audit(t, actor, "import." + kind, "import", "",
                    "rows=" + std::to_string(rows.size()) + " created=" + std::to_string(done.created) +
                        " updated=" + std::to_string(done.updated) + " unchanged=" + std::to_string(done.unchanged));
  });
  done.kind = kind;
  done.dry_run = false;
  done.committed = true;
  return done;
}

}  // namespace sy::services
