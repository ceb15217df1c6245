-- Classes, enrolment, teaching assignments, guardians and photo consent.
CREATE TABLE classes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  year INT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY classes_name_year (name, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE class_students (
  class_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (class_id, student_id),
  KEY class_students_student (student_id),
  CONSTRAINT class_students_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT class_students_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE class_teachers (
  class_id BIGINT NOT NULL,
  teacher_id BIGINT NOT NULL,
  subject VARCHAR(100) NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (class_id, teacher_id, subject),
  KEY class_teachers_teacher (teacher_id),
  CONSTRAINT class_teachers_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT class_teachers_teacher_fk FOREIGN KEY (teacher_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE guardian_links (
  guardian_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (guardian_id, student_id),
  KEY guardian_links_student (student_id),
  CONSTRAINT guardian_links_guardian_fk FOREIGN KEY (guardian_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT guardian_links_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- No row means no consent: minors' photos are opt-in.
CREATE TABLE student_consent (
  student_id BIGINT NOT NULL PRIMARY KEY,
  consent VARCHAR(16) NOT NULL,
  updated_by BIGINT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT student_consent_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT student_consent_value CHECK (consent IN ('yearbook','print','none'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
