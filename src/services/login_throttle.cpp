#include "services/login_throttle.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "core/clock.h"
#include "core/random.h"
#include "db/accounts_repo.h"

namespace sy::services {

namespace {

constexpr const char* kKeyName = "device_cookie_hmac_key";

// One key for every instance: read from the database, created by whichever instance needs it
// first (a concurrent creator loses the primary-key race and reads the winner's key).
std::string load_key(App& app) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto key = app.db->read_result<std::optional<std::string>>([](db::Tx& t) { return db::secrets::get(t, kKeyName); });
    if (key && !key->empty()) return *key;
    try {
      app.db->tx([](db::Tx& t) { db::secrets::insert(t, kKeyName, random_token(32), now_unix()); });
    } catch (const std::exception&) {
      // Another instance inserted it first (duplicate key); read theirs on the next pass.
    }
  }
  throw std::runtime_error("could not load or create the device-cookie key");
}

const std::string& device_key(App& app) {
  std::lock_guard lock(app.secrets_mu);
  if (app.device_cookie_key.empty()) app.device_cookie_key = load_key(app);
  return app.device_cookie_key;
}

// URL-safe base64 of HMAC-SHA256(key, "sy-device-v1" NUL username NUL nonce).
std::string sign(const std::string& key, const std::string& username, const std::string& nonce) {
  crypto_init();
  std::string msg = std::string("sy-device-v1") + '\0' + username + '\0' + nonce;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return b64;
}

// Seconds still owed for one bucket of unknown-client failures.
std::int64_t owed(const db::auth_failures::Stats& s, int free, std::int64_t now) {
  std::int64_t d = backoff_seconds(s.count, free);
  return d == 0 ? 0 : std::max<std::int64_t>(0, s.latest + d - now);
}

}  // namespace

Throttled::Throttled(std::int64_t seconds)
    : AppError(ErrorKind::throttled, "throttled",
               "too many failed attempts; try again in " + std::to_string(seconds) + " seconds"),
      retry_after(seconds) {}

std::int64_t backoff_seconds(std::int64_t failures, int free) {
  if (failures < free) return 0;
  std::int64_t over = failures - free;
  if (over >= 20) return kMaxDelaySeconds;
  return std::min<std::int64_t>(kMaxDelaySeconds, std::int64_t{1} << over);
}

std::string make_device_cookie(App& app, const std::string& username) {
  std::string nonce = random_token(16);
  return nonce + "." + sign(device_key(app), username, nonce);
}

std::string device_of(App& app, const std::string& username, const std::string& cookie) {
  if (cookie.empty() || cookie.size() > 128) return "";
  auto dot = cookie.find('.');
  if (dot == std::string::npos || dot == 0) return "";
  std::string nonce = cookie.substr(0, dot);
  if (!constant_time_equal(cookie.substr(dot + 1), sign(device_key(app), username, nonce))) return "";
  return nonce;
}

std::int64_t login_wait(db::Tx& t, const std::string& username, const std::string& ip, std::string& device,
                        std::int64_t now) {
  const std::int64_t since = now - kFailureWindowSeconds;
  if (!device.empty()) {
    // A known device answers only for its own failures: nothing anyone else does slows it.
    if (db::auth_failures::device_stats(t, device, since).count < kDeviceFailureLimit) return 0;
    device.clear();  // locked out: from now on an unknown client like any other
  }
  std::int64_t wait = owed(db::auth_failures::unknown_stats(t, username, ip, since), kAccountAddressFreeFailures, now);
  wait = std::max(wait, owed(db::auth_failures::unknown_stats(t, username, "", since), kAccountFreeFailures, now));
  wait = std::max(wait, owed(db::auth_failures::unknown_stats(t, "", ip, since), kAddressFreeFailures, now));
  return wait;
}

}  // namespace sy::services
