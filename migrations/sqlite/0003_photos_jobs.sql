-- Photos, their derivatives and the job queue (an outbox of S3-ObjectCreated-shaped events).
-- Times are Unix seconds (UTC) except the jobs table, which keeps milliseconds (*_ms) for leases
-- and latency.
CREATE TABLE photos (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'processing' CHECK (status IN ('processing','ready','failed')),
  moderation TEXT NOT NULL DEFAULT 'pending' CHECK (moderation IN ('pending','approved','rejected')),
  moderation_reason TEXT NOT NULL DEFAULT '',
  moderated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  moderated_at BIGINT,
  quote TEXT NOT NULL DEFAULT '',
  original_key TEXT NOT NULL UNIQUE,
  original_sha256 TEXT NOT NULL,
  original_size BIGINT NOT NULL,
  source_type TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  bytes_out BIGINT NOT NULL DEFAULT 0,
  is_current INT NOT NULL DEFAULT 0,
  purged_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  ready_at BIGINT
);
CREATE INDEX photos_student ON photos(student_id, is_current);

CREATE TABLE photo_variants (
  photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  variant TEXT NOT NULL CHECK (variant IN ('jpeg','webp','thumb')),
  object_key TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  PRIMARY KEY (photo_id, variant)
);

-- One row per object key. visible_at_ms is when a worker may take the job next: the backoff
-- deadline while queued, the lease expiry while running, "never" once done or dead.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL DEFAULT 'photo.compress',
  photo_id INTEGER REFERENCES photos(id) ON DELETE CASCADE,
  event_name TEXT NOT NULL,
  bucket TEXT NOT NULL,
  object_key TEXT NOT NULL,
  size BIGINT NOT NULL,
  etag TEXT NOT NULL,
  sequencer TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  visible_at_ms BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_token TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  started_at_ms BIGINT,
  finished_at_ms BIGINT,
  UNIQUE (bucket, object_key)
);
CREATE INDEX jobs_visible ON jobs(visible_at_ms);
CREATE INDEX jobs_status ON jobs(status);
CREATE INDEX jobs_photo ON jobs(photo_id);
