#pragma once
// Passwords, logins, sessions and throttling. Sessions live in the database so any app instance
// can serve any request; only a SHA-256 of the token is stored.
#include <cstdint>
#include <optional>
#include <string>

#include "db/accounts_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/login_throttle.h"

namespace sy::services {

constexpr std::int64_t kSessionIdleSeconds = 30 * 60;
constexpr std::int64_t kSessionAbsoluteSeconds = 12 * 60 * 60;

std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);
// 12–128 characters (code points), no composition rules; AppError 422 otherwise.
void validate_password(const std::string& password);
std::string generate_password();  // 20 random URL-safe characters

struct Login {
  db::UserRow user;
  std::string token;  // raw session token: goes into the cookie, nowhere else
  std::string csrf_token;
  std::int64_t session_id = 0;
  std::string device_cookie;  // a fresh device cookie for this account (services/login_throttle.h)
};

// Verifies credentials with throttling. AppError 401 invalid_credentials, Throttled (429) with the
// seconds to wait. `previous_token` (the caller's current session, if any) is ended: a new token
// at every login. `device_cookie`: the client's device cookie, if any (login_throttle.h).
Login login(App& app, const std::string& username, const std::string& password, const std::string& ip,
            const std::string& request_id, const std::string& previous_token = "",
            const std::string& device_cookie = "");

struct SessionUser {
  db::UserRow user;
  std::int64_t session_id = 0;
  std::string csrf_token;
};
// Resolves a raw token to its live session (idle and absolute expiry enforced; inactive users
// rejected) and records activity.
std::optional<SessionUser> resolve_session(App& app, const std::string& token);
void logout(App& app, const std::string& token, const Actor& actor);

}  // namespace sy::services
