#pragma once
// The bell schedule (periods), rooms and weekly timetable slots. Plain reads and writes; the
// clash rules and permissions live in services/timetable.cpp (and the unique keys in the schema).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct PeriodRow {
  std::int64_t id = 0;
  std::string name;
  std::string starts_at;  // "HH:MM"
  std::string ends_at;
};

struct RoomRow {
  std::int64_t id = 0;
  std::string name;
};

struct SlotRow {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::string class_name;
  int weekday = 1;  // 1 = Monday … 7 = Sunday
  std::int64_t period_id = 0;
  std::string period_name, starts_at, ends_at;
  std::int64_t subject_id = 0;  // 0 = none
  std::string subject;          // its name
  std::int64_t teacher_id = 0;
  std::string teacher_name;
  std::int64_t room_id = 0;  // 0 = no room
  std::string room_name;
};

namespace timetable {

std::vector<PeriodRow> periods(Tx& t);  // by start time
std::optional<PeriodRow> period_by_id(Tx& t, std::int64_t id);
std::optional<PeriodRow> period_by_name(Tx& t, const std::string& name);
std::int64_t insert_period(Tx& t, const PeriodRow& p, std::int64_t now);
bool delete_period(Tx& t, std::int64_t id);

std::vector<RoomRow> rooms(Tx& t);  // by name
std::optional<RoomRow> room_by_id(Tx& t, std::int64_t id);
std::optional<RoomRow> room_by_name(Tx& t, const std::string& name);
std::int64_t insert_room(Tx& t, const std::string& name, std::int64_t now);
bool delete_room(Tx& t, std::int64_t id);

std::int64_t insert_slot(Tx& t, const SlotRow& s, std::int64_t now);
bool delete_slot(Tx& t, std::int64_t id);
std::optional<SlotRow> slot_by_id(Tx& t, std::int64_t id);
// The slot already holding that class / teacher / room at weekday × period, if any.
std::optional<SlotRow> slot_of_class(Tx& t, std::int64_t class_id, int weekday, std::int64_t period_id);
std::optional<SlotRow> slot_of_teacher(Tx& t, std::int64_t teacher_id, int weekday, std::int64_t period_id);
std::optional<SlotRow> slot_of_room(Tx& t, std::int64_t room_id, int weekday, std::int64_t period_id);

// Ordered by weekday, then start time. weekday 0 = every day.
std::vector<SlotRow> slots_of_class(Tx& t, std::int64_t class_id, int weekday);
std::vector<SlotRow> slots_of_teacher(Tx& t, std::int64_t teacher_id, int weekday);
std::vector<SlotRow> slots_of_student(Tx& t, std::int64_t student_id, int weekday);
std::vector<SlotRow> slots_on(Tx& t, int weekday);
std::int64_t slot_count(Tx& t);

}  // namespace timetable

}  // namespace sy::db
