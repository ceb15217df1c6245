-- Attendance: configurable codes, one register per class × school day × period (0 = the daily
-- register, used when the class has no timetable), one mark per student on a register (students
-- without a mark were present: the register stores the exceptions), and the absence-alert outbox
-- whose key (student, day) makes a second alert for the same day impossible.
CREATE TABLE attendance_codes (
  code VARCHAR(8) NOT NULL PRIMARY KEY,
  label VARCHAR(60) NOT NULL,
  -- present and late count as attended; absent is unexcused (guardians are alerted); excused is
  -- an absence with a reason.
  kind VARCHAR(16) NOT NULL,
  active INT NOT NULL DEFAULT 1,
  sort_order INT NOT NULL DEFAULT 0,
  CONSTRAINT attendance_codes_kind CHECK (kind IN ('present','late','absent','excused'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO attendance_codes (code, label, kind, active, sort_order) VALUES
  ('P', 'Present', 'present', 1, 0),
  ('A', 'Absent', 'absent', 1, 1),
  ('L', 'Late', 'late', 1, 2),
  ('E', 'Excused', 'excused', 1, 3);

CREATE TABLE attendance_registers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id BIGINT NOT NULL,
  day CHAR(10) NOT NULL,
  period_id BIGINT NOT NULL DEFAULT 0,
  taken_by BIGINT NULL,
  taken_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE KEY attendance_registers_slot (class_id, day, period_id),
  KEY attendance_registers_day (day),
  CONSTRAINT attendance_registers_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT attendance_registers_taker_fk FOREIGN KEY (taken_by) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE attendance_marks (
  register_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  code VARCHAR(8) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (register_id, student_id),
  KEY attendance_marks_student (student_id),
  CONSTRAINT attendance_marks_register_fk FOREIGN KEY (register_id) REFERENCES attendance_registers(id) ON DELETE CASCADE,
  CONSTRAINT attendance_marks_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT attendance_marks_code_fk FOREIGN KEY (code) REFERENCES attendance_codes(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE attendance_alerts (
  student_id BIGINT NOT NULL,
  day CHAR(10) NOT NULL,
  register_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (student_id, day),
  CONSTRAINT attendance_alerts_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Timetable: the bell schedule (periods, "HH:MM" times that sort as text), rooms, and weekly
-- slots (weekday 1 = Monday … 7). The unique keys are the clash rules — a class, a teacher or a
-- room is in one place per weekday × period — so a race between two admins cannot double-book;
-- the service names the clash before the insert for a readable 409. subject_id NULL: a lesson
-- without a subject (form time). (A NULL room clashes with
-- nothing: MySQL's unique keys ignore NULLs, like SQLite's.)
CREATE TABLE periods (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(60) NOT NULL,
  starts_at CHAR(5) NOT NULL,
  ends_at CHAR(5) NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY periods_name (name),
  CONSTRAINT periods_times CHECK (starts_at < ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rooms (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(60) NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY rooms_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE timetable_slots (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id BIGINT NOT NULL,
  weekday INT NOT NULL,
  period_id BIGINT NOT NULL,
  subject_id BIGINT NULL,
  teacher_id BIGINT NOT NULL,
  room_id BIGINT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY timetable_slots_class (class_id, weekday, period_id),
  UNIQUE KEY timetable_slots_teacher (teacher_id, weekday, period_id),
  UNIQUE KEY timetable_slots_room (room_id, weekday, period_id),
  KEY timetable_slots_day (weekday, period_id),
  CONSTRAINT timetable_slots_weekday CHECK (weekday BETWEEN 1 AND 7),
  CONSTRAINT timetable_slots_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT timetable_slots_period_fk FOREIGN KEY (period_id) REFERENCES periods(id) ON DELETE CASCADE,
  CONSTRAINT timetable_slots_subject_fk FOREIGN KEY (subject_id) REFERENCES subjects(id) ON DELETE SET NULL,
  CONSTRAINT timetable_slots_teacher_fk FOREIGN KEY (teacher_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT timetable_slots_room_fk FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
