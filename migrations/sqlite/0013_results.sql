-- Results (#11): grade scales, assessments per term × class × subject, marks, report-card
-- comments, and publications whose per-student result pages are built before they are visible.
-- Marks and maxima are stored in hundredths (INTEGER: 7.5 → 750) so both dialects compare and sum
-- them exactly; SOCI reads the same integer type from SQLite and MySQL.

-- A grade scale is a list of bands: a percentage (hundredths, 0..10000) at or above which a label
-- applies, e.g. 80.00 → "A". default_flag is 1 for the school's default scale, NULL for the rest
-- (UNIQUE allows many NULLs: at most one default).
CREATE TABLE grade_scales (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  default_flag INTEGER NULL UNIQUE CHECK (default_flag = 1),
  created_at BIGINT NOT NULL
);
CREATE TABLE grade_bands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scale_id INTEGER NOT NULL REFERENCES grade_scales(id) ON DELETE CASCADE,
  min_percent_x100 INTEGER NOT NULL CHECK (min_percent_x100 BETWEEN 0 AND 10000),
  label TEXT NOT NULL,
  descriptor TEXT NOT NULL DEFAULT '',
  UNIQUE (scale_id, min_percent_x100)
);
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
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  subject_id INTEGER NOT NULL REFERENCES subjects(id),
  name TEXT NOT NULL,
  held_on TEXT NOT NULL DEFAULT '',
  max_x100 INTEGER NOT NULL CHECK (max_x100 > 0 AND max_x100 <= 100000000),
  weight_pct INTEGER NOT NULL DEFAULT 100 CHECK (weight_pct BETWEEN 0 AND 1000),
  grade_scale_id INTEGER NULL REFERENCES grade_scales(id),
  show_rank INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','final')),
  finalised_at BIGINT NULL,
  finalised_by INTEGER NULL REFERENCES users(id) ON DELETE SET NULL,
  created_by INTEGER NULL REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (term_id, class_id, subject_id, name)
);
CREATE INDEX assessments_class_term ON assessments(class_id, term_id);
CREATE INDEX assessments_subject ON assessments(subject_id);

-- One mark per student per assessment; no row = not entered yet. Either a score (hundredths,
-- 0..max, checked by the service against the assessment's maximum) or a code: 'absent' or 'exempt'.
CREATE TABLE marks (
  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  score_x100 INTEGER NULL CHECK (score_x100 >= 0),
  code TEXT NOT NULL DEFAULT '' CHECK (code IN ('','absent','exempt')),
  entered_by INTEGER NULL REFERENCES users(id) ON DELETE SET NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (assessment_id, student_id),
  CHECK ((code = '' AND score_x100 IS NOT NULL) OR (code <> '' AND score_x100 IS NULL))
);
CREATE INDEX marks_student ON marks(student_id);

-- Teacher comments on a student's report card for a term: subject_id = 0 is the general comment
-- (form tutor), otherwise the subject's teacher's comment.
CREATE TABLE report_comments (
  term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subject_id INTEGER NOT NULL DEFAULT 0,
  comment TEXT NOT NULL,
  author_id INTEGER NULL REFERENCES users(id) ON DELETE SET NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (term_id, student_id, subject_id)
);

-- A publication releases final assessments of a term (of one class, or every class when class_id
-- is NULL) to students and guardians. Every student's result page and PDF are built first
-- (status 'building' → 'ready'); the page is visible only while status = 'ready' AND visible_at <=
-- now, so all of them appear at the same instant and none appears half-built. Withdrawing sets
-- status 'withdrawn' (one row, one instant) and keeps the row for the audit trail.
CREATE TABLE result_publications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
  class_id INTEGER NULL REFERENCES classes(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  visible_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'building' CHECK (status IN ('building','ready','failed','withdrawn')),
  pages_total INTEGER NOT NULL DEFAULT 0,
  pages_done INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_by INTEGER NULL REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  withdrawn_at BIGINT NULL,
  withdrawn_by INTEGER NULL REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX result_publications_term ON result_publications(term_id);
CREATE TABLE publication_assessments (
  publication_id INTEGER NOT NULL REFERENCES result_publications(id) ON DELETE CASCADE,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
  PRIMARY KEY (publication_id, assessment_id)
);
CREATE INDEX publication_assessments_assessment ON publication_assessments(assessment_id);

-- The precomputed result page of one student in one publication: the HTML body (without the
-- per-user layout shell), its ETag, and the report-card PDF in the object store (results/ prefix,
-- never a public URL). At the peak a request reads these bytes and nothing else.
CREATE TABLE result_pages (
  publication_id INTEGER NOT NULL REFERENCES result_publications(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  etag TEXT NOT NULL,
  pdf_key TEXT NOT NULL DEFAULT '',
  pdf_size INTEGER NOT NULL DEFAULT 0,
  built_at BIGINT NOT NULL,
  PRIMARY KEY (publication_id, student_id)
);
CREATE INDEX result_pages_student ON result_pages(student_id);
