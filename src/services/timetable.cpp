#include "services/timetable.h"

#include <cctype>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/membership_repo.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/setup_checklist.h"

namespace sy::services {

namespace {

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::string clean_name(const std::string& in, const char* what, std::size_t max) {
  std::string n = text::trim_copy(in, text::kSpaceTab);
  if (n.empty() || text::utf8_length(n) > max || has_control(n))
    fail(ErrorKind::invalid, "invalid_name",
         std::string("the ") + what + " name must have 1 to " + std::to_string(max) + " characters");
  return n;
}

std::string when(const db::SlotRow& s) {
  return std::string(weekday_name(s.weekday)) + ", " + s.period_name + " (" + s.starts_at + "–" + s.ends_at + ")";
}

std::string what(const db::SlotRow& s) {
  std::string out = s.class_name;
  if (!s.subject.empty()) out += " " + s.subject;
  out += " with " + s.teacher_name;
  if (!s.room_name.empty()) out += " in " + s.room_name;
  return out;
}

}  // namespace

const char* weekday_name(int weekday) {
  static const char* kNames[] = {"?", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return weekday >= 1 && weekday <= 7 ? kNames[weekday] : kNames[0];
}

std::string validate_time(const std::string& t, const char* field) {
  bool ok = t.size() == 5 && t[2] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) &&
            std::isdigit(static_cast<unsigned char>(t[1])) && std::isdigit(static_cast<unsigned char>(t[3])) &&
            std::isdigit(static_cast<unsigned char>(t[4]));
  if (ok) ok = (t[0] - '0') * 10 + (t[1] - '0') < 24 && (t[3] - '0') < 6;
  if (!ok) fail(ErrorKind::invalid, "invalid_time", std::string("'") + field + "' must be a time as HH:MM (24 h)");
  return t;
}

std::vector<db::PeriodRow> list_periods(App& app, const Actor&) {
  return app.reader().read_result<std::vector<db::PeriodRow>>([](db::Tx& t) { return db::timetable::periods(t); });
}

db::PeriodRow create_period(App& app, const Actor& actor, db::PeriodRow p) {
  require(actor, "timetable.manage");
  p.name = clean_name(p.name, "period", 60);
  validate_time(p.starts_at, "starts_at");
  validate_time(p.ends_at, "ends_at");
  if (p.starts_at >= p.ends_at) fail(ErrorKind::invalid, "invalid_times", "a period must start before it ends");
  app.db->tx([&](db::Tx& t) {
    if (db::timetable::period_by_name(t, p.name))
      fail(ErrorKind::conflict, "period_exists", "a period called '" + p.name + "' exists already");
    for (auto& o : db::timetable::periods(t))
      if (p.starts_at < o.ends_at && o.starts_at < p.ends_at)
        fail(ErrorKind::conflict, "period_overlap",
             "the period overlaps " + o.name + " (" + o.starts_at + "–" + o.ends_at + ")");
    p.id = db::timetable::insert_period(t, p, now_unix());
    audit(t, actor, "timetable.period_create", "period", std::to_string(p.id),
          p.name + " " + p.starts_at + "-" + p.ends_at);
  });
  return p;
}

void delete_period(App& app, const Actor& actor, std::int64_t id) {
  require(actor, "timetable.manage");
  app.db->tx([&](db::Tx& t) {
    if (!db::timetable::period_by_id(t, id)) not_found("no such period");
    for (int d = 1; d <= 7; ++d)
      for (auto& s : db::timetable::slots_on(t, d))
        if (s.period_id == id)
          fail(ErrorKind::conflict, "period_in_use", "the period is used by " + what(s) + " on " + when(s));
    db::timetable::delete_period(t, id);
    audit(t, actor, "timetable.period_delete", "period", std::to_string(id));
  });
}

std::vector<db::RoomRow> list_rooms(App& app, const Actor&) {
  return app.reader().read_result<std::vector<db::RoomRow>>([](db::Tx& t) { return db::timetable::rooms(t); });
}

db::RoomRow create_room(App& app, const Actor& actor, const std::string& name_in) {
  require(actor, "timetable.manage");
  db::RoomRow r;
  r.name = clean_name(name_in, "room", 60);
  app.db->tx([&](db::Tx& t) {
    if (db::timetable::room_by_name(t, r.name))
      fail(ErrorKind::conflict, "room_exists", "a room called '" + r.name + "' exists already");
    r.id = db::timetable::insert_room(t, r.name, now_unix());
    audit(t, actor, "timetable.room_create", "room", std::to_string(r.id), r.name);
  });
  return r;
}

void delete_room(App& app, const Actor& actor, std::int64_t id) {
  require(actor, "timetable.manage");
  app.db->tx([&](db::Tx& t) {
    if (!db::timetable::room_by_id(t, id)) not_found("no such room");
    for (int d = 1; d <= 7; ++d)
      for (auto& s : db::timetable::slots_on(t, d))
        if (s.room_id == id)
          fail(ErrorKind::conflict, "room_in_use", "the room is used by " + what(s) + " on " + when(s));
    db::timetable::delete_room(t, id);
    audit(t, actor, "timetable.room_delete", "room", std::to_string(id));
  });
}

void check_slot(db::Tx& t, const SlotInput& in, db::SlotRow* out) {
  if (in.weekday < 1 || in.weekday > 7)
    fail(ErrorKind::invalid, "invalid_weekday", "the weekday must be 1 (Monday) to 7 (Sunday)");
  auto cls = db::classes::by_id(t, in.class_id);
  if (!cls) not_found("no such class");
  auto period = db::timetable::period_by_id(t, in.period_id);
  if (!period) not_found("no such period");
  std::optional<db::RoomRow> room;
  if (in.room_id) {
    room = db::timetable::room_by_id(t, in.room_id);
    if (!room) not_found("no such room");
  }
  std::optional<db::SubjectRow> subject;
  if (in.subject_id) {
    subject = db::subjects::by_id(t, in.subject_id);
    if (!subject) not_found("no such subject");
  }
  auto teacher = db::users::by_id(t, in.teacher_id);
  // The slot's teacher takes its register, so they must be assigned to the class (for the subject,
  // when the lesson has one): schoolcore's teaching assignments.
  bool assigned = teacher && teacher->active && teacher->role == sy::Role::teacher &&
                  (subject ? db::assignments::exists(t, in.class_id, in.subject_id, in.teacher_id)
                           : db::membership::teacher_teaches_class(t, in.teacher_id, in.class_id));
  if (!assigned)
    fail(ErrorKind::invalid, "invalid_teacher",
         "user " + std::to_string(in.teacher_id) + " is not an active teacher of " + cls->name +
             (subject ? " for " + subject->name : ""));
  if (auto s = db::timetable::slot_of_teacher(t, in.teacher_id, in.weekday, in.period_id))
    fail(ErrorKind::conflict, "teacher_clash",
         (teacher->full_name.empty() ? teacher->username : teacher->full_name) + " already teaches " + what(*s) +
             " on " + when(*s));
  if (room)
    if (auto s = db::timetable::slot_of_room(t, in.room_id, in.weekday, in.period_id))
      fail(ErrorKind::conflict, "room_clash", room->name + " is already booked for " + what(*s) + " on " + when(*s));
  if (auto s = db::timetable::slot_of_class(t, in.class_id, in.weekday, in.period_id))
    fail(ErrorKind::conflict, "class_clash", cls->name + " already has " + what(*s) + " on " + when(*s));
  if (out) {
    out->class_id = in.class_id;
    out->class_name = cls->name;
    out->weekday = in.weekday;
    out->period_id = period->id;
    out->period_name = period->name;
    out->starts_at = period->starts_at;
    out->ends_at = period->ends_at;
    out->subject_id = subject ? subject->id : 0;
    out->subject = subject ? subject->name : "";
    out->teacher_id = in.teacher_id;
    out->teacher_name = teacher->full_name.empty() ? teacher->username : teacher->full_name;
    out->room_id = room ? room->id : 0;
    out->room_name = room ? room->name : "";
  }
}

db::SlotRow create_slot(App& app, const Actor& actor, const SlotInput& in) {
  require(actor, "timetable.manage");
  db::SlotRow row;
  app.db->tx([&](db::Tx& t) {
    check_slot(t, in, &row);
    row.id = db::timetable::insert_slot(t, row, now_unix());
    audit(t, actor, "timetable.slot_create", "slot", std::to_string(row.id), what(row) + " on " + when(row));
  });
  return row;
}

void delete_slot(App& app, const Actor& actor, std::int64_t id) {
  require(actor, "timetable.manage");
  app.db->tx([&](db::Tx& t) {
    auto s = db::timetable::slot_by_id(t, id);
    if (!s) not_found("no such slot");
    db::timetable::delete_slot(t, id);
    audit(t, actor, "timetable.slot_delete", "slot", std::to_string(id), what(*s) + " on " + when(*s));
  });
}

std::vector<db::SlotRow> class_timetable(App& app, const Actor& actor, std::int64_t class_id, int weekday) {
  return app.db->read_result<std::vector<db::SlotRow>>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "timetable.view", class_id))
      deny(actor, "timetable.view", "class " + std::to_string(class_id));
    if (!db::classes::by_id(t, class_id)) not_found("no such class");
    return db::timetable::slots_of_class(t, class_id, weekday);
  });
}

