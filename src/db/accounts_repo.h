#pragma once
// Repositories for users, sessions, login failures and the audit log.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct UserRow {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;
  Role role = Role::anonymous;
  std::string full_name;
  bool active = true;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

namespace users {
std::int64_t insert(Tx& t, const UserRow& u);
std::optional<UserRow> by_id(Tx& t, std::int64_t id);
std::optional<UserRow> by_username(Tx& t, const std::string& username);
// no role = all roles; ordered by username
std::vector<UserRow> list(Tx& t, std::optional<Role> role, int limit, int offset);
std::vector<UserRow> by_ids(Tx& t, const std::vector<std::int64_t>& ids);
void set_active(Tx& t, std::int64_t id, bool active, std::int64_t now);
void set_password(Tx& t, std::int64_t id, const std::string& hash, std::int64_t now);
void set_full_name(Tx& t, std::int64_t id, const std::string& full_name, std::int64_t now);
std::int64_t count_role(Tx& t, Role role, bool active_only);
}  // namespace users

struct SessionRow {
  std::int64_t id = 0;
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t expires_at = 0;
  std::string ip;
};

namespace sessions {
std::int64_t insert(Tx& t, const SessionRow& s);
// The session with this token hash and its user, in one indexed query (every request asks).
struct WithUser {
  SessionRow session;
  UserRow user;
};
std::optional<WithUser> resolve(Tx& t, const std::string& token_hash);
std::optional<SessionRow> by_token_hash(Tx& t, const std::string& token_hash);
void touch(Tx& t, std::int64_t id, std::int64_t now);
void remove(Tx& t, std::int64_t id);
void remove_for_user(Tx& t, std::int64_t user_id, std::int64_t except_id = 0);
int purge(Tx& t, std::int64_t idle_before, std::int64_t now);
}  // namespace sessions

namespace auth_failures {
// `device`: the nonce of the valid device cookie the attempt carried, "" for an unknown client.
void record(Tx& t, const std::string& username, const std::string& ip, std::int64_t at, const std::string& device = "");
struct Stats {
  std::int64_t count = 0;
  std::int64_t latest = 0;  // time of the most recent failure (0 when none)
};
// Failures made with that device cookie since `since`.
Stats device_stats(Tx& t, const std::string& device, std::int64_t since);
// Unknown-client failures since `since` for that account and address; "" matches any.
Stats unknown_stats(Tx& t, const std::string& username, const std::string& ip, std::int64_t since);
void clear_device(Tx& t, const std::string& device);
void clear_unknown(Tx& t, const std::string& username, const std::string& ip);
std::int64_t count_user(Tx& t, const std::string& username, std::int64_t since);
std::int64_t count_ip(Tx& t, const std::string& ip, std::int64_t since);
// The time of the n-th most recent failure (1 = latest) for the account, or 0.
std::int64_t nth_latest_user(Tx& t, const std::string& username, int n);
void clear_user(Tx& t, const std::string& username);
int purge(Tx& t, std::int64_t before);
}  // namespace auth_failures

// Server-side keys every instance shares (e.g. the device-cookie HMAC key).
namespace secrets {
std::optional<std::string> get(Tx& t, const std::string& name);
// Throws on a duplicate name (another instance created it first).
void insert(Tx& t, const std::string& name, const std::string& value, std::int64_t now);
}  // namespace secrets

struct AuditRow {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::optional<std::int64_t> actor_id;
  std::string actor_username;
  std::string action;       // e.g. "user.create", "login.failed", "access.denied"
  std::string entity_type;  // e.g. "user"
  std::string entity_id;
  std::string detail;
  std::string ip;
  std::string request_id;
};

namespace audit {
void insert(Tx& t, const AuditRow& r);
// Newest first. Empty filters match everything.
std::vector<AuditRow> list(Tx& t, const std::string& action_prefix, const std::string& actor, int limit, int offset);
}  // namespace audit

}  // namespace sy::db
