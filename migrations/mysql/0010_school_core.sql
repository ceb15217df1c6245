-- School core (#10): academic years and terms, classes linked to a year, subjects, teachers
-- assigned per class × subject, and the people fields (admission number, birth date, status,
-- contact details, language, email opt-out). Dates are 'YYYY-MM-DD' text (compares as it sorts;
-- no DATE type, so SOCI returns the same string type on both dialects).

-- `year` is the calendar year the school year starts in; classes.year keeps that number, so the
-- contract's POST /api/v1/classes {"name","year"} still names a year. current_flag is 1 for the
-- one current year and NULL for the rest (UNIQUE allows many NULLs: at most one current year;
-- services keep exactly one once any year exists).
CREATE TABLE academic_years (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  year INT NOT NULL,
  name VARCHAR(100) NOT NULL,
  start_date CHAR(10) NOT NULL,
  end_date CHAR(10) NOT NULL,
  current_flag TINYINT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY academic_years_year (year),
  UNIQUE KEY academic_years_name (name),
  UNIQUE KEY academic_years_current (current_flag),
  CONSTRAINT academic_years_current_one CHECK (current_flag = 1),
  CONSTRAINT academic_years_dates CHECK (start_date < end_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Existing classes get a year each from their year number; the dates are a placeholder (the
-- calendar year) that the admin corrects on the years page. The newest becomes current.
INSERT INTO academic_years (year, name, start_date, end_date, current_flag, created_at)
SELECT year, CAST(year AS CHAR), CONCAT(LPAD(year, 4, '0'), '-01-01'), CONCAT(LPAD(year, 4, '0'), '-12-31'),
       NULL, MIN(created_at)
FROM classes GROUP BY year;
UPDATE academic_years a JOIN (SELECT MAX(year) AS y FROM academic_years) m ON a.year = m.y SET a.current_flag = 1;

ALTER TABLE classes ADD COLUMN academic_year_id BIGINT NULL,
  ADD KEY classes_academic_year (academic_year_id),
  ADD CONSTRAINT classes_academic_year_fk FOREIGN KEY (academic_year_id) REFERENCES academic_years(id);
UPDATE classes c JOIN academic_years a ON a.year = c.year SET c.academic_year_id = a.id;

CREATE TABLE terms (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  academic_year_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  start_date CHAR(10) NOT NULL,
  end_date CHAR(10) NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY terms_year_name (academic_year_id, name),
  CONSTRAINT terms_year_fk FOREIGN KEY (academic_year_id) REFERENCES academic_years(id) ON DELETE CASCADE,
  CONSTRAINT terms_dates CHECK (start_date <= end_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE subjects (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  code VARCHAR(20) NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE KEY subjects_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO subjects (name, code, created_at)
SELECT MIN(subject), '', MIN(created_at) FROM class_teachers WHERE subject <> '' GROUP BY subject;

-- Teaching assignments by subject id instead of free text. subject_id NULL = the class's own
-- teacher (form tutor, no subject), which the old rows with subject '' were.
CREATE TABLE class_teachers_v10 (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id BIGINT NOT NULL,
  teacher_id BIGINT NOT NULL,
  subject_id BIGINT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY class_teachers_assignment (class_id, subject_id, teacher_id),
  KEY class_teachers_teacher (teacher_id),
  KEY class_teachers_subject (subject_id),
  CONSTRAINT class_teachers_v10_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT class_teachers_v10_teacher_fk FOREIGN KEY (teacher_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT class_teachers_v10_subject_fk FOREIGN KEY (subject_id) REFERENCES subjects(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO class_teachers_v10 (class_id, teacher_id, subject_id, created_at)
SELECT ct.class_id, ct.teacher_id, s.id, MIN(ct.created_at)
FROM class_teachers ct LEFT JOIN subjects s ON s.name = ct.subject
GROUP BY ct.class_id, ct.teacher_id, s.id;
DROP TABLE class_teachers;
RENAME TABLE class_teachers_v10 TO class_teachers;

-- Year-end rollover history: which class's students went where (the old class and its
-- enrolments stay as they were).
CREATE TABLE class_rollovers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  from_class_id BIGINT NOT NULL,
  to_class_id BIGINT NULL,
  promoted INT NOT NULL,
  graduated INT NOT NULL,
  actor_id BIGINT NULL,
  created_at BIGINT NOT NULL,
  KEY class_rollovers_from (from_class_id),
  CONSTRAINT class_rollovers_from_fk FOREIGN KEY (from_class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT class_rollovers_to_fk FOREIGN KEY (to_class_id) REFERENCES classes(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- People. admission_no: students only, NULL when none (unique when set). status: a student's
-- standing at the school, apart from `active` (whether the account may log in). '' = unknown for
-- the text fields. email_opt_out: no non-essential email (essential: password reset, absence).
ALTER TABLE users
  ADD COLUMN admission_no VARCHAR(32) NULL,
  ADD COLUMN date_of_birth CHAR(10) NOT NULL DEFAULT '',
  ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'active',
  ADD COLUMN email VARCHAR(254) NOT NULL DEFAULT '',
  ADD COLUMN phone VARCHAR(32) NOT NULL DEFAULT '',
  ADD COLUMN preferred_language VARCHAR(16) NOT NULL DEFAULT '',
  ADD COLUMN email_opt_out TINYINT NOT NULL DEFAULT 0,
  ADD UNIQUE KEY users_admission_no (admission_no),
  ADD KEY users_email (email),
  ADD KEY users_full_name (full_name),
  ADD CONSTRAINT users_status CHECK (status IN ('active','left','graduated'));
