#include "services/content_version.h"

#include "db/content_versions_repo.h"

namespace sy::services {

namespace content_key {
std::string class_yearbook(std::int64_t class_id) { return db::content_versions::class_yearbook(class_id); }
std::string class_roster(std::int64_t class_id) { return db::content_versions::class_roster(class_id); }
}  // namespace content_key

std::int64_t content_version(db::Tx& t, const std::string& key) { return db::content_versions::get(t, key); }

std::int64_t content_version(App& app, const std::string& key) {
  return app.db->read_result<std::int64_t>([&](db::Tx& t) { return content_version(t, key); });
}

void bump_content(db::Tx& t, const std::string& key) { db::content_versions::bump(t, key); }
void bump_class_pages(db::Tx& t, std::int64_t class_id) { db::content_versions::bump_class(t, class_id); }
void bump_user_pages(db::Tx& t, std::int64_t user_id) { db::content_versions::bump_user_classes(t, user_id); }

}  // namespace sy::services
