#include "services/people.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/membership_repo.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/years.h"

namespace sy::services {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string clean(const std::string& s) { return text::trim_copy(s, text::kWhitespace); }

// Who may see `target`: admin, the person, a teacher of the student (or of a guardian's child),
// a guardian of the student.
bool may_view(db::Tx& t, const Actor& a, const db::ProfileRow& target) {
  if (a.id == target.id) return true;
  if (can(a, "users.manage")) return true;
  if (target.role == sy::Role::student) return can_on_student(t, a, "people.view", target.id);
  if (target.role == sy::Role::guardian && a.role == sy::Role::teacher)
    for (const auto& child : db::guardians::children(t, target.id))
      if (db::membership::teacher_teaches_student(t, a.id, child.id)) return true;
  return false;
}

}  // namespace

std::string validate_email(const std::string& in) {
  std::string e = clean(in);
  if (e.empty()) return e;
  auto bad = [] { fail(ErrorKind::invalid, "invalid_email", "the email address is not valid (name@example.org)"); };
  if (e.size() > 254) bad();
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string::npos) bad();
  std::string local = e.substr(0, at), domain = e.substr(at + 1);
  // Dot-atom only (RFC 5322 §3.2.3): what mail servers and people actually use; no quoted locals.
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos) bad();
  for (char c : local)
    if (!is_alnum(c) && std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) == std::string_view::npos) bad();
  if (domain.empty() || domain.size() > 253) bad();
  std::size_t start = 0, labels = 0;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    std::string label = domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') bad();
    for (char c : label)
      if (!is_alnum(c) && c != '-') bad();
    ++labels;
    if (dot == std::string::npos) {
      bool alpha_tld = label.size() >= 2;
      for (char c : label) alpha_tld = alpha_tld && (is_alpha(c) || c == '-' || (c >= '0' && c <= '9'));
      if (!alpha_tld || std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; })) bad();
      break;
    }
    start = dot + 1;
  }
  if (labels < 2) bad();
  return local + "@" + text::to_lower(domain);
}

std::string validate_phone(const std::string& in) {
  std::string p = clean(in);
  if (p.empty()) return p;
  int digits = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.')
      fail(ErrorKind::invalid, "invalid_phone", "a phone number has digits, spaces, + ( ) - . only");
  }
  // E.164 allows at most 15 digits; fewer than 6 is no reachable number anywhere.
  if (digits < 6 || digits > 15 || p.size() > 32)
    fail(ErrorKind::invalid, "invalid_phone", "a phone number has 6 to 15 digits");
  return p;
}

std::string validate_language(const std::string& in) {
  std::string tag = clean(in);
  if (tag.empty()) return tag;
  auto bad = [] { fail(ErrorKind::invalid, "invalid_language", "the language must be a tag such as en, fr or pt-BR"); };
  if (tag.size() > 16) bad();
  std::string out;
  std::size_t start = 0;
  int index = 0;
  while (true) {
    auto dash = tag.find_first_of("-_", start);
    std::string sub = tag.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
    if (index == 0) {
      if (sub.size() < 2 || sub.size() > 3 || !std::all_of(sub.begin(), sub.end(), is_alpha)) bad();
      out = text::to_lower(sub);
    } else {
      if (sub.size() < 2 || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), is_alnum)) bad();
      // BCP 47 case conventions: region upper (BR), script title (Latn), others lower.
      if (sub.size() == 2 && std::all_of(sub.begin(), sub.end(), is_alpha))
        sub = text::to_upper(sub);
      else if (sub.size() == 4 && std::all_of(sub.begin(), sub.end(), is_alpha))
        sub = text::to_upper(sub.substr(0, 1)) + text::to_lower(sub.substr(1));
      else
        sub = text::to_lower(sub);
      out += "-" + sub;
    }
    ++index;
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  return out;
}

std::string validate_admission_no(const std::string& in) {
  std::string n = clean(in);
  if (n.empty()) return n;
  if (n.size() > 32) fail(ErrorKind::invalid, "invalid_admission_no", "an admission number has at most 32 characters");
  for (char c : n)
    if (!is_alnum(c) && c != '-' && c != '/' && c != '.' && c != '_')
      fail(ErrorKind::invalid, "invalid_admission_no", "an admission number has letters, digits and - / . _ only");
  return n;
}

std::string validate_birth_date(const std::string& in) {
  std::string d = clean(in);
  if (d.empty()) return d;
  validate_date(d, "date_of_birth");
  if (d > today()) fail(ErrorKind::invalid, "invalid_date", "the date of birth is in the future");
  return d;
}

PersonDetail get_person(App& app, const Actor& actor, std::int64_t user_id) {
  return app.db->read_result<PersonDetail>([&](db::Tx& t) {
    auto p = db::people::by_id(t, user_id);
    // Out of scope and missing look alike to the caller: 403 for both, no existence probing.
    if (!p || !may_view(t, actor, *p)) {
      if (!p && can(actor, "users.manage")) fail(ErrorKind::not_found, "no_such_user", "no such user");
      deny(actor, "people.view", "user " + std::to_string(user_id));
    }
    PersonDetail d;
    d.person = *p;
    bool full = can(actor, "users.manage") || actor.id == p->id;
    if (p->role == sy::Role::student) {
      d.guardians = db::people::guardians_of(t, p->id);
      d.classes = db::classes::for_student(t, p->id);
    } else if (p->role == sy::Role::guardian && full) {
      for (const auto& c : db::guardians::children(t, p->id))
        if (auto cp = db::people::by_id(t, c.id)) d.children.push_back(*cp);
    } else if (p->role == sy::Role::teacher) {
      d.classes = db::classes::for_teacher(t, p->id);
    }
    return d;
  });
}

