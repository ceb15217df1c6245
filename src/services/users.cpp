#include "services/users.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/login_throttle.h"
#include "services/permissions.h"

namespace sy::services {

bool valid_username(std::string_view u) {
  if (u.size() < 3 || u.size() > 64) return false;
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

namespace {

void validate_username(const std::string& u) {
  if (!valid_username(u)) fail(ErrorKind::invalid, "invalid_username", kUsernameRule);
}

// An account role from its text; `system` is not one.
Role validate_role(const std::string& r) {
  auto role = parse_role(r);
  if (!role || role_rank(*role) == 0)
    fail(ErrorKind::invalid, "invalid_role", "role must be admin, teacher, student or guardian");
  return *role;
}

void validate_full_name(const std::string& n) {
  if (n.size() > 200) fail(ErrorKind::invalid, "invalid_name", "the full name must have at most 200 characters");
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f)
      fail(ErrorKind::invalid, "invalid_name", "the full name must not contain control characters");
}

}  // namespace

Created create_user(App& app, const Actor& actor, NewUser u) {
  require(actor, "users.manage");
  validate_username(u.username);
  Role role = validate_role(u.role);
  if (!can_grant_role(actor, role)) deny(actor, "users.grant_role", u.role);
  validate_full_name(u.full_name);
  Created out;
  if (u.password.empty()) u.password = out.generated_password = generate_password();
  validate_password(u.password);
  db::UserRow row;
  row.username = u.username;
  row.password_hash = hash_password(u.password);
  row.role = role;
  row.full_name = u.full_name;
  row.created_at = row.updated_at = now_unix();
  app.db->tx([&](db::Tx& t) {
    if (db::users::by_username(t, u.username))
      fail(ErrorKind::conflict, "username_taken", "that username is already taken");
    row.id = db::users::insert(t, row);
    audit(t, actor, "user.create", "user", std::to_string(row.id),
          "role=" + to_string(row.role) + " username=" + row.username);
  });
  out.user = row;
  return out;
}

std::vector<db::UserRow> list_users(App& app, const Actor& actor, const std::string& role, int limit, int offset) {
  require(actor, "users.manage");
  std::optional<Role> role_filter;
  if (!role.empty()) role_filter = validate_role(role);
  limit = std::clamp(limit, 1, 500);
  offset = std::max(0, offset);
  return app.reader().read_result<std::vector<db::UserRow>>(
      [&](db::Tx& t) { return db::users::list(t, role_filter, limit, offset); });
}

db::UserRow get_user(App& app, const Actor& actor, std::int64_t id) {
  if (actor.id != id) require(actor, "users.manage");
  auto u = app.db->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, id); });
  if (!u) not_found("no such user");
  return *u;
}

void set_user_active(App& app, const Actor& actor, std::int64_t id, bool active) {
  require(actor, "users.manage");
  app.db->tx([&](db::Tx& t) {
    auto u = db::users::by_id(t, id);
    if (!u) not_found("no such user");
    if (!can_grant_role(actor, u->role)) deny(actor, "users.manage", "user " + std::to_string(id));
    if (!active && u->role == Role::admin && u->active && db::users::count_role(t, Role::admin, true) <= 1)
      fail(ErrorKind::conflict, "last_admin", "the last active admin cannot be deactivated");
    db::users::set_active(t, id, active, now_unix());
    if (!active) db::sessions::remove_for_user(t, id);
    audit(t, actor, active ? "user.activate" : "user.deactivate", "user", std::to_string(id));
  });
}

std::string reset_password(App& app, const Actor& actor, std::int64_t id, const std::string& password) {
  // One's own password changes only with the current one (change_own_password): a stolen session
  // must not be able to take the account over for good.
  if (actor.id == id) {
    deny(actor, "users.reset_own_password", "user " + std::to_string(id));
  }
  require(actor, "users.manage");
  std::string pw = password.empty() ? generate_password() : password;
  validate_password(pw);
  std::string hash = hash_password(pw);
  app.db->tx([&](db::Tx& t) {
    auto u = db::users::by_id(t, id);
    if (!u) not_found("no such user");
    if (!can_grant_role(actor, u->role)) deny(actor, "users.manage", "user " + std::to_string(id));
    db::users::set_password(t, id, hash, now_unix());
    db::sessions::remove_for_user(t, id);  // a new password ends every session
    audit(t, actor, "user.password_reset", "user", std::to_string(id));
  });
  return password.empty() ? pw : "";
}

void change_own_password(App& app, const Actor& actor, std::int64_t current_session_id, const std::string& current,
                         const std::string& next) {
  if (actor.id <= 0) unauthorized();
  // Guessing the current password through this form is throttled like a login from an unknown
  // client (the session is not a device cookie: a thief has it).
  const std::int64_t now = now_unix();
  std::string no_device;
  std::int64_t wait = app.db->read_result<std::int64_t>(
      [&](db::Tx& t) { return login_wait(t, actor.username, actor.ip, no_device, now); });
  if (wait > 0) throw Throttled(wait);
  auto u = app.db->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_id(t, actor.id); });
  if (!u || !u->active) unauthorized();
  if (!verify_password(u->password_hash, current)) {
    app.db->tx([&](db::Tx& t) {
      db::auth_failures::record(t, u->username, actor.ip, now);
      audit(t, actor, "user.password_change_failed", "user", std::to_string(u->id), "wrong current password");
    });
    fail(ErrorKind::forbidden, "wrong_password", "the current password is wrong");
  }
  validate_password(next);
  std::string hash = hash_password(next);
  app.db->tx([&](db::Tx& t) {
    db::users::set_password(t, u->id, hash, now_unix());
    // Every other session ends (a thief's included); the one that made the change stays.
    db::sessions::remove_for_user(t, u->id, current_session_id);
    audit(t, actor, "user.password_change", "user", std::to_string(u->id));
  });
}

std::optional<Created> bootstrap_admin(App& app) {
  bool has_admin =
      app.db->read_result<bool>([](db::Tx& t) { return db::users::count_role(t, Role::admin, false) > 0; });
  if (has_admin) return std::nullopt;
  NewUser u{"admin", "", "admin", "Administrator"};
  try {
    return create_user(app, Actor::system("bootstrap"), u);
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::conflict) return std::nullopt;  // another instance created it first
    throw;
  }
}

}  // namespace sy::services
