-- Content versions: one counter per shared page (a class yearbook, a class roster, ...). Every change
-- that affects such a page bumps its counter in the same transaction, so a cache keyed by
-- (name, version) on any instance serves fresh bytes on the next request. No row = version 0.
CREATE TABLE content_versions (
  name VARCHAR(96) NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