std::vector<db::SlotRow> student_timetable(App& app, const Actor& actor, std::int64_t student_id, int weekday) {
  return app.db->read_result<std::vector<db::SlotRow>>([&](db::Tx& t) {
    if (!can_on_student(t, actor, "timetable.view", student_id))
      deny(actor, "timetable.view", "student " + std::to_string(student_id));
    auto u = db::users::by_id(t, student_id);
    if (!u || u->role != sy::Role::student) not_found("no such student");
    return db::timetable::slots_of_student(t, student_id, weekday);
  });
}

std::vector<db::SlotRow> teacher_timetable(App& app, const Actor& actor, std::int64_t teacher_id, int weekday) {
  if (actor.id != teacher_id && !can(actor, "timetable.manage"))
    deny(actor, "timetable.view", "teacher " + std::to_string(teacher_id));
  return app.db->read_result<std::vector<db::SlotRow>>([&](db::Tx& t) {
    auto u = db::users::by_id(t, teacher_id);
    if (!u || u->role != sy::Role::teacher) not_found("no such teacher");
    return db::timetable::slots_of_teacher(t, teacher_id, weekday);
  });
}

void register_timetable_setup_check() {
  register_setup_check("no_timetable", [](db::Tx& t) {
    std::vector<SetupItem> out;
    if (db::timetable::slot_count(t) == 0 && !db::classes::list_all(t).empty())
      out.push_back({"no_timetable",
                     "No timetable yet: add periods and weekly lessons (or import them from a CSV file). Until "
                     "then teachers take one register per class and day.",
                     "/timetable"});
    return out;
  });
}

}  // namespace sy::services
