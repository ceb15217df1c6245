#pragma once
// Attendance: a register per class and school day (per period once a timetable exists) that
// stores only the exceptions — everyone is present unless marked otherwise — plus the reports and
// the absence alert to guardians. Days are "YYYY-MM-DD" in UTC (the server's notion of today).
#include <cstdint>
#include <string>
#include <vector>

#include "db/attendance_repo.h"
#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/school_days.h"

namespace sy::services {

// Every code (any logged-in user: the pages show labels); admin screens see inactive ones too.
std::vector<db::AttendanceCodeRow> attendance_codes(App& app, const Actor& actor);
// attendance.codes (admin). code: 1–8 letters/digits, label 1–60 characters, kind one of
// present|late|absent|excused. 409 code_exists on create, 404 on update of an unknown code.
db::AttendanceCodeRow create_attendance_code(App& app, const Actor& actor, db::AttendanceCodeRow c);
db::AttendanceCodeRow update_attendance_code(App& app, const Actor& actor, db::AttendanceCodeRow c);

struct RegisterEntry {
  std::int64_t student_id = 0;
  std::string full_name;
  std::string code;  // "" = present (no mark stored)
  std::string kind = "present";
  std::string note;
};

struct Register {
  db::ClassRow cls;
  std::string day;
  std::int64_t period_id = 0;
  bool taken = false;
  db::RegisterRow row;  // when taken
  bool editable = false;
  std::vector<RegisterEntry> entries;  // every active student enrolled now, by name
};

struct MarkInput {
  std::int64_t student_id = 0;
  std::string code;
  std::string note;
};

// attendance.take on the class (403 before 404). The register as stored, or everyone present
// when not taken yet.
Register get_register(App& app, const Actor& actor, std::int64_t class_id, const std::string& day,
                      std::int64_t period_id);
// attendance.take on the class; a day other than today needs attendance.edit_any_day (403
// past_register), a future day is 422 future_date. Replaces the register's exceptions with `marks`
// (a present mark without a note is dropped). Each student must be enrolled (422 not_in_class),
// appear once (422 duplicate_student), each code active (422 unknown_code), each note ≤ 500
// characters. A student newly marked absent today queues one absence alert per day, whatever how
// often the register is saved; the email itself goes out from the job queue, never from here.
Register save_register(App& app, const Actor& actor, std::int64_t class_id, const std::string& day,
                       std::int64_t period_id, const std::vector<MarkInput>& marks);

struct TodoItem {
  db::ClassRow cls;
  std::int64_t period_id = 0;  // 0 = the daily register
  std::string period_name, starts_at, subject;
  bool taken = false;
};
// Registers due today: one per lesson when the class has lessons on today's weekday in the
// timetable (a teacher sees their own lessons), else one for the day. The teacher's classes, or
// every class for the office (attendance.take scope school). Students and guardians: 403.
std::vector<TodoItem> registers_today(App& app, const Actor& actor);

struct AttendanceSummary {
  int sessions = 0, present = 0, late = 0, absent = 0, excused = 0;
  double percentage = 100.0;       // (present + late) / sessions, 100 when nothing was recorded
  int longest_absence_streak = 0;  // consecutive recorded school days absent all day
  int current_absence_streak = 0;  // the streak that ends with the latest recorded day
};

struct StudentReport {
  db::PersonRow student;
  std::string from, to;
  AttendanceSummary summary;
  std::vector<db::AttendanceRow> exceptions;  // sessions not plainly present, newest first
};

struct ClassReportRow {
  db::PersonRow student;
  AttendanceSummary summary;
};

struct ClassReport {
  db::ClassRow cls;
  std::string from, to;
  std::vector<ClassReportRow> rows;
};

// attendance.view on the student (self, guardian's child, teacher's class, admin). from/to
// default to the last 365 days; from after to is 422.
StudentReport student_attendance(App& app, const Actor& actor, std::int64_t student_id, std::string from,
                                 std::string to);
// attendance.take on the class (the teacher and the office: it lists classmates).
ClassReport class_attendance(App& app, const Actor& actor, std::int64_t class_id, std::string from, std::string to);

std::string student_attendance_csv(const StudentReport& r);
std::string class_attendance_csv(const ClassReport& r);

// Summary over sessions of one student (exposed for tests).
AttendanceSummary summarise(const std::vector<db::AttendanceRow>& sessions);

}  // namespace sy::services
