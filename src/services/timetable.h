#pragma once
// The timetable: the bell schedule (periods), rooms and weekly slots class × subject × teacher
// (× room). A teacher, a room or a class is in one place per weekday × period: a clash is a 409
// that names the slot already there.
#include <cstdint>
#include <string>
#include <vector>

#include "db/timetable_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// "HH:MM", 00:00–23:59, else AppError 422 invalid_time naming the field.
std::string validate_time(const std::string& t, const char* field);
// "Monday" … "Sunday" for 1 … 7.
const char* weekday_name(int weekday);

// Any logged-in user (the views show period times).
std::vector<db::PeriodRow> list_periods(App& app, const Actor& actor);
// timetable.manage. Name 1–60 characters (409 period_exists), starts before ends (422
// invalid_times), no overlap with another period (409 period_overlap naming it).
db::PeriodRow create_period(App& app, const Actor& actor, db::PeriodRow p);
// timetable.manage; 404, or 409 period_in_use while slots use it.
void delete_period(App& app, const Actor& actor, std::int64_t id);

std::vector<db::RoomRow> list_rooms(App& app, const Actor& actor);               // any logged-in user
db::RoomRow create_room(App& app, const Actor& actor, const std::string& name);  // 409 room_exists
void delete_room(App& app, const Actor& actor, std::int64_t id);                 // 404 / 409 room_in_use

struct SlotInput {
  std::int64_t class_id = 0;
  int weekday = 0;
  std::int64_t period_id = 0;
  std::int64_t subject_id = 0;  // 0 = none
  std::int64_t teacher_id = 0;
  std::int64_t room_id = 0;  // 0 = none
};
// timetable.manage. 404 for an unknown class, period, subject or room; 422 when the teacher is not
// an active teacher assigned to the class for that subject (invalid_teacher; schoolcore's
// class × subject × teacher assignments) or the weekday is not 1–7; 409 class_clash,
// teacher_clash or room_clash naming what is already there. Audited as timetable.slot_create.
db::SlotRow create_slot(App& app, const Actor& actor, const SlotInput& in);
// The same checks without writing (the CSV import's dry run); throws like create_slot.
void check_slot(db::Tx& t, const SlotInput& in, db::SlotRow* out);
void delete_slot(App& app, const Actor& actor, std::int64_t id);  // timetable.manage; 404

// weekday 0 = the whole week. timetable.view on the class / student (403 before 404).
std::vector<db::SlotRow> class_timetable(App& app, const Actor& actor, std::int64_t class_id, int weekday);
std::vector<db::SlotRow> student_timetable(App& app, const Actor& actor, std::int64_t student_id, int weekday);
// The teacher themself or the office; anyone else 403. 404 when the id is not a teacher.
std::vector<db::SlotRow> teacher_timetable(App& app, const Actor& actor, std::int64_t teacher_id, int weekday);

// Adds "no_timetable" to the admin's setup checklist (services/setup_checklist.h): classes exist
// but no lesson does. Idempotent; called when the timetable routes are mounted.
void register_timetable_setup_check();

}  // namespace sy::services
