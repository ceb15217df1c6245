#pragma once
// CSV import of students (with classes and guardians) and CSV export of rosters (RFC 4180).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

constexpr const char* kImportHeader = "username,full_name,class_name,year,guardian_username";
constexpr std::size_t kImportMaxRows = 2000;
// Request body limit of the import routes: 2000 rows, url-encoded in the HTML form.
constexpr std::size_t kImportMaxBytes = 2 * 1024 * 1024;

struct CsvRecord {
  int line = 0;  // physical line where the record starts (1 = header)
  std::vector<std::string> fields;
};

// RFC 4180 with LF or CRLF line ends and an optional UTF-8 BOM. Malformed quoting and invalid
// UTF-8 are AppError 422 invalid_csv "line N: ...". Blank lines are skipped.
std::vector<CsvRecord> parse_csv(std::string_view text);
// One cell: quoted when needed ("" for a quote), and a leading = + - @ (or tab/CR) prefixed with
// ' so spreadsheets never evaluate it as a formula.
std::string csv_cell(std::string_view value);
std::string csv_line(const std::vector<std::string>& cells);  // cells + "\r\n"

// Argon2id is slow by design (tens of ms each): imports hash new accounts' passwords before their
// write transaction, on a few threads. Hashes in the order given.
std::vector<std::string> hash_passwords(const std::vector<std::string>& passwords);

struct ImportedAccount {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::anonymous;
  std::string password;  // generated; shown once
};

struct ImportResult {
  int rows = 0;
  std::vector<ImportedAccount> created;
  std::vector<db::ClassRow> classes_created;
  int enrolments = 0;      // new enrolments (already enrolled rows are no-ops)
  int guardian_links = 0;  // new links
};

// Admin (users.manage and classes.manage). Header exactly kImportHeader. For each row: the student
// is created (full_name required) unless that username already is a student; the class
// (class_name + year, both or neither) is created when missing and the student enrolled; the
// guardian is created when missing (no name) and linked. All-or-nothing in one transaction;
// errors are 422 invalid_csv naming the line. Re-importing the same file changes nothing.
ImportResult import_students(App& app, const Actor& actor, std::string_view csv);

// classes.manage: "student_id,username,full_name,consent" for the class.
std::string roster_csv(App& app, const Actor& actor, std::int64_t class_id);
// users.manage: every student in the import format (one row per class; guardians joined by ';'
// would not re-import, so one row per guardian as well), so an export re-imports cleanly.
std::string students_csv(App& app, const Actor& actor);

}  // namespace sy::services
