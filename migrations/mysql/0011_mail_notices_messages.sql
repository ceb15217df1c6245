-- Email outbox, password reset links, notices with read receipts, guardian–teacher messages.
-- Times are Unix seconds (UTC). See the SQLite file for what each table is for.

CREATE TABLE mail_outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  dedupe_key VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  job_id BIGINT NULL,
  to_user_id BIGINT NULL,
  to_address VARCHAR(254) NOT NULL DEFAULT '',
  template VARCHAR(64) NOT NULL,
  subject VARCHAR(300) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  essential TINYINT NOT NULL DEFAULT 0,
  skipped VARCHAR(32) NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT NULL,
  UNIQUE KEY mail_outbox_dedupe (dedupe_key),
  KEY mail_outbox_job (job_id),
  KEY mail_outbox_user (to_user_id),
  CONSTRAINT mail_outbox_job_fk FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE SET NULL,
  CONSTRAINT mail_outbox_user_fk FOREIGN KEY (to_user_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE password_resets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  UNIQUE KEY password_resets_token (token_hash),
  KEY password_resets_user (user_id, created_at),
  CONSTRAINT password_resets_user_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE password_reset_requests (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ip VARCHAR(64) NOT NULL,
  at BIGINT NOT NULL,
  KEY password_reset_requests_ip (ip, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  author_id BIGINT NULL,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  publish_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  KEY notices_publish (publish_at),
  CONSTRAINT notices_author_fk FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notice_targets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  notice_id BIGINT NOT NULL,
  class_id BIGINT NULL,
  role VARCHAR(16) NULL,
  KEY notice_targets_notice (notice_id),
  CONSTRAINT notice_targets_notice_fk FOREIGN KEY (notice_id) REFERENCES notices(id) ON DELETE CASCADE,
  CONSTRAINT notice_targets_class_fk FOREIGN KEY (class_id) REFERENCES classes(id) ON DELETE CASCADE,
  CONSTRAINT notice_targets_role CHECK (role IS NULL OR role IN ('admin','teacher','student','guardian'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notice_reads (
  notice_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  read_at BIGINT NOT NULL,
  PRIMARY KEY (notice_id, user_id),
  CONSTRAINT notice_reads_notice_fk FOREIGN KEY (notice_id) REFERENCES notices(id) ON DELETE CASCADE,
  CONSTRAINT notice_reads_user_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id BIGINT NOT NULL,
  author_id BIGINT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  KEY messages_student (student_id, id),
  CONSTRAINT messages_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT messages_author_fk FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE message_reads (
  student_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  last_read_id BIGINT NOT NULL,
  PRIMARY KEY (student_id, user_id),
  CONSTRAINT message_reads_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT message_reads_user_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
