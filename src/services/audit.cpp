#include "services/audit.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "db/accounts_repo.h"
#include "services/app.h"
#include "services/permissions.h"

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

void audit_now(App& app, const Actor& a, const std::string& action, const std::string& entity_type,
               const std::string& entity_id, const std::string& detail) {
  try {
    app.db->tx([&](db::Tx& t) { audit(t, a, action, entity_type, entity_id, detail); });
  } catch (const std::exception& ex) {
    spdlog::error("could not audit {}: {}", action, ex.what());
  }
}

std::vector<db::AuditRow> audit_log(App& app, const Actor& a, const std::string& action_prefix,
                                    const std::string& actor_username, int limit, int offset) {
  require(a, "audit.view");
  return app.db->read_result<std::vector<db::AuditRow>>(
      [&](db::Tx& t) { return db::audit::list(t, action_prefix, actor_username, limit, offset); });
}

}  // namespace sy::services
