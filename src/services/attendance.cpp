#include "services/attendance.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/timetable_repo.h"
#include "services/audit.h"
#include "services/mail.h"
#include "services/permissions.h"
#include "services/school_csv.h"
#include "services/school_days.h"

namespace sy::services {

namespace {

constexpr std::size_t kMaxNote = 500;

std::string class_target(std::int64_t id) { return "class " + std::to_string(id); }

db::ClassRow class_or_404(db::Tx& t, std::int64_t class_id) {
  auto c = db::classes::by_id(t, class_id);
  if (!c) not_found("no such class");
  return *c;
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

void validate_code_fields(const db::AttendanceCodeRow& c) {
  if (c.code.empty() || c.code.size() > 8 ||
      !std::all_of(c.code.begin(), c.code.end(), [](unsigned char ch) { return std::isalnum(ch); }))
    fail(ErrorKind::invalid, "invalid_code", "the code must have 1 to 8 letters or digits");
  if (c.label.empty() || text::utf8_length(c.label) > 60 || has_control(c.label))
    fail(ErrorKind::invalid, "invalid_label", "the label must have 1 to 60 characters");
  if (c.kind != "present" && c.kind != "late" && c.kind != "absent" && c.kind != "excused")
    fail(ErrorKind::invalid, "invalid_kind", "the kind must be present, late, absent or excused");
}

bool attended(const std::string& kind) { return kind == "present" || kind == "late"; }

}  // namespace

std::vector<db::AttendanceCodeRow> attendance_codes(App& app, const Actor& actor) {
  bool all = can(actor, "attendance.codes");
  return app.reader().read_result<std::vector<db::AttendanceCodeRow>>(
      [&](db::Tx& t) { return db::attendance::codes(t, !all); });
}

db::AttendanceCodeRow create_attendance_code(App& app, const Actor& actor, db::AttendanceCodeRow c) {
  require(actor, "attendance.codes");
  c.code = text::trim_copy(c.code, text::kSpaceTab);
  c.label = text::trim_copy(c.label, text::kSpaceTab);
  validate_code_fields(c);
  app.db->tx([&](db::Tx& t) {
    if (db::attendance::code_by_id(t, c.code))
      fail(ErrorKind::conflict, "code_exists", "the attendance code '" + c.code + "' exists already");
    c.sort_order = static_cast<int>(db::attendance::codes(t, false).size());
    db::attendance::insert_code(t, c);
    audit(t, actor, "attendance.code_create", "attendance_code", c.code, "kind=" + c.kind);
  });
  return c;
}

db::AttendanceCodeRow update_attendance_code(App& app, const Actor& actor, db::AttendanceCodeRow c) {
  require(actor, "attendance.codes");
  c.label = text::trim_copy(c.label, text::kSpaceTab);
  if (c.code.size() > 8) not_found("no such attendance code");
  validate_code_fields(c);
  app.db->tx([&](db::Tx& t) {
    auto old = db::attendance::code_by_id(t, c.code);
    if (!old) not_found("no such attendance code");
    // "P" is what an unmarked student is: it stays present and usable.
    if (c.code == "P" && (c.kind != "present" || !c.active))
      fail(ErrorKind::invalid, "code_locked", "the code P (present) cannot be changed to another kind or retired");
    c.sort_order = old->sort_order;
    db::attendance::update_code(t, c);
    audit(t, actor, "attendance.code_update", "attendance_code", c.code,
          "kind=" + c.kind + " active=" + (c.active ? "1" : "0"));
  });
  return c;
}

namespace {

Register load_register(db::Tx& t, const db::ClassRow& cls, const std::string& day, std::int64_t period_id) {
  Register r;
  r.cls = cls;
  r.day = day;
  r.period_id = period_id;
  std::map<std::int64_t, db::MarkRow> marks;
  if (auto row = db::attendance::find_register(t, cls.id, day, period_id)) {
    r.taken = true;
    r.row = *row;
    for (auto& m : db::attendance::marks(t, row->id)) marks[m.student_id] = m;
  }
  std::map<std::string, std::string> kinds;
  for (auto& c : db::attendance::codes(t, false)) kinds[c.code] = c.kind;
  for (auto& s : db::classes::students(t, cls.id)) {
    if (!s.active) continue;
    RegisterEntry e;
    e.student_id = s.id;
    e.full_name = s.full_name.empty() ? s.username : s.full_name;
    if (auto it = marks.find(s.id); it != marks.end()) {
      e.code = it->second.code;
      e.note = it->second.note;
      e.kind = kinds[e.code];
    }
    r.entries.push_back(e);
  }
  return r;
}

// 0 is the daily register; any other period must be one the class has on that weekday.
void check_period(db::Tx& t, std::int64_t class_id, const std::string& day, std::int64_t period_id) {
  if (period_id == 0) return;
  if (!db::timetable::slot_of_class(t, class_id, iso_weekday(day), period_id))
    not_found("the class has no lesson in that period on " + day);
}

// The absence email to each active guardian, in the register's transaction (the outbox): sent by
// the job queue after the commit, retried there, never from this request. The dedupe key makes a
// second email for the same student, guardian and day impossible even past the alerts table.
// Essential: an absence is not news a guardian may opt out of.
void queue_absence_emails(App& app, db::Tx& t, const db::ClassRow& cls, const db::MarkRow& m, const std::string& label,
                          const std::string& day) {
  auto student = db::users::by_id(t, m.student_id);
  std::string name = student ? (student->full_name.empty() ? student->username : student->full_name) : "";
  for (auto g : db::attendance::active_guardians(t, m.student_id))
    enqueue_email(t, app.config, MailTo::user(g), "absence_alert",
                  {{"student", name},
                   {"date", day},
                   {"code", label},
                   {"class", cls.name},
                   {"note", m.note},
                   {"link", app.config.public_url + "/attendance/students/" + std::to_string(m.student_id)}},
                  "absence:" + std::to_string(m.student_id) + ":" + std::to_string(g) + ":" + day, true);
}

}  // namespace

Register get_register(App& app, const Actor& actor, std::int64_t class_id, const std::string& day_in,
                      std::int64_t period_id) {
  std::string day = validate_day(day_in);
  return app.db->read_result<Register>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "attendance.take", class_id)) deny(actor, "attendance.take", class_target(class_id));
    auto cls = class_or_404(t, class_id);
    check_period(t, class_id, day, period_id);
    auto r = load_register(t, cls, day, period_id);
    r.editable = day == today() || can(actor, "attendance.edit_any_day");
    return r;
  });
}