db::ProfileRow update_person(App& app, const Actor& actor, std::int64_t user_id, const PersonInput& in) {
  bool admin = can(actor, "users.manage");
  bool self = actor.id == user_id && actor.id > 0;
  if (!admin && !self) deny(actor, "users.manage", "user " + std::to_string(user_id));
  if (!admin && (in.full_name || in.admission_no || in.date_of_birth || in.status))
    deny(actor, "users.manage", "identity fields of user " + std::to_string(user_id));
  // Validate everything before touching the database: one bad field changes nothing.
  PersonInput v = in;
  if (v.full_name) {
    v.full_name = clean(*v.full_name);
    if (v.full_name->empty() || text::utf8_length(*v.full_name) > 200 || !text::valid_utf8(*v.full_name))
      fail(ErrorKind::invalid, "invalid_full_name", "the full name must have 1 to 200 characters");
    for (unsigned char c : *v.full_name)
      if (c < 0x20 || c == 0x7f) fail(ErrorKind::invalid, "invalid_full_name", "the full name has control characters");
  }
  if (v.admission_no) v.admission_no = validate_admission_no(*v.admission_no);
  if (v.date_of_birth) v.date_of_birth = validate_birth_date(*v.date_of_birth);
  std::optional<PersonStatus> status;
  if (v.status && !(status = parse_person_status(*v.status)))
    fail(ErrorKind::invalid, "invalid_status", "status must be active, left or graduated");
  if (v.email) v.email = validate_email(*v.email);
  if (v.phone) v.phone = validate_phone(*v.phone);
  if (v.preferred_language) v.preferred_language = validate_language(*v.preferred_language);
  return app.db->tx_result<db::ProfileRow>([&](db::Tx& t) {
    auto p = db::people::by_id(t, user_id);
    if (!p) fail(ErrorKind::not_found, "no_such_user", "no such user");
    db::ProfileRow before = *p;
    if (v.admission_no && !v.admission_no->empty()) {
      if (p->role != sy::Role::student)
        fail(ErrorKind::invalid, "not_a_student", "only students have an admission number");
      if (auto other = db::people::by_admission_no(t, *v.admission_no); other && other->id != p->id)
        fail(ErrorKind::conflict, "admission_no_taken", "another student has admission number " + *v.admission_no);
    }
    if (v.full_name) p->full_name = *v.full_name;
    if (v.admission_no) p->admission_no = *v.admission_no;
    if (v.date_of_birth) p->date_of_birth = *v.date_of_birth;
    if (status) p->status = *status;
    if (v.email) p->email = *v.email;
    if (v.phone) p->phone = *v.phone;
    if (v.preferred_language) p->preferred_language = *v.preferred_language;
    if (v.email_opt_out) p->email_opt_out = *v.email_opt_out;
    db::people::update(t, *p, now_unix());
    // Which fields changed, not their values: contact details stay out of the audit log.
    std::string changed;
    auto note = [&](const char* name, bool differs) {
      if (differs) changed += std::string(changed.empty() ? "" : ",") + name;
    };
    note("full_name", before.full_name != p->full_name);
    note("admission_no", before.admission_no != p->admission_no);
    note("date_of_birth", before.date_of_birth != p->date_of_birth);
    note("status", before.status != p->status);
    note("email", before.email != p->email);
    note("phone", before.phone != p->phone);
    note("preferred_language", before.preferred_language != p->preferred_language);
    note("email_opt_out", before.email_opt_out != p->email_opt_out);
    audit(t, actor, "user.update_profile", "user", std::to_string(user_id),
          "fields=" + (changed.empty() ? std::string("none") : changed) +
              (before.status != p->status ? " status=" + to_string(p->status) : ""));
    return *p;
  });
}

Paged<db::ProfileRow> search_people(App& app, const Actor& actor, const db::PeopleFilter& filter, Page page) {
  require(actor, "users.manage");
  page = clamp_page(page);
  return app.reader().read_result<Paged<db::ProfileRow>>([&](db::Tx& t) {
    Paged<db::ProfileRow> out;
    out.page = page;
    out.total = db::people::count(t, filter);
    out.items = db::people::search(t, filter, page.limit, page.offset);
    return out;
  });
}

Paged<db::ProfileRow> class_students(App& app, const Actor& actor, std::int64_t class_id, db::PeopleFilter filter,
                                     Page page) {
  page = clamp_page(page);
  filter.class_id = class_id;
  filter.role = Role::student;
  return app.db->read_result<Paged<db::ProfileRow>>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "classes.view", class_id))
      deny(actor, "classes.view", "class " + std::to_string(class_id));
    if (!db::classes::by_id(t, class_id)) fail(ErrorKind::not_found, "no_such_class", "no such class");
    Paged<db::ProfileRow> out;
    out.page = page;
    out.total = db::people::count(t, filter);
    out.items = db::people::search(t, filter, page.limit, page.offset);
    auto scope = scope_for(actor.role, "classes.view");
    if (scope != Scope::school && scope != Scope::own_classes)
      for (auto& p : out.items)
        p = db::ProfileRow{p.id, "", p.role, p.full_name, p.active, "", "", PersonStatus::active, "", "", "", false};
    return out;
  });
}

std::vector<db::ProfileRow> guardian_recipients(App& app, std::int64_t student_id, bool essential) {
  return app.db->read_result<std::vector<db::ProfileRow>>([&](db::Tx& t) {
    std::vector<db::ProfileRow> out;
    for (auto& g : db::people::guardians_of(t, student_id))
      if (!g.email.empty() && (essential || !g.email_opt_out)) out.push_back(std::move(g));
    return out;
  });
}

}  // namespace sy::services
