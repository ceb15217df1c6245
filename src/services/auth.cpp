#include "services/auth.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/text.h"
#include "services/audit.h"
#include "services/login_throttle.h"

namespace sy::services {

namespace {

// OWASP minimum for Argon2id: m = 19 MiB, t = 2, p = 1 (libsodium's argon2id uses p = 1).
constexpr unsigned long long kOps = 2;
constexpr std::size_t kMem = 19u * 1024 * 1024;

// A hash to verify against when the user does not exist, so timing does not reveal usernames.
const std::string& dummy_hash() {
  static const std::string h = hash_password("dummy-password-for-timing");
  return h;
}

}  // namespace

std::string hash_password(const std::string& password) {
  crypto_init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOps, kMem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
  crypto_init();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void validate_password(const std::string& password) {
  auto n = text::utf8_length(password);
  if (n < 12) fail(ErrorKind::invalid, "weak_password", "the password must have at least 12 characters");
  if (n > 128) fail(ErrorKind::invalid, "weak_password", "the password must have at most 128 characters");
}

std::string generate_password() { return random_token(15); }  // 120 bits → 20 characters

Login login(App& app, const std::string& username_in, const std::string& password, const std::string& ip,
            const std::string& request_id, const std::string& previous_token, const std::string& device_cookie) {
  const std::string username = username_in.substr(0, 64);
  const std::int64_t now = now_unix();
  Actor who{0, username, Role::anonymous, ip, request_id};

  // The throttle comes before the password check: a right password from a client that must wait
  // still waits, so the answer is no oracle. A browser with this account's device cookie waits
  // only for its own failures (services/login_throttle.h).
  std::string device = device_of(app, username, device_cookie);
  std::int64_t retry_after = 0;
  app.db->read([&](db::Tx& t) { retry_after = login_wait(t, username, ip, device, now); });
  if (retry_after > 0) {
    spdlog::warn("login throttled: user={} ip={} known_device={}", log_safe(username), ip, !device.empty());
    app.db->tx([&](db::Tx& t) { audit(t, who, "login.throttled", "user", username); });
    throw Throttled(retry_after);
  }

  std::optional<db::UserRow> user;
  app.db->read([&](db::Tx& t) { user = db::users::by_username(t, username); });
  bool ok = user ? verify_password(user->password_hash, password) : (verify_password(dummy_hash(), password), false);
  if (!ok || !user->active) {
    app.db->tx([&](db::Tx& t) {
      db::auth_failures::record(t, username, ip, now, device);
      audit(t, who, "login.failed", "user", user ? std::to_string(user->id) : username,
            user && !user->active ? "inactive account" : (device.empty() ? "" : "known device"));
    });
    fail(ErrorKind::unauthorized, "invalid_credentials", "wrong username or password");
  }

  Login out;
  out.user = *user;
  out.token = random_token(32);
  out.csrf_token = random_token(32);
  out.device_cookie = make_device_cookie(app, user->username);  // a fresh one at every login
  app.db->tx([&](db::Tx& t) {
    if (!previous_token.empty())
      if (auto old = db::sessions::by_token_hash(t, sha256_hex(previous_token))) db::sessions::remove(t, old->id);
    db::SessionRow s;
    s.token_hash = sha256_hex(out.token);
    s.user_id = user->id;
    s.csrf_token = out.csrf_token;
    s.created_at = s.last_seen_at = now;
    s.expires_at = now + kSessionAbsoluteSeconds;
    s.ip = ip.substr(0, 64);
    out.session_id = db::sessions::insert(t, s);
    // Only what this client did is forgiven: failures other clients made against the account
    // (an attack in progress) keep slowing unknown clients.
    if (!device.empty()) db::auth_failures::clear_device(t, device);
    db::auth_failures::clear_unknown(t, username, ip);
    Actor a{user->id, user->username, user->role, ip, request_id};
    audit(t, a, "login.ok", "user", std::to_string(user->id));
  });
  return out;
}

std::optional<SessionUser> resolve_session(App& app, const std::string& token) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  const std::int64_t now = now_unix();
  std::optional<SessionUser> out;
  bool expired = false, needs_touch = false;
  std::int64_t sid = 0;
  // One statement, so no transaction around it (BEGIN and COMMIT were half of this read's cost):
  // with_session leases a connection without one. It is a read, safe to retry.
  app.db->with_session([&](db::Tx& t) {
    auto w = db::sessions::resolve(t, sha256_hex(token));  // session and user in one query
    if (!w) return;
    const auto& s = w->session;
    sid = s.id;
    if (now - s.last_seen_at > kSessionIdleSeconds || now >= s.expires_at || !w->user.active) {
      expired = true;
      return;
    }
    out = SessionUser{std::move(w->user), s.id, s.csrf_token};
    needs_touch = now - s.last_seen_at >= 30;  // fewer writes; idle precision of 30 s is plenty
  });
  // Both are safe to run twice, so a failover that cuts the connection during COMMIT retries them.
  if (expired)
    app.db->tx([&](db::Tx& t) { db::sessions::remove(t, sid); }, db::Idempotent::yes);
  else if (needs_touch)
    app.db->tx([&](db::Tx& t) { db::sessions::touch(t, sid, now); }, db::Idempotent::yes);
  return out;
}

void logout(App& app, const std::string& token, const Actor& actor) {
  app.db->tx([&](db::Tx& t) {
    if (auto s = db::sessions::by_token_hash(t, sha256_hex(token))) {
      db::sessions::remove(t, s->id);
      audit(t, actor, "logout", "user", std::to_string(s->user_id));
    }
  });
}

}  // namespace sy::services
