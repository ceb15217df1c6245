-- Email outbox, password reset links, notices with read receipts, guardian–teacher messages.
-- Times are Unix seconds (UTC).

-- One row per email ever asked for. dedupe_key makes enqueueing idempotent (one absence alert per
-- student per guardian per day, one notification per message and recipient). job_id is the
-- mail.send job that delivers it (NULL when nothing is sent: skipped says why — opt_out,
-- no_address, mail_off). The job row holds the delivery state (queued/running/done/dead).
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  to_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  to_address TEXT NOT NULL DEFAULT '',
  template TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  essential INTEGER NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX mail_outbox_job ON mail_outbox(job_id);
CREATE INDEX mail_outbox_user ON mail_outbox(to_user_id);

-- Single-use reset links: only the SHA-256 of the token is kept.
CREATE TABLE password_resets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);

-- Every reset request, whether or not the account exists (the per-address rate limit).
CREATE TABLE password_reset_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ip TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX password_reset_requests_ip ON password_reset_requests(ip, at);

CREATE TABLE notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  publish_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notices_publish ON notices(publish_at);

-- Who a notice is for: a user matches a row when (class_id is NULL or the user belongs to the
-- class: enrolled student, guardian of one, assigned teacher) and (role is NULL or it is the
-- user's role). A notice reaches the union of its rows; (NULL, NULL) is school-wide.
CREATE TABLE notice_targets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  notice_id INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  class_id INTEGER REFERENCES classes(id) ON DELETE CASCADE,
  role TEXT CHECK (role IS NULL OR role IN ('admin','teacher','student','guardian'))
);
CREATE INDEX notice_targets_notice ON notice_targets(notice_id);

CREATE TABLE notice_reads (
  notice_id INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  read_at BIGINT NOT NULL,
  PRIMARY KEY (notice_id, user_id)
);

-- One thread per student between the teachers of the student's classes and the student's
-- guardians.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX messages_student ON messages(student_id, id);

-- The newest message each participant has seen in a thread (unread counts).
CREATE TABLE message_reads (
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_read_id BIGINT NOT NULL,
  PRIMARY KEY (student_id, user_id)
);
