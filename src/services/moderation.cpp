#include "services/moderation.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "db/photos_repo.h"
#include "db/school_repo.h"
#include "services/audit.h"
#include "services/permissions.h"

namespace sy::services {

namespace {
// 0: the whole school; otherwise the teacher whose classes bound the queue.
std::int64_t queue_owner(const Actor& actor) {
  if (scope_for(actor.role, "photos.moderate") == Scope::none) deny(actor, "photos.moderate", "review queue");
  return can(actor, "photos.moderate") ? 0 : actor.id;
}
}  // namespace

std::vector<db::moderation::ClassCount> moderation_classes(App& app, const Actor& actor) {
  auto owner = queue_owner(actor);
  return app.db->read_result<std::vector<db::moderation::ClassCount>>(
      [&](db::Tx& t) { return db::moderation::counts_by_class(t, owner); });
}

std::vector<db::moderation::Pending> class_queue(App& app, const Actor& actor, std::int64_t class_id, int limit) {
  return app.db->read_result<std::vector<db::moderation::Pending>>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "photos.moderate", class_id))
      deny(actor, "photos.moderate", "class " + std::to_string(class_id));
    if (!db::classes::by_id(t, class_id)) not_found("no such class");
    return db::moderation::pending_in_class(t, class_id, limit);
  });
}

std::int64_t pending_review_count(App& app, const Actor& actor) {
  if (scope_for(actor.role, "photos.moderate") == Scope::none) return 0;
  auto owner = can(actor, "photos.moderate") ? 0 : actor.id;
  return app.db->read_result<std::int64_t>([&](db::Tx& t) { return db::moderation::pending_count(t, owner); });
}

std::vector<std::int64_t> approve_photos(App& app, const Actor& actor, const std::vector<std::int64_t>& ids_in) {
  std::vector<std::int64_t> ids = ids_in;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) fail(ErrorKind::invalid, "invalid", "choose at least one photo to approve");
  if (ids.size() > kMaxBulk)
    fail(ErrorKind::invalid, "invalid", "at most " + std::to_string(kMaxBulk) + " photos can be approved at once");
  app.db->tx([&](db::Tx& t) {
    std::vector<db::PhotoRow> rows;
    std::string problems;
    for (auto id : ids) {
      auto p = db::photos::by_id(t, id);
      if (!p) not_found("no such photo: " + std::to_string(id) + " (nothing was approved)");
      if (!can_on_student(t, actor, "photos.moderate", p->student_id))
        deny(actor, "photos.moderate", "photo " + std::to_string(id));
      std::string why = p->purged_at                       ? "it was replaced and its files deleted"
                        : p->status == PhotoStatus::failed ? "it failed processing"
                        : p->status != PhotoStatus::ready  ? "it is still being processed"
                        : !p->is_current                   ? "the student has uploaded a newer one"
                                                           : "";
      if (!why.empty()) problems += (problems.empty() ? "" : "; ") + ("photo " + std::to_string(id) + ": " + why);
      rows.push_back(*p);
    }
    if (!problems.empty()) conflict("nothing was approved: " + problems);
    std::int64_t now = now_unix();
    for (const auto& p : rows) {
      db::photos::moderate(t, p.id, Moderation::approved, "", actor.id, now);
      audit(t, actor, "photo.approve", "photo", std::to_string(p.id), "bulk");
    }
  });
  return ids;
}

}  // namespace sy::services
