// Import kinds for people: students (with classes, guardians and contacts) and staff.
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/people_repo.h"
#include "db/school_repo.h"
#include "services/import_kinds.h"
#include "services/people.h"
#include "services/permissions.h"
#include "services/school.h"
#include "services/users.h"

namespace sy::services {

namespace {

[[noreturn]] void row_error(const std::string& msg) { fail(ErrorKind::invalid, "invalid_row", msg); }

std::string check_name(const std::string& name, const std::string& column) {
  if (text::utf8_length(name) > 200 ||
      std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    row_error(column + " must have at most 200 characters and no control characters");
  return name;
}

// Applies the contact cells (empty = leave as is) to p; true when anything changed.
bool apply_contacts(db::ProfileRow& p, const std::string& email, const std::string& phone, const std::string& lang) {
  bool changed = false;
  auto set = [&](std::string& field, const std::string& v) {
    if (!v.empty() && field != v) {
      field = v;
      changed = true;
    }
  };
  set(p.email, email);
  set(p.phone, phone);
  set(p.preferred_language, lang);
  return changed;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// One guardian's cells with a prefix ("guardian_" or "guardian2_"), validated.
struct GuardianCells {
  std::string username, full_name, email, phone, language;
  bool any() const {
    return !username.empty() || !full_name.empty() || !email.empty() || !phone.empty() || !language.empty();
  }
};

GuardianCells guardian_cells(const ImportRow& row, const std::string& prefix) {
  GuardianCells g;
  g.username = row.get(prefix + "username");
  g.full_name = check_name(row.get(prefix + "full_name"), prefix + "full_name");
  g.email = validate_email(row.get(prefix + "email"));
  g.phone = validate_phone(row.get(prefix + "phone"));
  g.language = validate_language(row.get(prefix + "language"));
  if (g.any() && g.username.empty())
    row_error(prefix + "username is required when other " + prefix + " cells are given");
  check_username(g.username, prefix + "username");
  return g;
}

// State across the rows of one run: which usernames the file uses in which role, and the names
// it gives them, so contradictions inside the file are errors too.
struct FileState {
  std::map<std::string, std::pair<std::string, int>> role_of;  // username → (role, first line)
  std::map<std::string, std::pair<std::string, int>> name_of;  // student → (full name, first line)
  std::set<std::string> created;
};

void claim_role(FileState& st, const std::string& username, const std::string& role, int line) {
  auto [it, inserted] = st.role_of.try_emplace(username, role, line);
  if (!inserted && it->second.first != role)
    row_error("'" + username + "' is used both as a " + it->second.first + " and as a " + role);
}

// The existing account when it has that role and is active; nullopt when there is none.
std::optional<db::ProfileRow> existing_with_role(db::Tx& t, const std::string& username, const std::string& role) {
  auto p = db::people::by_username(t, username);
  if (!p) return std::nullopt;
  if (to_string(p->role) != role)
    row_error("'" + username + "' already exists with the role " + to_string(p->role) + " (expected " + role + ")");
  if (!p->active) row_error("'" + username + "' exists but is deactivated");
  return p;
}

// Finds or creates a guardian from the cells, links them to the student; notes what happened.
void guardian_for(ImportSession& s, FileState& st, const GuardianCells& g, std::int64_t student_id,
                  const std::string& student_username, int line, std::vector<std::string>& did, bool& changed) {
  if (g.username.empty()) return;
  if (g.username == student_username) row_error("a student cannot be their own guardian");
  claim_role(st, g.username, "guardian", line);
  auto p = existing_with_role(s.tx, g.username, "guardian");
  std::int64_t gid = 0;
  if (!p) {
    gid = s.create_account(g.username, "guardian", g.full_name);
    st.created.insert(g.username);
    auto fresh = *db::people::by_id(s.tx, gid);
    if (apply_contacts(fresh, g.email, g.phone, g.language)) db::people::update(s.tx, fresh, s.now);
    did.push_back("guardian " + g.username + " created");
    s.report.totals["guardians_created"]++;
    changed = true;
  } else {
    gid = p->id;
    bool upd = apply_contacts(*p, g.email, g.phone, g.language);
    if (!g.full_name.empty() && p->full_name != g.full_name) {
      p->full_name = g.full_name;
      upd = true;
    }
    if (upd) {
      db::people::update(s.tx, *p, s.now);
      s.audit("user.update_profile", "user", std::to_string(gid), "fields=import");
      did.push_back("guardian " + g.username + " updated");
      changed = true;
    }
  }
  if (!db::guardians::linked(s.tx, gid, student_id)) {
    db::guardians::link(s.tx, gid, student_id, s.now);
    s.audit("guardian.link", "user", std::to_string(student_id), "guardian_id=" + std::to_string(gid));
    s.report.totals["guardian_links"]++;
    did.push_back("linked to guardian " + g.username);
    changed = true;
  }
}

void run_students(ImportSession& s, const std::vector<ImportRow>& rows) {
  FileState st;
  s.report.totals = {{"classes_created", 0}, {"enrolments", 0}, {"guardian_links", 0}, {"guardians_created", 0}};
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    // Validate every cell before looking anything up.
    std::string username = row.get("username");
    std::string adm = validate_admission_no(row.get("admission_no"));
    rep.key = !username.empty() ? username : adm;
    if (username.empty() && adm.empty()) row_error("username or admission_no is required");
    check_username(username, "username");
    std::string full_name = check_name(row.get("full_name"), "full_name");
    std::string dob = validate_birth_date(row.get("date_of_birth"));
    std::optional<PersonStatus> status;
    if (!row.get("status").empty() && !(status = parse_person_status(row.get("status"))))
      row_error("status must be active, left or graduated");
    std::string email = validate_email(row.get("email"));
    std::string phone = validate_phone(row.get("phone"));
    std::string lang = validate_language(row.get("preferred_language"));
    std::string class_name = row.get("class_name"), year_cell = row.get("year");
    if (class_name.empty() != year_cell.empty()) row_error("class_name and year go together (both or neither)");
    int year = 0;
    if (!year_cell.empty()) {
      year = parse_year(year_cell);
      class_name = validate_class_name(class_name);
    }
    GuardianCells g1 = guardian_cells(row, "guardian_"), g2 = guardian_cells(row, "guardian2_");

    // Find the student: by admission number first, then by username.
    std::optional<db::ProfileRow> p;
    if (!adm.empty()) {
      p = db::people::by_admission_no(s.tx, adm);
      if (p && !username.empty() && p->username != username)
        row_error("admission number " + adm + " belongs to '" + p->username + "', not '" + username + "'");
    }
    if (!p && !username.empty()) {
      p = db::people::by_username(s.tx, username);
      if (p && !adm.empty() && !p->admission_no.empty() && p->admission_no != adm)
        row_error("'" + username + "' has admission number " + p->admission_no + ", not " + adm);
    }
    if (p) {
      username = p->username;
      rep.key = username;
      if (p->role != sy::Role::student)
        row_error("'" + username + "' already exists with the role " + to_string(p->role) + " (expected student)");
      if (!p->active) row_error("'" + username + "' exists but is deactivated");
    }
    claim_role(st, username.empty() ? "#" + adm : username, "student", row.line);
    if (!full_name.empty()) {
      auto [it, inserted] = st.name_of.try_emplace(username, full_name, row.line);
      if (!inserted && it->second.first != full_name)
        row_error("'" + username + "' has a different full_name on line " + std::to_string(it->second.second));
    }

    std::vector<std::string> did;
    bool created = false, changed = false;
    if (!p) {
      if (username.empty()) row_error("no student has admission number " + adm + "; a new student needs a username");
      if (full_name.empty()) row_error("full_name is required for a new student ('" + username + "')");
      auto id = s.create_account(username, "student", full_name);
      st.created.insert(username);
      p = *db::people::by_id(s.tx, id);
      created = true;
      did.push_back("student created");
    }
    db::ProfileRow before = *p;
    if (!full_name.empty()) p->full_name = full_name;
    if (!adm.empty()) p->admission_no = adm;
    if (!dob.empty()) p->date_of_birth = dob;
    if (status) p->status = *status;
    apply_contacts(*p, email, phone, lang);
    bool profile_changed = before.full_name != p->full_name || before.admission_no != p->admission_no ||
                           before.date_of_birth != p->date_of_birth || before.status != p->status ||
                           before.email != p->email || before.phone != p->phone ||
                           before.preferred_language != p->preferred_language;
    if (profile_changed) {
      if (!p->admission_no.empty() && p->admission_no != before.admission_no)
        if (auto other = db::people::by_admission_no(s.tx, p->admission_no); other && other->id != p->id)
          row_error("admission number " + p->admission_no + " belongs to '" + other->username + "'");
      db::people::update(s.tx, *p, s.now);
      if (!created) {
        s.audit("user.update_profile", "user", std::to_string(p->id), "fields=import");
        did.push_back("details updated");
        changed = true;
      }
    }
    if (!class_name.empty()) {
      auto c = db::classes::by_name_year(s.tx, class_name, year);
      if (!c) {
        db::ClassRow nc;
        nc.id = db::classes::insert(s.tx, class_name, year, s.now);
        c = db::classes::by_id(s.tx, nc.id);
        s.audit("class.create", "class", std::to_string(c->id), "name=" + class_name + " year=" + std::to_string(year));
        s.report.totals["classes_created"]++;
        did.push_back("class " + class_name + " (" + std::to_string(year) + ") created");
      }
      if (!db::classes::is_enrolled(s.tx, c->id, p->id)) {
        db::classes::enrol(s.tx, c->id, p->id, s.now);
        s.audit("class.enrol", "class", std::to_string(c->id), "student_id=" + std::to_string(p->id));
        s.report.totals["enrolments"]++;
        did.push_back("enrolled in " + class_name + " (" + std::to_string(year) + ")");
        changed = true;
      }
    }
    guardian_for(s, st, g1, p->id, username, row.line, did, changed);
    guardian_for(s, st, g2, p->id, username, row.line, did, changed);
    rep.outcome = created ? "created" : changed ? "updated" : "unchanged";
    rep.message = join(did);
  });
}

void run_staff(ImportSession& s, const std::vector<ImportRow>& rows) {
  std::set<std::string> seen;
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    std::string username = row.get("username");
    rep.key = username;
    if (username.empty()) row_error("username is required");
    check_username(username, "username");
    std::string full_name = check_name(row.get("full_name"), "full_name");
    std::string role = row.get("role").empty() ? "teacher" : text::to_lower(row.get("role"));
    if (role != "teacher" && role != "admin") row_error("role must be teacher or admin");
    if (!can_grant_role(s.actor, *parse_role(role)))
      row_error("you may not create or change accounts with the role " + role);
    std::string email = validate_email(row.get("email"));
    std::string phone = validate_phone(row.get("phone"));
    std::string lang = validate_language(row.get("preferred_language"));
    if (!seen.insert(username).second) row_error("'" + username + "' appears on an earlier line");
    auto p = existing_with_role(s.tx, username, role);
    if (!p) {
      if (full_name.empty()) row_error("full_name is required for a new account ('" + username + "')");
      auto id = s.create_account(username, role, full_name);
      auto fresh = *db::people::by_id(s.tx, id);
      if (apply_contacts(fresh, email, phone, lang)) db::people::update(s.tx, fresh, s.now);
      rep.outcome = "created";
      rep.message = role + " created";
      return;
    }
    bool changed = apply_contacts(*p, email, phone, lang);
    if (!full_name.empty() && p->full_name != full_name) {
      p->full_name = full_name;
      changed = true;
    }
    if (changed) {
      db::people::update(s.tx, *p, s.now);
      s.audit("user.update_profile", "user", std::to_string(p->id), "fields=import");
      rep.outcome = "updated";
      rep.message = "details updated";
    }
  });
}

}  // namespace

