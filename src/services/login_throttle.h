#pragma once
// Login throttling that cannot be turned against users: OWASP's "Slow Down Online Guessing Attacks
// with Device Cookies". A browser (or API client) that has logged in to an account gets a signed
// device cookie bound to that username. A login presenting a valid one is judged only by that
// cookie's own failures, so failures from elsewhere never slow the account's owner. Clients
// without one ("unknown clients") get growing delays per account+address, per account and per
// address, answered as 429 with Retry-After. docs/operations.md explains the numbers.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "db/database.h"
#include "services/app.h"

namespace sy::services {

// Failures are remembered this long (serve purges older rows); the counts below are per window.
constexpr std::int64_t kFailureWindowSeconds = 24 * 60 * 60;
// A device cookie with this many failures is locked out: it counts as an unknown client.
constexpr int kDeviceFailureLimit = 10;
// Unknown clients: failures allowed without delay, then 1 s, 2 s, 4 s … after the latest one.
constexpr int kAccountAddressFreeFailures = 5;  // one account from one address
constexpr int kAccountFreeFailures = 20;        // one account from anywhere (a botnet)
constexpr int kAddressFreeFailures = 1000;      // one address, any accounts (a school NAT)
constexpr std::int64_t kMaxDelaySeconds = 15 * 60;
constexpr std::int64_t kDeviceCookieMaxAgeSeconds = 180ll * 24 * 60 * 60;

// A 429 with the seconds to wait (the HTTP layer sends them as Retry-After).
struct Throttled : AppError {
  std::int64_t retry_after;
  explicit Throttled(std::int64_t seconds);
};

// The delay owed after `failures` failures when `free` of them cost nothing: 0, then 1 s doubling
// per failure, capped at kMaxDelaySeconds.
std::int64_t backoff_seconds(std::int64_t failures, int free);

// A fresh cookie value for this username ("<nonce>.<HMAC>"); the key is shared via the database.
std::string make_device_cookie(App& app, const std::string& username);
// The cookie's nonce when it is genuine and was issued for this username, else "".
std::string device_of(App& app, const std::string& username, const std::string& cookie);

// Seconds this login attempt must wait (0 = go ahead). `device` is from device_of(); it is
// cleared when that cookie is locked out, so the caller records failures under the right key.
std::int64_t login_wait(db::Tx& t, const std::string& username, const std::string& ip, std::string& device,
                        std::int64_t now);

}  // namespace sy::services
