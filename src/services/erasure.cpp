#include "services/erasure.h"

#include <spdlog/spdlog.h>

#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "db/accounts_repo.h"
#include "db/erasure_repo.h"
#include "db/photos_repo.h"
#include "db/yearbook_pdf_repo.h"
#include "services/audit.h"
#include "services/content_version.h"
#include "services/permissions.h"
#include "services/yearbook_export.h"

namespace sy::services {

namespace {

// The recorded keys (remove_all adds whatever sits under the photo's derivative prefix: a job
// may have been writing when the rows were read).
void add_photo_objects(db::Tx& t, std::int64_t photo_id, std::set<std::string>& keys) {
  for (auto& k : db::erasure::photo_keys(t, photo_id)) keys.insert(k);
}

void add_pdf_objects(const std::vector<db::YearbookPdfRow>& rows, std::set<std::string>& keys, int& pdfs) {
  for (const auto& r : rows) {
    keys.insert(r.object_key);
    ++pdfs;
  }
}

// Deletes every key; a store that fails makes the whole erasure fail (503) before any row goes.
int remove_all(App& app, const std::set<std::string>& keys, const std::vector<std::int64_t>& photo_ids) {
  std::set<std::string> all = keys;
  try {
    for (auto id : photo_ids)
      for (const auto& o : app.store->list("compressed/" + std::to_string(id) + "/")) all.insert(o.key);
    for (const auto& k : all) app.store->remove(k);
  } catch (const storage::StorageError& e) {
    spdlog::error("erasure: the store failed: {}", log_safe(e.what()));
    fail(ErrorKind::unavailable, "storage_unavailable",
         "the file store is not answering; nothing was erased, please try again");
  }
  return static_cast<int>(all.size());
}

}  // namespace

Erased erase_photo(App& app, const Actor& actor, std::int64_t photo_id) {
  Erased out;
  std::set<std::string> keys;
  std::int64_t student = 0;
  app.db->read([&](db::Tx& t) {
    keys.clear();
    out = {};
    auto p = db::photos::by_id(t, photo_id);
    if (!p) not_found("no such photo");
    if (!can_on_student(t, actor, "photos.erase", p->student_id))
      deny(actor, "photos.erase", "photo " + std::to_string(photo_id));
    student = p->student_id;
    add_photo_objects(t, photo_id, keys);
    add_pdf_objects(db::yearbook_pdfs::containing_photo(t, photo_id), keys, out.pdfs);
  });
  out.objects = remove_all(app, keys, {photo_id});
  std::vector<std::string> late;  // PDFs that became ready while we deleted
  app.db->tx([&](db::Tx& t) {
    late = drop_pdfs_showing_photo(t, photo_id);
    bump_user_pages(t, student);  // every cached page of her classes (fastpages) and the PDF key
    out.photos = db::erasure::delete_photo(t, photo_id) ? 1 : 0;
    audit(t, actor, "photo.erase", "photo", std::to_string(photo_id),
          "student=" + std::to_string(student) + " objects=" + std::to_string(out.objects) +
              " pdfs=" + std::to_string(out.pdfs));
  });
  for (const auto& k : late)
    if (!keys.count(k)) ++out.objects;
  delete_objects(app, late);
  return out;
}

Erased erase_student(App& app, const Actor& actor, std::int64_t student_id) {
  Erased out;
  std::set<std::string> keys;
  std::vector<std::int64_t> photos;
  app.db->read([&](db::Tx& t) {
    keys.clear();
    out = {};
    if (!can(actor, "users.manage")) deny(actor, "users.manage", "erase student " + std::to_string(student_id));
    auto u = db::users::by_id(t, student_id);
    if (!u || u->role != Role::student) not_found("no such student");
    photos = db::erasure::photo_ids_of(t, student_id);
    for (auto id : photos) add_photo_objects(t, id, keys);
    add_pdf_objects(db::yearbook_pdfs::containing_student(t, student_id), keys, out.pdfs);
  });
  out.objects = remove_all(app, keys, photos);
  std::vector<std::string> late;
  app.db->tx([&](db::Tx& t) {
    late = drop_pdfs_showing_student(t, student_id);
    // Photos uploaded since the read above would be deleted with the rows but keep their files:
    // refuse, and let the next attempt see them.
    if (db::erasure::photo_ids_of(t, student_id) != photos)
      fail(ErrorKind::conflict, "erasure_raced", "a photo was uploaded meanwhile; please try again");
    bump_user_pages(t, student_id);  // before the enrolments go with the account
    for (auto id : photos) out.photos += db::erasure::delete_photo(t, id) ? 1 : 0;
    db::erasure::delete_user(t, student_id);
    audit(t, actor, "student.erase", "user", std::to_string(student_id),
          "photos=" + std::to_string(out.photos) + " objects=" + std::to_string(out.objects) +
              " pdfs=" + std::to_string(out.pdfs));
  });
  for (const auto& k : late)
    if (!keys.count(k)) ++out.objects;
  delete_objects(app, late);
  return out;
}

}  // namespace sy::services
