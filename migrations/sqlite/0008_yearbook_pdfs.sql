-- Printable yearbooks made by the "yearbook.pdf" job and kept in the object store. content_key is
-- the SHA-256 of the layout, the class's name and year and the class yearbook's content version
-- (0007), so a PDF is only ever served for the content it was made from: a consent change, rename
-- or approval gives another key. yearbook_pdf_people says who and which photo each file shows, so
-- withdrawing consent or erasing a student or photo deletes every file that shows them.
CREATE TABLE yearbook_pdfs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  layout VARCHAR(32) NOT NULL,
  content_key CHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','ready','failed')),
  pages_done INTEGER NOT NULL DEFAULT 0,
  pages_total INTEGER NOT NULL DEFAULT 0,
  object_key VARCHAR(512) NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  error VARCHAR(1000) NOT NULL DEFAULT '',
  requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (class_id, layout, content_key)
);
CREATE TABLE yearbook_pdf_people (
  pdf_id INTEGER NOT NULL REFERENCES yearbook_pdfs(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL,
  photo_id INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pdf_id, student_id)
);
CREATE INDEX yearbook_pdf_people_student ON yearbook_pdf_people(student_id);
CREATE INDEX yearbook_pdf_people_photo ON yearbook_pdf_people(photo_id);
