#include "services/yearbook.h"

#include "core/error.h"
#include "core/log.h"
#include "db/accounts_repo.h"
#include "db/membership_repo.h"
#include "db/photos_repo.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

bool shows_photo(const std::string& consent, YearbookKind kind) {
  if (kind == YearbookKind::print) return consent == "print";
  return consent == "yearbook" || consent == "print";
}

}  // namespace

// Who may look, and whose photo may be shown, is decided on the writer; the page itself (names,
// quotes, which photo is current) comes from the replica, which may lag by a moment. So lag can
// only make a newly approved or consented photo appear a moment late, never show one whose consent
// was withdrawn or whose approval was taken back.
Yearbook yearbook(App& app, const Actor& actor, std::int64_t class_id, YearbookKind kind) {
  Yearbook y;
  app.db->read([&](db::Tx& t) {
    if (!can_on_class(t, actor, "yearbook.view", class_id))
      deny(actor, "yearbook.view", "class " + std::to_string(class_id));
    auto cls = db::classes::by_id(t, class_id);
    if (!cls) not_found("no such class");
    y.cls = *cls;
  });
  auto rows = app.reader().read_result<std::vector<db::YearbookRow>>(
      [&](db::Tx& t) { return db::yearbook::entries(t, class_id); });
  app.db->read([&](db::Tx& t) {
    y.entries.clear();
    for (auto& r : rows) {
      bool consented = shows_photo(db::consent::get(t, r.student_id).value_or(""), kind);
      if (kind == YearbookKind::print && !consented) continue;
      YearbookEntry e;
      e.student_id = r.student_id;
      e.full_name = r.full_name;
      bool shown = consented && r.photo_id && db::yearbook::approved_photo_owner(t, r.photo_id) == r.student_id;
      e.photo_id = shown ? r.photo_id : 0;
      e.quote = shown ? r.quote : "";
      y.entries.push_back(std::move(e));
    }
  });
  return y;
}

std::map<std::int64_t, std::string> yearbook_images(App& app, const Yearbook& y, const std::string& variant) {
  std::map<std::int64_t, std::string> keys;
  app.db->read([&](db::Tx& t) {
    for (const auto& e : y.entries)
      if (e.photo_id)
        if (auto v = db::photos::variant(t, e.photo_id, variant)) keys[e.photo_id] = v->object_key;
  });
  std::map<std::int64_t, std::string> out;
  for (const auto& [photo_id, key] : keys) {
    try {
      if (auto bytes = app.store->get(key)) out[photo_id] = std::move(*bytes);
    } catch (const storage::StorageError& e) {
      spdlog::error("yearbook: reading {} failed: {}", key, log_safe(e.what()));
      fail(ErrorKind::unavailable, "storage_unavailable", "the photo store is not answering; please try again");
    }
  }
  return out;
}

bool photo_visible_in_yearbook(db::Tx& t, const Actor& actor, std::int64_t photo_id) {
  std::int64_t owner = db::yearbook::approved_photo_owner(t, photo_id);
  if (owner == 0) return false;
  auto u = db::users::by_id(t, owner);
  if (!u || !u->active) return false;
  if (!shows_photo(db::consent::get(t, owner).value_or(""), YearbookKind::screen)) return false;
  for (auto class_id : db::membership::classes_of_student(t, owner))
    if (can_on_class(t, actor, "yearbook.view", class_id)) return true;
  return false;
}

std::string photo_url(std::int64_t photo_id, const std::string& variant) {
  return "/api/v1/photos/" + std::to_string(photo_id) + "/" + variant;
}

}  // namespace sy::services
