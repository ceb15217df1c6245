#include "services/audit.h"

#include "core/clock.h"
#include "db/accounts_repo.h"

namespace sy::services {

void audit(db::Tx& t, const Actor& a, const std::string& action, const std::string& entity_type,
           const std::string& entity_id, const std::string& detail) {
  db::AuditRow r;
  r.at = now_unix();
  if (a.id > 0) r.actor_id = a.id;
  r.actor_username = a.username.substr(0, 64);
  r.action = action;
  r.entity_type = entity_type;
  r.entity_id = entity_id;
  r.detail = detail.substr(0, 2000);
  r.ip = a.ip.substr(0, 64);
  r.request_id = a.request_id.substr(0, 64);
  db::audit::insert(t, r);
}

}  // namespace sy::services
