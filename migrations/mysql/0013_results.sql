-- Results (#11): grade scales, assessments per term × class × subject, marks, report-card
-- comments, and publications whose per-student result pages are built before they are visible.
-- Marks and maxima are stored in hundredths (BIGINT/INT: 7.5 → 750) so both dialects compare and
-- sum them exactly; SOCI reads the same integer type from SQLite and MySQL.

-- A grade scale is a list of bands: a percentage (hundredths, 0..10000) at or above which a label
-- applies, e.g. 80.00 → "A". default_flag is 1 for the school's default scale, NULL for the rest
-- (UNIQUE allows many NULLs: at most one default).
CREATE TABLE grade_scales (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  default_flag TINYINT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE KEY grade_scales_name (name),
  UNIQUE KEY grade_scales_default (default_flag),
  CONSTRAINT grade_scales_default_one CHECK (default_flag = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE grade_bands (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scale_id BIGINT NOT NULL,
  min_percent_x100 INT NOT NULL,
  label VARCHAR(20) NOT NULL,
  descriptor VARCHAR(100) NOT NULL DEFAULT '',
  UNIQUE KEY grade_bands_scale_min (scale_id, min_percent_x100),
  CONSTRAINT grade_bands_scale_fk FOREIGN KEY (scale_id) REFERENCES grade_scales(id) ON DELETE CASCADE,
  CONSTRAINT grade_bands_min CHECK (min_percent_x100 BETWEEN 0 AND 10000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO grade_scales (name, default_flag, created_at) VALUES ('Letters A–U', 1, 0);
INSERT INTO grade_bands (scale_id, min_percent_x100, label, descriptor)
SELECT id, 8000, 'A', 'Excellent' FROM grade_scales WHERE default_flag = 1 UNION ALL
SELECT id, 7000, 'B', 'Very good' FROM grade_scales WHERE default_flag = 1 UNION ALL
SELECT id, 6000, 'C', 'Good' FROM grade_scales WHERE default_flag = 1 UNION ALL
SELECT id, 5000, 'D', 'Satisfactory' FROM grade_scales WHERE default_flag = 1 UNION ALL
SELECT id, 4000, 'E', 'Weak' FROM grade_scales WHERE default_flag = 1 UNION ALL
SELECT id, 0, 'U', 'Ungraded' FROM grade_scales WHERE default_flag = 1;

-- An assessment (exam, test, coursework) of one class in one subject in one term. weight_pct is
-- its weight relative to the term's other assessments in that subject (100 = 1×). grade_scale_id
-- NULL = the default scale. status: 'open' while marks are entered, 'final' once the admin
-- finalises it (marks lock; only final assessments can be published).
CREATE TABLE assessments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  term_id BIGINT NOT NULL,
  class_id BIGINT NOT NULL,
  subject_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  held_on CHAR(10) NOT NULL DEFAULT '',
  max_x100 BIGINT NOT NULL,
  weight_pct INT NOT NULL DEFAULT 100,
  grade_scale_id BIGINT NULL,
  show_rank INT NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL DEFAULT 'open',
  finalised_at BIGINT NULL,
  finalised_by BIGINT NULL,
  created_by BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE KEY assessments_unique (term_id, class_id, subject_id, name),
  KEY assessments_class_term (class_id, term_id),
  KEY assessments_subject (subject_id),
  CONSTRAINT assessments_term_fk FOREIGN KEY (term_id) REFERENCES terms(id) ON DELETE CASCADE,
  CONSTRAINT assessments_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT assessments_subject_fk FOREIGN KEY (subject_id) REFERENCES subjects(id),
  CONSTRAINT assessments_scale_fk FOREIGN KEY (grade_scale_id) REFERENCES grade_scales(id),
  CONSTRAINT assessments_finaliser_fk FOREIGN KEY (finalised_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT assessments_creator_fk FOREIGN KEY (created_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT assessments_max CHECK (max_x100 > 0 AND max_x100 <= 100000000),
  CONSTRAINT assessments_weight CHECK (weight_pct BETWEEN 0 AND 1000),
  CONSTRAINT assessments_status CHECK (status IN ('open','final'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One mark per student per assessment; no row = not entered yet. Either a score (hundredths,
-- 0..max, checked by the service against the assessment's maximum) or a code: 'absent' or 'exempt'.
CREATE TABLE marks (
  assessment_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  score_x100 BIGINT NULL,
  code VARCHAR(8) NOT NULL DEFAULT '',
  entered_by BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (assessment_id, student_id),
  KEY marks_student (student_id),
  CONSTRAINT marks_assessment_fk FOREIGN KEY (assessment_id) REFERENCES assessments(id) ON DELETE CASCADE,
  CONSTRAINT marks_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT marks_enterer_fk FOREIGN KEY (entered_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT marks_score CHECK (score_x100 >= 0),
  CONSTRAINT marks_code CHECK (code IN ('','absent','exempt')),
  CONSTRAINT marks_score_or_code CHECK ((code = '' AND score_x100 IS NOT NULL) OR (code <> '' AND score_x100 IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Teacher comments on a student's report card for a term: subject_id = 0 is the general comment
-- (form tutor), otherwise the subject's teacher's comment.
CREATE TABLE report_comments (
  term_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  subject_id BIGINT NOT NULL DEFAULT 0,
  comment VARCHAR(2000) NOT NULL,
  author_id BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (term_id, student_id, subject_id),
  CONSTRAINT report_comments_term_fk FOREIGN KEY (term_id) REFERENCES terms(id) ON DELETE CASCADE,
  CONSTRAINT report_comments_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT report_comments_author_fk FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A publication releases final assessments of a term (of one class, or every class when class_id
-- is NULL) to students and guardians. Every student's result page and PDF are built first
-- (status 'building' → 'ready'); the page is visible only while status = 'ready' AND visible_at <=
-- now, so all of them appear at the same instant and none appears half-built. Withdrawing sets
-- status 'withdrawn' (one row, one instant) and keeps the row for the audit trail.
CREATE TABLE result_publications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  term_id BIGINT NOT NULL,
  class_id BIGINT NULL,
  title VARCHAR(200) NOT NULL,
  visible_at BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'building',
  pages_total INT NOT NULL DEFAULT 0,
  pages_done INT NOT NULL DEFAULT 0,
  error VARCHAR(1000) NOT NULL DEFAULT '',
  created_by BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  withdrawn_at BIGINT NULL,
  withdrawn_by BIGINT NULL,
  KEY result_publications_term (term_id),
  CONSTRAINT result_publications_term_fk FOREIGN KEY (term_id) REFERENCES terms(id) ON DELETE CASCADE,
  CONSTRAINT result_publications_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT result_publications_creator_fk FOREIGN KEY (created_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT result_publications_withdrawer_fk FOREIGN KEY (withdrawn_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT result_publications_status CHECK (status IN ('building','ready','failed','withdrawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE publication_assessments (
  publication_id BIGINT NOT NULL,
  assessment_id BIGINT NOT NULL,
  PRIMARY KEY (publication_id, assessment_id),
  KEY publication_assessments_assessment (assessment_id),
  CONSTRAINT publication_assessments_pub_fk FOREIGN KEY (publication_id) REFERENCES result_publications(id) ON DELETE CASCADE,
  CONSTRAINT publication_assessments_assessment_fk FOREIGN KEY (assessment_id) REFERENCES assessments(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The precomputed result page of one student in one publication: the HTML body (without the
-- per-user layout shell), its ETag, and the report-card PDF in the object store (results/ prefix,
-- never a public URL). At the peak a request reads these bytes and nothing else.
CREATE TABLE result_pages (
  publication_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  etag VARCHAR(80) NOT NULL,
  pdf_key VARCHAR(512) NOT NULL DEFAULT '',
  pdf_size BIGINT NOT NULL DEFAULT 0,
  built_at BIGINT NOT NULL,
  PRIMARY KEY (publication_id, student_id),
  KEY result_pages_student (student_id),
  CONSTRAINT result_pages_pub_fk FOREIGN KEY (publication_id) REFERENCES result_publications(id) ON DELETE CASCADE,
  CONSTRAINT result_pages_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
