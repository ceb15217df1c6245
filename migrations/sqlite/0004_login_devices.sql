-- Login throttling with device cookies (services/login_throttle): a failure made with a valid
-- device cookie is recorded against that cookie's nonce (`device`), never against the account as a
-- whole; '' marks a failure from a client without one. app_secrets holds server-side keys every
-- instance must share (the device-cookie HMAC key), created on first use.
ALTER TABLE auth_failures ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE INDEX auth_failures_device ON auth_failures(device, at);
CREATE INDEX auth_failures_user_ip ON auth_failures(username, ip, at);

CREATE TABLE app_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
