// The "timetable" import kind: weekly lessons (class × weekday × period, subject, teacher, room)
// through the same engine as the other kinds — dry run with a report per row, then all or nothing.
// Each row goes through the same checks as POST /api/v1/timetable/slots (services/timetable.cpp),
// so a clash with a lesson already there, or with an earlier row of the same file, is that row's
// error naming the clash. A row identical to a lesson already there is unchanged (re-import).
#include <algorithm>

#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "db/timetable_repo.h"
#include "services/import_kinds.h"
#include "services/timetable.h"

namespace sy::services {

namespace {

[[noreturn]] void row_error(const std::string& m) { fail(ErrorKind::invalid, "invalid_row", m); }

int parse_weekday(const std::string& v) {
  std::string s = text::to_lower(v);
  if (s.size() == 1 && s[0] >= '1' && s[0] <= '7') return s[0] - '0';
  for (int d = 1; d <= 7; ++d) {
    std::string name = text::to_lower(weekday_name(d));
    if (s == name || (s.size() == 3 && name.compare(0, 3, s) == 0)) return d;
  }
  row_error("weekday '" + v + "' is not 1–7 or a day's name (Monday, Mon, …)");
}

void run_timetable(ImportSession& s, const std::vector<ImportRow>& rows) {
  s.each(rows, [&](const ImportRow& row, RowReport& rep) {
    const auto& class_name = row.get("class_name");
    int year = parse_year(row.get("year"));
    int weekday = parse_weekday(row.get("weekday"));
    const auto& period_name = row.get("period");
    rep.key = class_name + " " + std::to_string(year) + " " + weekday_name(weekday) + " " + period_name;
    auto cls = db::classes::by_name_year(s.tx, class_name, year);
    if (!cls) row_error("there is no class " + class_name + " (" + std::to_string(year) + ")");
    auto period = db::timetable::period_by_name(s.tx, period_name);
    if (!period) row_error("there is no period '" + period_name + "' (add it to the bell schedule first)");
    SlotInput in;
    in.class_id = cls->id;
    in.weekday = weekday;
    in.period_id = period->id;
    const auto& teacher = row.get("teacher_username");
    check_username(teacher, "teacher_username");
    auto u = db::users::by_username(s.tx, teacher);
    if (!u) row_error("there is no user '" + teacher + "'");
    in.teacher_id = u->id;
    if (const auto& subject = row.get("subject"); !subject.empty()) {
      auto sub = db::subjects::by_name(s.tx, subject);
      if (!sub) row_error("there is no subject '" + subject + "' (import subjects first)");
      in.subject_id = sub->id;
    }
    if (const auto& room = row.get("room"); !room.empty()) {
      auto r = db::timetable::room_by_name(s.tx, room);
      if (!r) row_error("there is no room '" + room + "'");
      in.room_id = r->id;
    }
    if (auto there = db::timetable::slot_of_class(s.tx, in.class_id, weekday, in.period_id);
        there && there->teacher_id == in.teacher_id && there->subject_id == in.subject_id &&
        there->room_id == in.room_id) {
      rep.message = "already on the timetable";
      return;  // unchanged
    }
    db::SlotRow slot;
    try {
      check_slot(s.tx, in, &slot);
    } catch (const AppError& e) {
      // A clash (409) or a teacher not assigned (422): this row's error, with the service's words.
      row_error(e.what());
    }
    slot.id = db::timetable::insert_slot(s.tx, slot, s.now);
    s.audit("timetable.slot_create", "slot", std::to_string(slot.id),
            class_name + " " + weekday_name(weekday) + " " + period_name);
    rep.outcome = "created";
    rep.message = std::string(weekday_name(weekday)) + " " + period->starts_at + " " +
                  (slot.subject.empty() ? "lesson" : slot.subject) + " with " + slot.teacher_name;
  });
}

}  // namespace

Importer timetable_importer() {
  Importer i;
  i.kind = "timetable";
  i.title = "Timetable (weekly lessons)";
  i.columns = {{"class_name", "the class, with year"},
               {"year", "the class's year"},
               {"weekday", "1–7 or Monday … Sunday (Mon … Sun)"},
               {"period", "a period of the bell schedule, by name"},
               {"subject", "optional; the teacher must be assigned to teach it in the class"},
               {"teacher_username", "the teacher, who must teach the class"},
               {"room", "optional room, by name"}};
  i.required = {"class_name", "year", "weekday", "period", "teacher_username"};
  i.actions = {"timetable.manage"};
  i.run = run_timetable;
  return i;
}

}  // namespace sy::services