Register save_register(App& app, const Actor& actor, std::int64_t class_id, const std::string& day_in,
                       std::int64_t period_id, const std::vector<MarkInput>& marks) {
  std::string day = validate_day(day_in);
  std::string now_day = today();
  if (day > now_day) fail(ErrorKind::invalid, "future_date", "a register cannot be taken for a day still to come");
  for (auto& m : marks) {
    if (text::utf8_length(m.note) > kMaxNote || has_control(m.note))
      fail(ErrorKind::invalid, "invalid_note", "a note must have at most 500 characters and no control characters");
  }
  Register out;
  std::int64_t alerts = 0;
  app.db->tx([&](db::Tx& t) {
    if (!can_on_class(t, actor, "attendance.take", class_id)) deny(actor, "attendance.take", class_target(class_id));
    auto cls = class_or_404(t, class_id);
    check_period(t, class_id, day, period_id);
    if (day != now_day && !can(actor, "attendance.edit_any_day"))
      fail(ErrorKind::forbidden, "past_register",
           "only today's register can be changed; ask the office to correct another day");
    std::map<std::string, db::AttendanceCodeRow> codes;
    for (auto& c : db::attendance::codes(t, true)) codes[c.code] = c;
    std::set<std::int64_t> enrolled;
    for (auto& s : db::classes::students(t, class_id))
      if (s.active) enrolled.insert(s.id);
    std::set<std::int64_t> seen;
    std::vector<db::MarkRow> keep;
    for (auto& m : marks) {
      if (!enrolled.count(m.student_id))
        fail(ErrorKind::invalid, "not_in_class",
             "student " + std::to_string(m.student_id) + " is not enrolled in " + cls.name);
      if (!seen.insert(m.student_id).second)
        fail(ErrorKind::invalid, "duplicate_student", "student " + std::to_string(m.student_id) + " is marked twice");
      auto it = codes.find(m.code);
      if (it == codes.end()) fail(ErrorKind::invalid, "unknown_code", "'" + m.code + "' is not an attendance code");
      std::string note = text::trim_copy(m.note, text::kSpaceTab);
      if (it->second.kind == "present" && note.empty()) continue;  // present is the default: nothing to store
      keep.push_back({m.student_id, m.code, note});
    }
    auto now = now_unix();
    auto reg = db::attendance::upsert_register(t, class_id, day, period_id, actor.id, now);
    db::attendance::clear_marks(t, reg.id);
    for (auto& m : keep) {
      db::attendance::insert_mark(t, reg.id, m);
      // Only today's unexcused absences alert guardians ("the same day"); the outbox key
      // (student, day) keeps it to one per day however often or by whom the register is saved.
      if (day == now_day && codes[m.code].kind == "absent" &&
          db::attendance::claim_alert(t, m.student_id, day, reg.id, now)) {
        ++alerts;
        queue_absence_emails(app, t, cls, m, codes[m.code].label, day);
      }
    }
    audit(t, actor, "attendance.save", "class", std::to_string(class_id),
          "day=" + day + " period=" + std::to_string(period_id) + " exceptions=" + std::to_string(keep.size()) +
              " alerts=" + std::to_string(alerts));
    out = load_register(t, cls, day, period_id);
    out.editable = true;
  });
  if (alerts) app.wake_workers();  // the emails are committed now; workers also poll
  return out;
}

