-- School core (#10): academic years and terms, classes linked to a year, subjects, teachers
-- assigned per class × subject, and the people fields (admission number, birth date, status,
-- contact details, language, email opt-out). Dates are 'YYYY-MM-DD' text (compares as it sorts).

-- `year` is the calendar year the school year starts in; classes.year keeps that number, so the
-- contract's POST /api/v1/classes {"name","year"} still names a year. current_flag is 1 for the
-- one current year and NULL for the rest (UNIQUE allows many NULLs: at most one current year;
-- services keep exactly one once any year exists).
CREATE TABLE academic_years (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  year INTEGER NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  current_flag INTEGER NULL UNIQUE CHECK (current_flag = 1),
  created_at BIGINT NOT NULL,
  CHECK (start_date < end_date)
);

-- Existing classes get a year each from their year number; the dates are a placeholder (the
-- calendar year) that the admin corrects on the years page. The newest becomes current.
INSERT INTO academic_years (year, name, start_date, end_date, current_flag, created_at)
SELECT year, CAST(year AS TEXT), printf('%04d-01-01', year), printf('%04d-12-31', year), NULL, MIN(created_at)
FROM classes GROUP BY year;
UPDATE academic_years SET current_flag = 1 WHERE year = (SELECT MAX(year) FROM academic_years);

ALTER TABLE classes ADD COLUMN academic_year_id INTEGER NULL REFERENCES academic_years(id);
UPDATE classes SET academic_year_id = (SELECT a.id FROM academic_years a WHERE a.year = classes.year);
CREATE INDEX classes_academic_year ON classes(academic_year_id);

CREATE TABLE terms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  academic_year_id INTEGER NOT NULL REFERENCES academic_years(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (academic_year_id, name),
  CHECK (start_date <= end_date)
);

-- NOCASE here so "Maths" and "maths" are one subject, as MySQL's collation makes them.
CREATE TABLE subjects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  code TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
INSERT INTO subjects (name, code, created_at)
SELECT MIN(subject), '', MIN(created_at) FROM class_teachers WHERE subject <> '' GROUP BY subject COLLATE NOCASE;

-- Teaching assignments by subject id instead of free text. subject_id NULL = the class's own
-- teacher (form tutor, no subject), which the old rows with subject '' were.
CREATE TABLE class_teachers_v10 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  teacher_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subject_id INTEGER NULL REFERENCES subjects(id),
  created_at BIGINT NOT NULL,
  UNIQUE (class_id, subject_id, teacher_id)
);
INSERT INTO class_teachers_v10 (class_id, teacher_id, subject_id, created_at)
SELECT ct.class_id, ct.teacher_id, s.id, MIN(ct.created_at)
FROM class_teachers ct LEFT JOIN subjects s ON s.name = ct.subject
GROUP BY ct.class_id, ct.teacher_id, s.id;
DROP TABLE class_teachers;
ALTER TABLE class_teachers_v10 RENAME TO class_teachers;
CREATE INDEX class_teachers_teacher ON class_teachers(teacher_id);
CREATE INDEX class_teachers_subject ON class_teachers(subject_id);

-- Year-end rollover history: which class's students went where (the old class and its
-- enrolments stay as they were).
CREATE TABLE class_rollovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  to_class_id INTEGER NULL REFERENCES classes(id) ON DELETE SET NULL,
  promoted INTEGER NOT NULL,
  graduated INTEGER NOT NULL,
  actor_id INTEGER NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX class_rollovers_from ON class_rollovers(from_class_id);

-- People. admission_no: students only, NULL when none (unique when set). status: a student's
-- standing at the school, apart from `active` (whether the account may log in). '' = unknown for
-- the text fields. email_opt_out: no non-essential email (essential: password reset, absence).
ALTER TABLE users ADD COLUMN admission_no TEXT NULL COLLATE NOCASE;
CREATE UNIQUE INDEX users_admission_no ON users(admission_no);
ALTER TABLE users ADD COLUMN date_of_birth TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','left','graduated'));
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
CREATE INDEX users_email ON users(email);
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN preferred_language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_opt_out INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_full_name ON users(full_name);
