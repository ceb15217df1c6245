-- Printable yearbooks made by the "yearbook.pdf" job and kept in the object store. content_key is
-- the SHA-256 of the layout, the class's name and year and the class yearbook's content version
-- (0007), so a PDF is only ever served for the content it was made from: a consent change, rename
-- or approval gives another key. yearbook_pdf_people says who and which photo each file shows, so
-- withdrawing consent or erasing a student or photo deletes every file that shows them.
CREATE TABLE yearbook_pdfs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id BIGINT NOT NULL,
  layout VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  content_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'queued',
  pages_done INT NOT NULL DEFAULT 0,
  pages_total INT NOT NULL DEFAULT 0,
  object_key VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  size BIGINT NOT NULL DEFAULT 0,
  error VARCHAR(1000) NOT NULL DEFAULT '',
  requested_by BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE KEY yearbook_pdfs_content (class_id, layout, content_key),
  CONSTRAINT yearbook_pdfs_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT yearbook_pdfs_user_fk FOREIGN KEY (requested_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT yearbook_pdfs_status CHECK (status IN ('queued','running','ready','failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE yearbook_pdf_people (
  pdf_id BIGINT NOT NULL,
  student_id BIGINT NOT NULL,
  photo_id BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (pdf_id, student_id),
  KEY yearbook_pdf_people_student (student_id),
  KEY yearbook_pdf_people_photo (photo_id),
  CONSTRAINT yearbook_pdf_people_pdf_fk FOREIGN KEY (pdf_id) REFERENCES yearbook_pdfs(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
