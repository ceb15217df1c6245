-- Attendance: configurable codes, one register per class × school day × period (0 = the daily
-- register, used when the class has no timetable), one mark per student on a register (students
-- without a mark were present: the register stores the exceptions), and the absence-alert outbox
-- whose key (student, day) makes a second alert for the same day impossible.
CREATE TABLE attendance_codes (
  code TEXT NOT NULL PRIMARY KEY,
  label TEXT NOT NULL,
  -- present and late count as attended; absent is unexcused (guardians are alerted); excused is
  -- an absence with a reason.
  kind TEXT NOT NULL CHECK (kind IN ('present','late','absent','excused')),
  active INT NOT NULL DEFAULT 1,
  sort_order INT NOT NULL DEFAULT 0
);
INSERT INTO attendance_codes (code, label, kind, active, sort_order) VALUES
  ('P', 'Present', 'present', 1, 0),
  ('A', 'Absent', 'absent', 1, 1),
  ('L', 'Late', 'late', 1, 2),
  ('E', 'Excused', 'excused', 1, 3);

CREATE TABLE attendance_registers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  day TEXT NOT NULL,  -- YYYY-MM-DD
  period_id BIGINT NOT NULL DEFAULT 0,
  taken_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  taken_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (class_id, day, period_id)
);
CREATE INDEX attendance_registers_day ON attendance_registers(day);

CREATE TABLE attendance_marks (
  register_id INTEGER NOT NULL REFERENCES attendance_registers(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code TEXT NOT NULL REFERENCES attendance_codes(code),
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (register_id, student_id)
);
CREATE INDEX attendance_marks_student ON attendance_marks(student_id);

CREATE TABLE attendance_alerts (
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  register_id INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (student_id, day)
);

-- Timetable: the bell schedule (periods, "HH:MM" times that sort as text), rooms, and weekly
-- slots (weekday 1 = Monday … 7). The unique keys are the clash rules — a class, a teacher or a
-- room is in one place per weekday × period — so a race between two admins cannot double-book;
-- the service names the clash before the insert for a readable 409. subject_id NULL: a lesson
-- without a subject (form time).
CREATE TABLE periods (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK (starts_at < ends_at)
);

CREATE TABLE rooms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE timetable_slots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  weekday INT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  period_id INTEGER NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
  subject_id INTEGER REFERENCES subjects(id) ON DELETE SET NULL,
  teacher_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  room_id INTEGER REFERENCES rooms(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (class_id, weekday, period_id),
  UNIQUE (teacher_id, weekday, period_id),
  UNIQUE (room_id, weekday, period_id)
);
CREATE INDEX timetable_slots_day ON timetable_slots(weekday, period_id);
