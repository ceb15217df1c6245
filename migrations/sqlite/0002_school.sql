-- Classes, enrolment, teaching assignments, guardians and photo consent.
CREATE TABLE classes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  year INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (name, year)
);

CREATE TABLE class_students (
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (class_id, student_id)
);
CREATE INDEX class_students_student ON class_students(student_id);

CREATE TABLE class_teachers (
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  teacher_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subject TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (class_id, teacher_id, subject)
);
CREATE INDEX class_teachers_teacher ON class_teachers(teacher_id);

CREATE TABLE guardian_links (
  guardian_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (guardian_id, student_id)
);
CREATE INDEX guardian_links_student ON guardian_links(student_id);

-- No row means no consent: minors' photos are opt-in.
CREATE TABLE student_consent (
  student_id INTEGER NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  consent TEXT NOT NULL CHECK (consent IN ('yearbook','print','none')),
  updated_by INTEGER,
  updated_at BIGINT NOT NULL
);
