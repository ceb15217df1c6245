#include "services/password_reset.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"
#include "db/accounts_repo.h"
#include "db/reset_repo.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/login_throttle.h"
#include "services/mail.h"

namespace sy::services {

namespace {

// Sleeps until `floor` after `start`, plus up to 50 ms of jitter, so the answer's timing does not
// tell whether a link was made (database writes, an outbox row) or not.
void pad(std::chrono::steady_clock::time_point start) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> jitter(0, 50);
  auto until = start + std::chrono::milliseconds(kResetAnswerFloorMs + jitter(rng));
  std::this_thread::sleep_until(until);
}

[[noreturn]] void invalid_link() {
  fail(ErrorKind::invalid, "invalid_token", "this reset link is invalid, used or expired; ask for a new one");
}

}  // namespace

void request_password_reset(App& app, const std::string& login, const std::string& ip, const std::string& request_id) {
  auto start = std::chrono::steady_clock::now();
  const std::int64_t now = now_unix();
  Actor anon{0, "anonymous", Role::anonymous, ip, request_id};
  // The token is made whether or not it will be used (the padding below evens out the rest).
  std::string first_token = random_token(32);
  std::int64_t wait = 0;
  bool queued = false;
  app.db->tx([&](db::Tx& t) {
    wait = 0;
    queued = false;
    std::string token = first_token;
    if (db::resets::requests_since(t, ip, now - 3600) >= kResetRequestsPerHour) {
      wait = 3600;
      return;
    }
    db::resets::record_request(t, ip, now);
    db::resets::prune_requests(t, now - 2 * 3600);
    if (login.empty() || login.size() > 254) return;
    for (const auto& u : db::resets::users_for_login(t, login)) {
      if (db::resets::count_since(t, u.id, now - 3600) >= kLinksPerAccountPerHour) continue;
      // Each account its own token (the first uses the one made above).
      std::string tok = token.empty() ? random_token(32) : std::move(token);
      token.clear();
      auto reset_id = db::resets::insert(t, u.id, sha256_hex(tok), now, now + kResetLinkMinutes * 60, ip);
      auto r = enqueue_email(t, app.config, MailTo::user(u.id), "password_reset",
                             {{"username", u.username},
                              {"minutes", std::to_string(kResetLinkMinutes)},
                              {"link", app.config.public_url + "/password-reset/confirm?token=" + tok}},
                             "pwreset:" + std::to_string(reset_id), /*essential=*/true);
      queued = queued || r.what == Enqueued::queued;
      audit(t, anon, "user.password_reset_requested", "user", std::to_string(u.id), enqueued_name(r.what));
    }
  });
  // A throttled answer depends on the client address only, so it needs no padding.
  if (wait > 0) throw Throttled(wait);
  if (queued) app.wake_workers();
  pad(start);
}

void complete_password_reset(App& app, const std::string& token, const std::string& new_password, const std::string& ip,
                             const std::string& request_id) {
  if (token.empty() || token.size() > 100) invalid_link();
  std::string token_hash = sha256_hex(token);
  const std::int64_t now = now_unix();
  // Check the link first (so a bad link is not told about the password), then the policy.
  auto row = app.db->read_result<std::optional<db::ResetRow>>(
      [&](db::Tx& t) { return db::resets::by_token_hash(t, token_hash); });
  if (!row || row->used_at || row->expires_at <= now) invalid_link();
  validate_password(new_password);
  std::string hash = hash_password(new_password);
  app.db->tx([&](db::Tx& t) {
    // Again under the lock: two uses of one link race here, and only one finds it unused.
    auto r = db::resets::by_token_hash(t, token_hash);
    if (!r || r->used_at || r->expires_at <= now_unix()) invalid_link();
    auto u = db::users::by_id(t, r->user_id);
    if (!u || !u->active) invalid_link();
    db::users::set_password(t, u->id, hash, now);
    db::resets::use_all(t, u->id, now);
    db::sessions::remove_for_user(t, u->id);  // whoever was logged in as this user is out
    Actor anon{0, "anonymous", Role::anonymous, ip, request_id};
    audit(t, anon, "user.password_reset_by_link", "user", std::to_string(u->id));
  });
}

}  // namespace sy::services
