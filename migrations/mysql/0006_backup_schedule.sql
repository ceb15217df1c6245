-- Scheduled backups: one row whose lease decides which of several `serve` instances takes the
-- backup of a period (a conditional UPDATE claims it; see db/backup_dump.h).
CREATE TABLE backup_schedule (
  name VARCHAR(32) NOT NULL PRIMARY KEY,
  holder VARCHAR(128) NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  next_due BIGINT NOT NULL DEFAULT 0,
  last_backup_id VARCHAR(64) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO backup_schedule (name) VALUES ('scheduled');
