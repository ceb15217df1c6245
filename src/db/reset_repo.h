#pragma once
// Password reset links (password_resets: only the token's SHA-256 is stored) and the per-address
// record of reset requests (password_reset_requests) that rate-limits them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct ResetRow {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

namespace resets {

struct LoginMatch {
  std::int64_t id = 0;
  std::string username;
};
// The active user whose username is `login`, else the active users (at most 5) whose email
// address it is (one address may serve several accounts, e.g. a parent's).
std::vector<LoginMatch> users_for_login(Tx& t, const std::string& login);

std::int64_t insert(Tx& t, std::int64_t user_id, const std::string& token_hash, std::int64_t now,
                    std::int64_t expires_at, const std::string& ip);
// Locks the row (MySQL) so that two uses of one link cannot both pass.
std::optional<ResetRow> by_token_hash(Tx& t, const std::string& token_hash);
// Marks every unused link of the user used (the one just used, and any older ones).
void use_all(Tx& t, std::int64_t user_id, std::int64_t now);
std::int64_t count_since(Tx& t, std::int64_t user_id, std::int64_t since);

void record_request(Tx& t, const std::string& ip, std::int64_t now);
std::int64_t requests_since(Tx& t, const std::string& ip, std::int64_t since);
// Forgets requests older than `before` (they no longer count).
void prune_requests(Tx& t, std::int64_t before);

}  // namespace resets

}  // namespace sy::db
