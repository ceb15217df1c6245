#pragma once
// CSV import, one engine for every kind (students with guardians and contacts, staff, classes,
// enrolments, subjects; other parts register theirs, e.g. timetable slots). Every import is run
// in full inside a transaction that is rolled back — the dry run, with a report per row
// (created / updated / unchanged / error and why) — and only when no row has an error is it run
// again for real: all or nothing. Rows are matched by admission number / username / name, so
// importing the same file twice changes nothing the second time.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/school_csv.h"

namespace sy::services {

struct ImportColumn {
  std::string name;
  std::string help;  // one line for the page and the docs
};

// One data row: cells by column name (trimmed; the export's formula guard undone).
struct ImportRow {
  int line = 0;
  std::map<std::string, std::string> cells;
  // "" when the column is absent or the cell empty.
  const std::string& get(const std::string& column) const;
};

struct RowReport {
  int line = 0;
  std::string key;      // what the row is about ("nia", "7A 2026", "Maths")
  std::string outcome;  // created | updated | unchanged | error
  std::string message;  // what was (or would be) done, or why the row is refused
};

struct ImportReport {
  std::string kind;
  bool dry_run = true;
  bool committed = false;
  std::vector<RowReport> rows;
  int created = 0, updated = 0, unchanged = 0, errors = 0;
  // Accounts created, with their generated passwords (shown once; empty on a dry run).
  std::vector<ImportedAccount> accounts;
  // Totals some kinds keep (students: classes_created, enrolments, guardian_links).
  std::map<std::string, int> totals;
  // "line N: why" of the first error, "" when none.
  std::string first_error() const;
};

// What an importer gets while it runs (twice: planning, then for real).
class ImportSession {
 public:
  db::Tx& tx;
  const Actor& actor;
  const bool planning;  // true in the rolled-back pass: no password hashing, nothing kept
  const std::int64_t now;
  ImportReport& report;

  // An account with a generated password (hashed before the write pass), listed in the report.
  std::int64_t create_account(const std::string& username, const std::string& role, const std::string& full_name);
  // Audited as part of the import (" via=import" appended).
  void audit(const std::string& action, const std::string& entity_type, const std::string& entity_id,
             const std::string& detail);
  // Runs fn for each row with a fresh RowReport (key preset by the caller inside fn); an AppError
  // thrown by fn becomes that row's error; the outcome defaults to "unchanged".
  void each(const std::vector<ImportRow>& rows, const std::function<void(const ImportRow&, RowReport&)>& fn);

  ImportSession(db::Tx& t, const Actor& a, bool plan, std::int64_t n, ImportReport& r,
                std::map<std::string, std::pair<std::string, std::string>>& pw,
                const std::function<void(std::size_t, std::size_t)>& progress)
      : tx(t), actor(a), planning(plan), now(n), report(r), passwords_(pw), progress_(progress) {}

 private:
  // username → (password, hash); filled from the planning pass, hashed before the write pass.
  std::map<std::string, std::pair<std::string, std::string>>& passwords_;
  const std::function<void(std::size_t, std::size_t)>& progress_;
};

struct Importer {
  std::string kind;                   // "students", the CLI's KIND and the route's {kind}
  std::string title;                  // "Students with guardians"
  std::vector<ImportColumn> columns;  // every column the kind understands, in a sensible order
  std::vector<std::string> required;  // columns the header must have
  std::vector<std::string> any_of;    // the header must have at least one of these (if any)
  std::vector<std::string> actions;   // permissions the actor needs (school-wide)
  std::function<void(ImportSession&, const std::vector<ImportRow>&)> run;
};

// Adds (or replaces) an importer. Call at start-up.
void register_importer(Importer importer);
// Every importer, built-in ones first.
std::vector<Importer> importers();
// nullptr-free lookup: AppError 404 unknown_import_kind.
Importer importer_for(const std::string& kind);

// Progress: (rows done, rows total), called from the calling thread during both passes.
using ImportProgress = std::function<void(std::size_t, std::size_t)>;

// The whole import. A file that is not CSV, has an unknown or missing column or too many rows is
// AppError 422 invalid_csv naming the line (nothing to report per row). Otherwise the report:
// with dry_run, or when any row has an error, nothing is written (committed=false).
ImportReport run_import(App& app, const Actor& actor, const std::string& kind, std::string_view csv, bool dry_run,
                        const ImportProgress& progress = {});
// The same with an importer that is not registered (e.g. one bound to a single assessment).
ImportReport run_import(App& app, const Actor& actor, const Importer& importer, std::string_view csv, bool dry_run,
                        const ImportProgress& progress = {});

}  // namespace sy::services
