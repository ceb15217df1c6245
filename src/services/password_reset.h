#pragma once
// Password reset by an emailed single-use link.
//
// - request: always the same answer and about the same time, whether or not the account exists
//   or has an email address (no account enumeration); at most kResetRequestsPerHour requests per
//   client address (429 after that), at most kLinksPerAccountPerHour links per account (further
//   requests silently send nothing).
// - the link carries a 256-bit token; only its SHA-256 is stored; it expires after
//   kResetLinkMinutes and works once. Using it sets the password, voids the user's other links
//   and ends every session of the user.
#include <cstdint>
#include <string>

#include "services/app.h"

namespace sy::services {

inline constexpr int kResetLinkMinutes = 30;
inline constexpr int kResetRequestsPerHour = 10;
inline constexpr int kLinksPerAccountPerHour = 3;
// Every request answers after at least this long (plus jitter), however much work it did.
inline constexpr int kResetAnswerFloorMs = 250;

// `login` is a username or an email address. Throws Throttled when the client asked too often.
void request_password_reset(App& app, const std::string& login, const std::string& ip, const std::string& request_id);

// AppError invalid/"invalid_token" for an unknown, used or expired link (one message for all);
// invalid for a password that breaks the policy (the link stays usable then).
void complete_password_reset(App& app, const std::string& token, const std::string& new_password, const std::string& ip,
                             const std::string& request_id);

}  // namespace sy::services
