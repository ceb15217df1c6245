-- Photos, their derivatives and the job queue (an outbox of S3-ObjectCreated-shaped events).
-- Times are Unix seconds (UTC) except the jobs table, which keeps milliseconds (*_ms) for leases
-- and latency. Object keys are ASCII by construction (storage::valid_key), compared exactly.
CREATE TABLE photos (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'processing',
  moderation VARCHAR(16) NOT NULL DEFAULT 'pending',
  moderation_reason VARCHAR(1000) NOT NULL DEFAULT '',
  moderated_by BIGINT NULL,
  moderated_at BIGINT NULL,
  quote VARCHAR(1000) NOT NULL DEFAULT '',
  original_key VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  original_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  original_size BIGINT NOT NULL,
  source_type VARCHAR(16) NOT NULL DEFAULT '',
  error_code VARCHAR(32) NOT NULL DEFAULT '',
  error VARCHAR(1000) NOT NULL DEFAULT '',
  bytes_out BIGINT NOT NULL DEFAULT 0,
  is_current INT NOT NULL DEFAULT 0,
  purged_at BIGINT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  ready_at BIGINT NULL,
  UNIQUE KEY photos_original_key (original_key),
  KEY photos_student (student_id, is_current),
  CONSTRAINT photos_student_fk FOREIGN KEY (student_id) REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT photos_moderated_by_fk FOREIGN KEY (moderated_by) REFERENCES users(id) ON DELETE SET NULL,
  CONSTRAINT photos_status CHECK (status IN ('processing','ready','failed')),
  CONSTRAINT photos_moderation CHECK (moderation IN ('pending','approved','rejected'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE photo_variants (
  photo_id BIGINT NOT NULL,
  variant VARCHAR(16) NOT NULL,
  object_key VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  size BIGINT NOT NULL,
  width INT NOT NULL,
  height INT NOT NULL,
  content_type VARCHAR(64) NOT NULL,
  PRIMARY KEY (photo_id, variant),
  CONSTRAINT photo_variants_photo_fk FOREIGN KEY (photo_id) REFERENCES photos(id) ON DELETE CASCADE,
  CONSTRAINT photo_variants_variant CHECK (variant IN ('jpeg','webp','thumb'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per object key. visible_at_ms is when a worker may take the job next: the backoff
-- deadline while queued, the lease expiry while running, "never" once done or dead.
CREATE TABLE jobs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(32) NOT NULL DEFAULT 'photo.compress',
  photo_id BIGINT NULL,
  event_name VARCHAR(64) NOT NULL,
  bucket VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  object_key VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  size BIGINT NOT NULL,
  etag VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sequencer VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'queued',
  attempts INT NOT NULL DEFAULT 0,
  visible_at_ms BIGINT NOT NULL,
  lease_owner VARCHAR(128) NOT NULL DEFAULT '',
  lease_token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  last_error VARCHAR(1000) NOT NULL DEFAULT '',
  result VARCHAR(32) NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  started_at_ms BIGINT NULL,
  finished_at_ms BIGINT NULL,
  UNIQUE KEY jobs_object (bucket, object_key),
  KEY jobs_visible (visible_at_ms),
  KEY jobs_status (status),
  KEY jobs_photo (photo_id),
  CONSTRAINT jobs_photo_fk FOREIGN KEY (photo_id) REFERENCES photos(id) ON DELETE CASCADE,
  CONSTRAINT jobs_status_values CHECK (status IN ('queued','running','done','dead'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
