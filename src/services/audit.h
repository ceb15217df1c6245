#pragma once
// The audit trail: who did what to which record, when (UTC), from where.
#include <string>
#include <vector>

#include "db/accounts_repo.h"
#include "db/database.h"
#include "services/actor.h"

namespace sy::services {
struct App;
}

namespace sy::services {

// Written inside the caller's transaction, so the record and its audit row commit together.
void audit(db::Tx& t, const Actor& a, const std::string& action, const std::string& entity_type,
           const std::string& entity_id, const std::string& detail = "");

// The same in a transaction of its own, for events with no change to go with (a denied request).
// Never throws: a failure to audit is logged, and the caller's answer stands.
void audit_now(App& app, const Actor& a, const std::string& action, const std::string& entity_type,
               const std::string& entity_id, const std::string& detail = "");

// The audit log, newest first, for those with audit.view (AppError 403 otherwise): entries whose
// action starts with `action_prefix` and whose actor is `actor_username` (either may be empty).
std::vector<db::AuditRow> audit_log(App& app, const Actor& a, const std::string& action_prefix,
                                    const std::string& actor_username, int limit, int offset);

}  // namespace sy::services