void check_username(const std::string& username, const std::string& column) {
  if (!username.empty() && !valid_username(username))
    row_error(column + " must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-'");
}

int parse_year(const std::string& year) {
  if (year.empty() || year.size() > 4 ||
      !std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; }))
    row_error("year must be a whole number from 1 to 9999");
  int y = std::stoi(year);
  validate_class_year(y);
  return y;
}

Importer students_importer() {
  Importer i;
  i.kind = "students";
  i.title = "Students with classes, guardians and contacts";
  i.columns = {
      {"username", "the student's login (new students need one); matched when there is no admission number"},
      {"admission_no", "the school's admission number; matched first"},
      {"full_name", "required for a new student"},
      {"date_of_birth", "YYYY-MM-DD"},
      {"status", "active, left or graduated"},
      {"email", "the student's email"},
      {"phone", "the student's phone"},
      {"preferred_language", "e.g. en, fr, pt-BR"},
      {"class_name", "enrol in this class (with year; created when missing)"},
      {"year", "the class's year, e.g. 2026"},
      {"guardian_username", "a guardian's login: created when missing, linked to the student"},
      {"guardian_full_name", "the guardian's name"},
      {"guardian_email", "the guardian's email (absence alerts go there)"},
      {"guardian_phone", "the guardian's phone"},
      {"guardian_language", "the guardian's preferred language"},
      {"guardian2_username", "a second guardian (same columns with guardian2_)"},
      {"guardian2_full_name", ""},
      {"guardian2_email", ""},
      {"guardian2_phone", ""},
      {"guardian2_language", ""},
  };
  i.any_of = {"username", "admission_no"};
  i.actions = {"users.manage", "classes.manage"};
  i.run = run_students;
  return i;
}

Importer staff_importer() {
  Importer i;
  i.kind = "staff";
  i.title = "Staff (teachers and admins)";
  i.columns = {{"username", "login; matched"},
               {"full_name", "required for a new account"},
               {"role", "teacher (default) or admin"},
               {"email", ""},
               {"phone", ""},
               {"preferred_language", "e.g. en, fr, pt-BR"}};
  i.required = {"username"};
  i.actions = {"users.manage"};
  i.run = run_staff;
  return i;
}

}  // namespace sy::services
