#pragma once
// Attendance registers, marks, codes and the absence-alert outbox. Plain reads and writes; the
// rules (who may take which register, which day, what counts as absent) live in
// services/attendance.cpp. Days are "YYYY-MM-DD" strings, which sort as dates on both databases.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct AttendanceCodeRow {
  std::string code;
  std::string label;
  std::string kind;  // present | late | absent | excused
  bool active = true;
  int sort_order = 0;
};

struct RegisterRow {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::string day;
  std::int64_t period_id = 0;  // 0 = the daily register
  std::int64_t taken_by = 0;   // 0 when the account is gone
  std::string taken_by_name;
  std::int64_t taken_at = 0;
  std::int64_t updated_at = 0;
};

struct MarkRow {
  std::int64_t student_id = 0;
  std::string code;
  std::string note;
};

// One student on one register, for reports: code "" (and kind "present") when no mark was stored.
struct AttendanceRow {
  std::int64_t register_id = 0;
  std::int64_t class_id = 0;
  std::int64_t student_id = 0;
  std::string day;
  std::int64_t period_id = 0;
  std::string code;
  std::string kind;
  std::string note;
};

namespace attendance {

std::vector<AttendanceCodeRow> codes(Tx& t, bool active_only);
std::optional<AttendanceCodeRow> code_by_id(Tx& t, const std::string& code);
void insert_code(Tx& t, const AttendanceCodeRow& c);
void update_code(Tx& t, const AttendanceCodeRow& c);

std::optional<RegisterRow> find_register(Tx& t, std::int64_t class_id, const std::string& day, std::int64_t period_id);
// Creates the register when it does not exist yet (two teachers saving at once both end up on the
// same row: the insert is ignored on a duplicate key) and returns it, marked as taken by `by`.
RegisterRow upsert_register(Tx& t, std::int64_t class_id, const std::string& day, std::int64_t period_id,
                            std::int64_t by, std::int64_t now);
std::vector<MarkRow> marks(Tx& t, std::int64_t register_id);
void clear_marks(Tx& t, std::int64_t register_id);
void insert_mark(Tx& t, std::int64_t register_id, const MarkRow& m);
// Registers taken on a day: (class_id, period_id) of each.
std::vector<RegisterRow> registers_on(Tx& t, const std::string& day);

// Every register of the student's current classes in [from, to] with the student's mark, by day.
std::vector<AttendanceRow> student_sessions(Tx& t, std::int64_t student_id, const std::string& from,
                                            const std::string& to);
// Every register of the class in [from, to] × every student enrolled now, by day.
std::vector<AttendanceRow> class_sessions(Tx& t, std::int64_t class_id, const std::string& from, const std::string& to);

// The outbox key: true when this is the first alert for the student on that day (a duplicate
// is ignored by the primary key, never raised).
bool claim_alert(Tx& t, std::int64_t student_id, const std::string& day, std::int64_t register_id, std::int64_t now);
std::int64_t alert_count(Tx& t, std::int64_t student_id, const std::string& day);
// Active guardians of a student (ids).
std::vector<std::int64_t> active_guardians(Tx& t, std::int64_t student_id);

}  // namespace attendance

}  // namespace sy::db
