#pragma once
// User administration: create, list, deactivate/activate, reset passwords, first admin.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/accounts_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// The one username rule, for accounts made any way (API, pages, CSV import, CLI).
inline constexpr const char* kUsernameRule = "the username must have 3 to 64 characters of a-z, 0-9, '.', '_' and '-'";
bool valid_username(std::string_view u);

struct NewUser {
  std::string username;
  std::string password;  // empty → generated
  std::string role;
  std::string full_name;
};

struct Created {
  db::UserRow user;
  std::string generated_password;  // set when the password was generated (shown once)
};

// users.manage at school scope, and never a role above the actor's own. Validates the username
// ([a-z0-9._-], 3–64), role, full name (≤ 200) and password policy.
Created create_user(App& app, const Actor& actor, NewUser u);
std::vector<db::UserRow> list_users(App& app, const Actor& actor, const std::string& role, int limit, int offset);
db::UserRow get_user(App& app, const Actor& actor, std::int64_t id);
// Deactivating ends every session of that user; the last active admin cannot be deactivated.
void set_user_active(App& app, const Actor& actor, std::int64_t id, bool active);
// An administrator sets someone else's password (generated when empty; returned) and ends every
// session of that user. Never one's own: that needs the current password (change_own_password).
std::string reset_password(App& app, const Actor& actor, std::int64_t id, const std::string& password = "");
// One's own password, with the current one (403 wrong_password; throttled like a login from an
// unknown client). Ends the user's other sessions, keeping `current_session_id`.
void change_own_password(App& app, const Actor& actor, std::int64_t current_session_id, const std::string& current,
                         const std::string& next);
// On the very first start: when no admin exists, creates "admin" with a random password.
std::optional<Created> bootstrap_admin(App& app);

}  // namespace sy::services
