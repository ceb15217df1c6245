#include "services/shared_pages.h"

#include "core/error.h"
#include "db/school_repo.h"
#include "services/content_version.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

void check_view(db::Tx& t, const Actor& actor, std::int64_t class_id) {
  if (!can_on_class(t, actor, "yearbook.view", class_id))
    deny(actor, "yearbook.view", "class " + std::to_string(class_id));
}

}  // namespace

std::int64_t yearbook_version(App& app, const Actor& actor, std::int64_t class_id) {
  return app.db->read_result<std::int64_t>([&](db::Tx& t) {
    check_view(t, actor, class_id);
    return content_version(t, content_key::class_yearbook(class_id));
  });
}

VersionedYearbook yearbook_at_version(App& app, const Actor& actor, std::int64_t class_id) {
  VersionedYearbook out;
  const auto key = content_key::class_yearbook(class_id);
  app.db->read([&](db::Tx& t) {
    check_view(t, actor, class_id);
    // Version first: the content read after it is at least that new (MySQL reads committed rows
    // statement by statement), so a body is never cached under a version newer than itself.
    out.version = content_version(t, key);
    auto cls = db::classes::by_id(t, class_id);
    if (!cls) not_found("no such class");
    out.yearbook.cls = *cls;
    out.yearbook.entries.clear();
    // One query on the primary: active students, their consent, and only a current, processed,
    // approved photo (db::yearbook::entries). A photo is shown only with yearbook or print consent.
    for (auto& r : db::yearbook::entries(t, class_id)) {
      YearbookEntry e;
      e.student_id = r.student_id;
      e.full_name = std::move(r.full_name);
      bool shown = r.photo_id && (r.consent == "yearbook" || r.consent == "print");
      e.photo_id = shown ? r.photo_id : 0;
      e.quote = shown ? std::move(r.quote) : "";
      out.yearbook.entries.push_back(std::move(e));
    }
    out.settled = content_version(t, key) == out.version;
  });
  return out;
}

bool roster_staff_view(const Actor& actor) {
  auto scope = scope_for(actor.role, "classes.view");
  return scope == Scope::school || scope == Scope::own_classes;
}

std::int64_t roster_version(App& app, const Actor& actor, std::int64_t class_id) {
  return app.db->read_result<std::int64_t>([&](db::Tx& t) {
    if (!can_on_class(t, actor, "classes.view", class_id))
      deny(actor, "classes.view", "class " + std::to_string(class_id));
    return content_version(t, content_key::class_roster(class_id));
  });
}

VersionedClass class_at_version(App& app, const Actor& actor, std::int64_t class_id) {
  const auto key = content_key::class_roster(class_id);
  VersionedClass out;
  out.version = content_version(app, key);
  out.detail = get_class(app, actor, class_id);
  out.settled = content_version(app, key) == out.version;
  return out;
}

}  // namespace sy::services
