#pragma once
// The audit trail: who did what to which record, when (UTC), from where.
#include <string>

#include "db/database.h"
#include "services/actor.h"

namespace sy::services {

// Written inside the caller's transaction, so the record and its audit row commit together.
void audit(db::Tx& t, const Actor& a, const std::string& action, const std::string& entity_type,
           const std::string& entity_id, const std::string& detail = "");

}  // namespace sy::services
