#include "services/school_csv.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/permissions.h"
#include "services/school.h"
#include "services/users.h"

namespace sy::services {

namespace {

[[noreturn]] void csv_error(int line, const std::string& msg) {
  fail(ErrorKind::invalid, "invalid_csv", "line " + std::to_string(line) + ": " + msg);
}

// Offset of the first byte that is not valid UTF-8, or a NUL (never wanted in a CSV), or npos.
std::size_t invalid_text_at(std::string_view s) { return std::min(text::invalid_utf8_at(s), s.find('\0')); }

int line_at(std::string_view s, std::size_t offset) {
  return 1 + static_cast<int>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// Undo the export's formula guard, so an exported roster re-imports unchanged.
std::string unguard(std::string s) {
  if (s.size() >= 2 && s[0] == '\'' && std::string_view("=+-@\t\r").find(s[1]) != std::string_view::npos) s.erase(0, 1);
  return s;
}

struct Row {
  int line = 0;
  std::string username, full_name, class_name, guardian;
  int year = 0;
};

std::vector<Row> parse_rows(std::string_view csv) {
  auto records = parse_csv(csv);
  if (records.empty()) csv_error(1, std::string("missing header; expected ") + kImportHeader);
  std::string header;
  for (std::size_t i = 0; i < records[0].fields.size(); ++i) {
    std::string f = text::to_lower(text::trim(records[0].fields[i], text::kSpaceTab));
    header += (i ? "," : "") + f;
  }
  if (header != kImportHeader) csv_error(records[0].line, std::string("expected the header ") + kImportHeader);
  if (records.size() - 1 > kImportMaxRows)
    csv_error(records[kImportMaxRows + 1].line, "too many rows (at most " + std::to_string(kImportMaxRows) + ")");
  std::vector<Row> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& rec = records[i];
    if (rec.fields.size() != 5) csv_error(rec.line, "expected 5 fields, found " + std::to_string(rec.fields.size()));
    Row r;
    r.line = rec.line;
    r.username = unguard(text::trim_copy(rec.fields[0], text::kSpaceTab));
    r.full_name = unguard(text::trim_copy(rec.fields[1], text::kSpaceTab));
    r.class_name = unguard(text::trim_copy(rec.fields[2], text::kSpaceTab));
    std::string year = text::trim_copy(rec.fields[3], text::kSpaceTab);
    r.guardian = unguard(text::trim_copy(rec.fields[4], text::kSpaceTab));
    if (!valid_username(r.username))
      csv_error(r.line, "username must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-'");
    if (r.full_name.size() > 200 ||
        std::any_of(r.full_name.begin(), r.full_name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      csv_error(r.line, "full_name must have at most 200 characters and no control characters");
    if (r.class_name.empty() != year.empty()) csv_error(r.line, "class_name and year go together (both or neither)");
    if (!year.empty()) {
      if (year.size() > 4 || !std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; }))
        csv_error(r.line, "year must be a whole number from 1 to 9999");
      r.year = std::stoi(year);
      try {
        validate_class_year(r.year);
        r.class_name = validate_class_name(r.class_name);
      } catch (const AppError& e) {
        csv_error(r.line, e.what());
      }
    }
    if (!r.guardian.empty() && !valid_username(r.guardian))
      csv_error(r.line, "guardian_username must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-'");
    if (r.guardian == r.username) csv_error(r.line, "a student cannot be their own guardian");
    rows.push_back(std::move(r));
  }
  return rows;
}

struct Account {
  int line = 0;  // first line that names it
  Role role = Role::anonymous;
  std::string full_name;
  std::optional<db::UserRow> existing;
  std::string password, hash;  // for new accounts
};

}  // namespace

std::vector<std::string> hash_passwords(const std::vector<std::string>& passwords) {
  std::vector<std::string> hashes(passwords.size());
  std::size_t n = std::min<std::size_t>(passwords.size(), std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    try {
      for (std::size_t i; (i = next++) < passwords.size();) hashes[i] = hash_password(passwords[i]);
    } catch (...) {
      std::lock_guard lock(error_mu);
      error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  return hashes;
}

std::vector<CsvRecord> parse_csv(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  if (auto bad = invalid_text_at(s); bad != std::string_view::npos) csv_error(line_at(s, bad), "not valid UTF-8 text");
  std::vector<CsvRecord> out;
  std::size_t i = 0;
  int line = 1;
  while (i < s.size()) {
    CsvRecord rec;
    rec.line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (true) {
          if (i >= s.size()) csv_error(rec.line, "a quoted field is not closed");
          char c = s[i++];
          if (c == '"') {
            if (i < s.size() && s[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n')
          csv_error(line, "unexpected text after a closing quote");
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
          if (s[i] == '"') csv_error(line, "a quote inside an unquoted field (quote the whole field)");
          field += s[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i >= s.size()) {
        end_of_record = true;
      } else if (s[i] == ',') {
        ++i;
      } else {
        if (s[i] == '\r') ++i;
        if (i < s.size() && s[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) out.push_back(std::move(rec));
  }
  return out;
}

std::string csv_cell(std::string_view v) {
  std::string s(v);
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos) s.insert(0, "'");
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
  return out + "\r\n";
}

ImportResult import_students(App& app, const Actor& actor, std::string_view csv) {
  require(actor, "users.manage");
  require(actor, "classes.manage");
  auto rows = parse_rows(csv);

  // Pass 1 (read): which accounts exist, and do they have the right role?
  std::map<std::string, Account> accounts;
  for (const auto& r : rows) {
    auto add = [&](const std::string& username, Role role, const std::string& name) {
      auto [it, inserted] = accounts.try_emplace(username);
      Account& a = it->second;
      if (inserted) {
        a.line = r.line;
        a.role = role;
        a.full_name = name;
      } else if (a.role != role) {
        csv_error(r.line, "'" + username + "' is used both as a student and as a guardian");
      } else if (role == Role::student && !name.empty() && !a.full_name.empty() && name != a.full_name) {
        csv_error(r.line, "'" + username + "' has a different full_name on line " + std::to_string(a.line));
      } else if (a.full_name.empty()) {
        a.full_name = name;
      }
    };
    add(r.username, Role::student, r.full_name);
    if (!r.guardian.empty()) add(r.guardian, Role::guardian, "");
  }
  app.db->read([&](db::Tx& t) {
    for (auto& [username, a] : accounts) {
      a.existing = db::users::by_username(t, username);
      if (!a.existing) continue;
      if (a.existing->role != a.role)
        csv_error(a.line, "'" + username + "' already exists with the role " + to_string(a.existing->role) +
                              " (expected " + to_string(a.role) + ")");
      if (!a.existing->active) csv_error(a.line, "'" + username + "' exists but is deactivated");
    }
  });
  std::vector<Account*> fresh;
  for (auto& [username, a] : accounts) {
    if (a.existing) continue;
    if (a.role == Role::student && a.full_name.empty())
      csv_error(a.line, "full_name is required for a new student ('" + username + "')");
    a.password = generate_password();
    fresh.push_back(&a);
  }
  std::vector<std::string> plain;
  for (auto* a : fresh) plain.push_back(a->password);
  auto hashes = hash_passwords(plain);
  for (std::size_t i = 0; i < fresh.size(); ++i) fresh[i]->hash = hashes[i];

  // Pass 2 (write): everything or nothing.
  ImportResult res;
  res.rows = static_cast<int>(rows.size());
  app.db->tx([&](db::Tx& t) {
    res = ImportResult{};
    res.rows = static_cast<int>(rows.size());
    std::int64_t now = now_unix();
    std::map<std::string, std::int64_t> ids;
    for (auto& [username, a] : accounts) {
      if (a.existing) {
        ids[username] = a.existing->id;
        continue;
      }
      if (db::users::by_username(t, username))
        fail(ErrorKind::conflict, "username_taken",
             "line " + std::to_string(a.line) + ": '" + username + "' was just created by someone else");
      db::UserRow u;
      u.username = username;
      u.password_hash = a.hash;
      u.role = a.role;
      u.full_name = a.full_name;
      u.created_at = u.updated_at = now;
      u.id = db::users::insert(t, u);
      ids[username] = u.id;
      res.created.push_back({u.id, username, a.role, a.password});
      audit(t, actor, "user.create", "user", std::to_string(u.id),
            "role=" + to_string(a.role) + " username=" + username + " via=import");
    }
    std::map<std::pair<std::string, int>, std::int64_t> class_ids;
    for (const auto& r : rows) {
      std::int64_t sid = ids.at(r.username);
      if (!r.class_name.empty()) {
        auto key = std::make_pair(r.class_name, r.year);
        auto it = class_ids.find(key);
        if (it == class_ids.end()) {
          auto c = db::classes::by_name_year(t, r.class_name, r.year);
          if (!c) {
            db::ClassRow nc;
            nc.name = r.class_name;
            nc.year = r.year;
            nc.created_at = now;
            nc.id = db::classes::insert(t, nc.name, nc.year, now);
            res.classes_created.push_back(nc);
            audit(t, actor, "class.create", "class", std::to_string(nc.id),
                  "name=" + nc.name + " year=" + std::to_string(nc.year) + " via=import");
            c = nc;
          }
          it = class_ids.emplace(key, c->id).first;
        }
        if (!db::classes::is_enrolled(t, it->second, sid)) {
          db::classes::enrol(t, it->second, sid, now);
          ++res.enrolments;
          audit(t, actor, "class.enrol", "class", std::to_string(it->second),
                "student_id=" + std::to_string(sid) + " via=import");
        }
      }
      if (!r.guardian.empty()) {
        std::int64_t gid = ids.at(r.guardian);
        if (!db::guardians::linked(t, gid, sid)) {
          db::guardians::link(t, gid, sid, now);
          ++res.guardian_links;
          audit(t, actor, "guardian.link", "user", std::to_string(sid),
                "guardian_id=" + std::to_string(gid) + " via=import");
        }
      }
    }
    audit(t, actor, "import.students", "import", "",
          "rows=" + std::to_string(res.rows) + " created=" + std::to_string(res.created.size()) +
              " enrolments=" + std::to_string(res.enrolments) + " links=" + std::to_string(res.guardian_links));
  });
  return res;
}

std::string roster_csv(App& app, const Actor& actor, std::int64_t class_id) {
  require(actor, "classes.manage");
  // Exports are snapshots: the replica serves them (a change of the last second may be missing).
  return app.reader().read_result<std::string>([&](db::Tx& t) {
    if (!db::classes::by_id(t, class_id)) not_found("no such class");
    std::string out = csv_line({"student_id", "username", "full_name", "consent"});
    for (const auto& s : db::classes::students(t, class_id))
      out += csv_line({std::to_string(s.id), s.username, s.full_name, s.consent.empty() ? "unset" : s.consent});
    return out;
  });
}

std::string students_csv(App& app, const Actor& actor) {
  require(actor, "users.manage");
  return app.reader().read_result<std::string>([&](db::Tx& t) {
    std::string out = std::string(kImportHeader) + "\r\n";
    const int page = 500;
    for (int offset = 0;; offset += page) {
      auto students = db::users::list(t, Role::student, page, offset);
      for (const auto& s : students) {
        if (!s.active) continue;
        auto classes = db::classes::for_student(t, s.id);
        auto guardians = db::guardians::guardian_usernames(t, s.id);
        std::size_t n = std::max<std::size_t>({1, classes.size(), guardians.size()});
        for (std::size_t i = 0; i < n; ++i) {
          std::string cname = i < classes.size() ? classes[i].name : "";
          std::string year = i < classes.size() ? std::to_string(classes[i].year) : "";
          out += csv_line({s.username, s.full_name, cname, year, i < guardians.size() ? guardians[i] : ""});
        }
      }
      if (static_cast<int>(students.size()) < page) break;
    }
    return out;
  });
}

}  // namespace sy::services
