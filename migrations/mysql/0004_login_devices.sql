-- Login throttling with device cookies (services/login_throttle): a failure made with a valid
-- device cookie is recorded against that cookie's nonce (`device`), never against the account as a
-- whole; '' marks a failure from a client without one. app_secrets holds server-side keys every
-- instance must share (the device-cookie HMAC key), created on first use.
ALTER TABLE auth_failures
  ADD COLUMN device VARCHAR(64) NOT NULL DEFAULT '',
  ADD KEY auth_failures_device (device, at),
  ADD KEY auth_failures_user_ip (username, ip, at);

CREATE TABLE app_secrets (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
