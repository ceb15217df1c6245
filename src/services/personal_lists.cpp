#include "services/personal_lists.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "db/content_versions_repo.h"
#include "db/moderation_repo.h"
#include "services/permissions.h"

namespace sy::services {

std::int64_t personal_lists_version(App& app) {
  return app.db->read_result<std::int64_t>(
      [](db::Tx& t) { return db::content_versions::get(t, db::content_versions::personal_lists()); });
}

CountAt pending_review_count_at(App& app, const Actor& actor) {
  return app.db->read_result<CountAt>([&](db::Tx& t) {
    CountAt out;
    // The version first: a change committed after this snapshot bumps past it.
    out.version = db::content_versions::get(t, db::content_versions::personal_lists());
    if (scope_for(actor.role, "photos.moderate") != Scope::none)
      out.count = db::moderation::pending_count(t, can(actor, "photos.moderate") ? 0 : actor.id);
    return out;
  });
}

NoticesAt my_notices_at(App& app, const Actor& actor, int limit) {
  if (actor.id <= 0) unauthorized();
  const std::int64_t now = now_unix();
  return app.db->read_result<NoticesAt>([&](db::Tx& t) {
    NoticesAt out;
    out.version = db::content_versions::get(t, db::content_versions::personal_lists());
    out.notices = db::notices::for_user(t, actor.id, actor.role, now, std::clamp(limit, 1, 200));
    if (auto next = db::notices::next_publish_after(t, now)) out.valid_until = *next;
    return out;
  });
}

}  // namespace sy::services