std::vector<TodoItem> registers_today(App& app, const Actor& actor) {
  std::string day = today();
  return app.db->read_result<std::vector<TodoItem>>([&](db::Tx& t) {
    std::vector<db::ClassRow> classes;
    switch (scope_for(actor.role, "attendance.take")) {
      case Scope::school:
        classes = db::classes::list_all(t);
        break;
      case Scope::own_classes:
        classes = db::classes::for_teacher(t, actor.id);
        break;
      default:
        deny(actor, "attendance.take", "registers today");
    }
    std::set<std::pair<std::int64_t, std::int64_t>> taken;
    for (auto& r : db::attendance::registers_on(t, day)) taken.insert({r.class_id, r.period_id});
    bool office = scope_for(actor.role, "attendance.take") == Scope::school;
    std::map<std::int64_t, std::vector<db::SlotRow>> lessons;  // class → today's slots
    for (auto& s : db::timetable::slots_on(t, iso_weekday(day))) lessons[s.class_id].push_back(s);
    std::vector<TodoItem> out;
    for (auto& c : classes) {
      auto it = lessons.find(c.id);
      if (it == lessons.end()) {  // no timetable today: one register for the day
        TodoItem i;
        i.cls = c;
        i.taken = taken.count({c.id, 0}) > 0;
        out.push_back(i);
        continue;
      }
      for (auto& s : it->second) {
        if (!office && s.teacher_id != actor.id) continue;  // a colleague's lesson in the same class
        TodoItem i;
        i.cls = c;
        i.period_id = s.period_id;
        i.period_name = s.period_name;
        i.starts_at = s.starts_at;
        i.subject = s.subject;
        i.taken = taken.count({c.id, s.period_id}) > 0;
        out.push_back(i);
      }
    }
    // Not taken first: that is what the page is for.
    std::stable_sort(out.begin(), out.end(), [](const TodoItem& a, const TodoItem& b) { return !a.taken && b.taken; });
    return out;
  });
}

AttendanceSummary summarise(const std::vector<db::AttendanceRow>& sessions) {
  AttendanceSummary s;
  // Per day: absent all day when every session that day was an absence (excused or not).
  std::map<std::string, std::pair<int, int>> per_day;  // day → (sessions, absences)
  for (auto& r : sessions) {
    ++s.sessions;
    if (r.kind == "late")
      ++s.late;
    else if (r.kind == "absent")
      ++s.absent;
    else if (r.kind == "excused")
      ++s.excused;
    else
      ++s.present;
    auto& d = per_day[r.day];
    ++d.first;
    if (!attended(r.kind)) ++d.second;
  }
  if (s.sessions > 0) s.percentage = std::round(1000.0 * (s.present + s.late) / s.sessions) / 10.0;
  int run = 0;
  for (auto& [day, d] : per_day) {
    run = d.second == d.first ? run + 1 : 0;
    s.longest_absence_streak = std::max(s.longest_absence_streak, run);
  }
  s.current_absence_streak = run;
  return s;
}

namespace {

void range(std::string& from, std::string& to) {
  if (to.empty()) to = today();
  validate_day(to, "to");
  if (from.empty()) from = day_minus(to, 365);
  validate_day(from, "from");
  if (from > to) fail(ErrorKind::invalid, "invalid_range", "'from' must not be after 'to'");
}

}  // namespace

StudentReport student_attendance(App& app, const Actor& actor, std::int64_t student_id, std::string from,
                                 std::string to) {
  range(from, to);
  return app.db->read_result<StudentReport>([&](db::Tx& t) {
    if (!can_on_student(t, actor, "attendance.view", student_id))
      deny(actor, "attendance.view", "student " + std::to_string(student_id));
    auto u = db::users::by_id(t, student_id);
    if (!u || u->role != sy::Role::student) not_found("no such student");
    StudentReport r;
    r.student.id = u->id;
    r.student.username = u->username;
    r.student.full_name = u->full_name.empty() ? u->username : u->full_name;
    r.student.active = u->active;
    r.from = from;
    r.to = to;
    auto sessions = db::attendance::student_sessions(t, student_id, from, to);
    r.summary = summarise(sessions);
    for (auto it = sessions.rbegin(); it != sessions.rend(); ++it)
      if (it->kind != "present" || !it->note.empty()) r.exceptions.push_back(*it);
    return r;
  });
}

ClassReport class_attendance(App& app, const Actor& actor, std::int64_t class_id, std::string from, std::string to) {
  range(from, to);
  return app.db->read_result<ClassReport>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "attendance.take", class_id)) deny(actor, "attendance.take", class_target(class_id));
    ClassReport r;
    r.cls = class_or_404(t, class_id);
    r.from = from;
    r.to = to;
    std::map<std::int64_t, std::vector<db::AttendanceRow>> by_student;
    for (auto& s : db::attendance::class_sessions(t, class_id, from, to)) by_student[s.student_id].push_back(s);
    for (auto& p : db::classes::students(t, class_id)) {
      ClassReportRow row;
      row.student = p;
      if (row.student.full_name.empty()) row.student.full_name = p.username;
      row.summary = summarise(by_student[p.id]);
      r.rows.push_back(row);
    }
    return r;
  });
}

namespace {
std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
}  // namespace

std::string student_attendance_csv(const StudentReport& r) {
  std::string out = csv_line({"date", "period_id", "class_id", "code", "kind", "note"});
  for (auto it = r.exceptions.rbegin(); it != r.exceptions.rend(); ++it)
    out +=
        csv_line({it->day, std::to_string(it->period_id), std::to_string(it->class_id), it->code, it->kind, it->note});
  return out;
}

std::string class_attendance_csv(const ClassReport& r) {
  std::string out = csv_line({"student_id", "username", "full_name", "sessions", "present", "late", "absent", "excused",
                              "percentage", "longest_absence_streak", "current_absence_streak"});
  for (auto& row : r.rows) {
    auto& s = row.summary;
    out += csv_line({std::to_string(row.student.id), row.student.username, row.student.full_name,
                     std::to_string(s.sessions), std::to_string(s.present), std::to_string(s.late),
                     std::to_string(s.absent), std::to_string(s.excused), pct(s.percentage),
                     std::to_string(s.longest_absence_streak), std::to_string(s.current_absence_streak)});
  }
  return out;
}

}  // namespace sy::services
