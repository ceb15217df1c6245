#include "services/yearbook_export.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "db/school_repo.h"
#include "db/yearbook_pdf_repo.h"
#include "jobs/processor.h"
#include "services/content_version.h"
#include "services/permissions.h"
#include "storage/digest.h"

namespace sy::services {

namespace {

// Pieces are length-prefixed, so no class name can make two different keys hash alike.
void put(std::string& out, const std::string& s) { out += std::to_string(s.size()) + ":" + s; }

// The cache key: the class yearbook's content version (bumped in the transaction of every change a
// yearbook shows: approval, consent, name, enrolment, deactivation, processing, erasure; see
// services/content_version.h) with what else the file prints (layout, class name and year). Read
// on the primary, never a replica.
std::string key_in(db::Tx& t, const db::ClassRow& c, const std::string& layout) {
  std::string s = "yearbook.pdf v2\n";
  put(s, layout);
  put(s, std::to_string(c.id));
  put(s, c.name);
  put(s, std::to_string(c.year));
  put(s, std::to_string(content_version(t, content_key::class_yearbook(c.id))));
  return storage::sha256_hex(s);
}

// The key of the class's current content; nullopt when the class is gone.
std::optional<std::string> current_key(db::Tx& t, std::int64_t class_id, const std::string& layout) {
  auto c = db::classes::by_id(t, class_id);
  if (!c) return std::nullopt;
  return key_in(t, *c, layout);
}

std::vector<db::YearbookPdfPerson> people_of(const Yearbook& y) {
  std::vector<db::YearbookPdfPerson> people;
  for (const auto& e : y.entries) people.push_back({e.student_id, e.photo_id});
  return people;
}

PdfLayout layout_from_name(const std::string& name) {
  // "a4-4x3" / "letter-8x6", as layout_name() writes it.
  auto dash = name.find('-'), x = name.find('x');
  if (dash == std::string::npos || x == std::string::npos || x < dash)
    fail(ErrorKind::internal, "bad_layout", "stored layout " + name + " is malformed");
  return pdf_layout(name.substr(0, dash), name.substr(dash + 1, x - dash - 1), name.substr(x + 1));
}

int pages_for(const Yearbook& y, const PdfLayout& l) {
  const int per_page = l.rows * l.columns;
  return 1 + (static_cast<int>(y.entries.size()) + per_page - 1) / per_page;
}

PdfExport to_export(const db::YearbookPdfRow& r) {
  return {r.id, r.class_id, "", r.layout, r.status, r.pages_done, r.pages_total, r.error};
}

std::vector<std::string> drop(db::Tx& t, const std::vector<db::YearbookPdfRow>& rows) {
  std::vector<std::string> keys;
  for (const auto& r : rows) {
    db::yearbook_pdfs::remove(t, r.id);
    keys.push_back(r.object_key);
  }
  return keys;
}

}  // namespace

std::string layout_name(const PdfLayout& l) {
  return std::string(pdf::paper_name(l.paper)) + "-" + std::to_string(l.rows) + "x" + std::to_string(l.columns);
}

PdfExport request_yearbook_pdf(App& app, const Actor& actor, std::int64_t class_id, const PdfLayout& layout) {
  const std::string lname = layout_name(layout);
  std::string key, class_name;
  std::optional<db::YearbookPdfRow> found;
  // The usual answer (a file made or on its way) costs the permission check and two lookups.
  app.db->read([&](db::Tx& t) {
    if (!can_on_class(t, actor, "yearbook.view", class_id))
      deny(actor, "yearbook.view", "class " + std::to_string(class_id));
    auto c = db::classes::by_id(t, class_id);
    if (!c) not_found("no such class");
    class_name = c->name;
    key = key_in(t, *c, lname);
    found = db::yearbook_pdfs::by_content(t, class_id, lname, key);
  });
  if (found && found->status != ExportStatus::failed) {
    auto out = to_export(*found);
    out.class_name = class_name;
    return out;
  }
  // Who will be in it (recorded again by the job with what it actually printed).
  const Yearbook y = yearbook(app, actor, class_id, YearbookKind::print);
  PdfExport out;
  std::vector<std::string> stale;
  bool queued = false;
  auto attempt = [&](db::Tx& t) {
    stale.clear();
    queued = false;
    auto row = db::yearbook_pdfs::by_content(t, class_id, lname, key);
    if (row && row->status == ExportStatus::failed) {  // asking again is the way to retry a failed one
      stale = drop(t, {*row});
      row.reset();
    }
    if (!row) {
      // Older files of this class and layout show content that is no longer current: never
      // served again, so they go now.
      std::vector<db::YearbookPdfRow> old;
      for (auto& r : db::yearbook_pdfs::for_class(t, class_id))
        if (r.layout == lname) old.push_back(r);
      for (auto& k : drop(t, old)) stale.push_back(k);
      db::YearbookPdfRow r;
      r.class_id = class_id;
      r.layout = lname;
      r.content_key = key;
      r.pages_total = pages_for(y, layout);
      r.object_key = "pdfs/yearbook/" + std::to_string(class_id) + "/" + lname + "-" + key + ".pdf";
      r.created_at = now_unix();
      std::optional<std::int64_t> by;
      if (actor.id) by = actor.id;
      r.id = db::yearbook_pdfs::insert(t, r, people_of(y), by);
      db::JobRow j;
      j.kind = kYearbookPdfJob;
      j.event_name = kYearbookPdfJob;
      j.bucket = app.store->bucket();
      j.object_key = "jobs/yearbook-pdf/" + std::to_string(r.id);
      const std::int64_t now = jobs::now_ms();
      j.visible_at_ms = j.created_at_ms = j.updated_at_ms = now;
      db::jobs::insert(t, j);
      row = db::yearbook_pdfs::by_id(t, r.id);
      queued = true;
    }
    out = to_export(*row);
  };
  try {
    app.db->tx(attempt);
  } catch (const AppError&) {
    throw;
  } catch (const std::exception&) {
    // Two requests for the same new content at once: the unique key lets one insert; the other
    // finds its row.
    auto row = app.db->read_result<std::optional<db::YearbookPdfRow>>(
        [&](db::Tx& t) { return db::yearbook_pdfs::by_content(t, class_id, lname, key); });
    if (!row) throw;
    out = to_export(*row);
    stale.clear();
    queued = false;
  }
  out.class_name = class_name;
  if (queued) app.wake_workers();
  delete_objects(app, stale);
  return out;
}

std::optional<std::string> yearbook_pdf_bytes(App& app, const PdfExport& e) {
  if (e.status != ExportStatus::ready) return std::nullopt;
  auto row = app.db->read_result<std::optional<db::YearbookPdfRow>>(
      [&](db::Tx& t) { return db::yearbook_pdfs::by_id(t, e.id); });
  if (!row || row->status != ExportStatus::ready) return std::nullopt;
  try {
    return app.store->get(row->object_key);
  } catch (const storage::StorageError& err) {
    spdlog::error("yearbook pdf: reading {} failed: {}", row->object_key, log_safe(err.what()));
    fail(ErrorKind::unavailable, "storage_unavailable", "the file store is not answering; please try again");
  }
}

std::string run_yearbook_pdf_job(App& app, const db::JobRow& job) {
  const auto slash = job.object_key.rfind('/');
  const std::string id_text = slash == std::string::npos ? "" : job.object_key.substr(slash + 1);
  if (id_text.empty() || id_text.size() > 18 || id_text.find_first_not_of("0123456789") != std::string::npos)
    return "gone";  // not one of ours: nothing to make
  const std::int64_t id = std::stoll(id_text);
  auto row = app.db->read_result<std::optional<db::YearbookPdfRow>>(
      [&](db::Tx& t) { return db::yearbook_pdfs::by_id(t, id); });
  if (!row) return "gone";  // invalidated (consent change, erasure) before it was made
  if (row->status == ExportStatus::ready) return "ready";
  try {
    const PdfLayout layout = layout_from_name(row->layout);
    auto key = app.db->read_result<std::optional<std::string>>(
        [&](db::Tx& t) { return current_key(t, row->class_id, row->layout); });
    if (key != row->content_key) {
      // The content changed while queued: this row can never be served. The next request queues
      // the current content.
      app.db->tx([&](db::Tx& t) { db::yearbook_pdfs::remove(t, id); });
      return "stale";
    }
    const Yearbook y = yearbook(app, Actor::system(kYearbookPdfJob), row->class_id, YearbookKind::print);
    const auto images = yearbook_images(app, y, "thumb");
    const std::string bytes = yearbook_pdf(y, images, layout, [&](int done, int total) {
      app.db->tx(
          [&](db::Tx& t) { db::yearbook_pdfs::set_progress(t, id, ExportStatus::running, done, total, now_unix()); });
    });
    app.store->put(row->object_key, bytes, "application/pdf");
    bool exists = false, current = false;
    app.db->tx([&](db::Tx& t) {
      exists = db::yearbook_pdfs::by_id(t, id).has_value();
      current = exists && current_key(t, row->class_id, row->layout) == row->content_key;
      if (current) {
        db::yearbook_pdfs::set_ready(t, id, static_cast<std::int64_t>(bytes.size()), now_unix());
        db::yearbook_pdfs::set_people(t, id, people_of(y));  // what the file shows, for invalidation
      } else if (exists) {
        db::yearbook_pdfs::remove(t, id);
      }
    });
    if (!current) {
      // Invalidated while we rendered (consent withdrawn, a photo erased, any change): the file
      // must not stay.
      app.store->remove(row->object_key);
      return exists ? "stale" : "gone";
    }
    return "ready";
  } catch (const std::exception& e) {
    if (job.attempts >= jobs::options_from(app.config).max_attempts) {
      try {
        app.db->tx([&](db::Tx& t) { db::yearbook_pdfs::set_failed(t, id, log_safe(e.what(), 900), now_unix()); });
      } catch (const std::exception&) {
        // The job is dead-lettered anyway; the row stays "running" until the next request.
      }
    }
    throw;
  }
}

std::vector<std::string> drop_pdfs_showing_student(db::Tx& t, std::int64_t student_id) {
  return drop(t, db::yearbook_pdfs::containing_student(t, student_id));
}

std::vector<std::string> drop_pdfs_showing_photo(db::Tx& t, std::int64_t photo_id) {
  return drop(t, db::yearbook_pdfs::containing_photo(t, photo_id));
}

void delete_objects(App& app, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    try {
      app.store->remove(k);
    } catch (const std::exception& e) {
      spdlog::error("yearbook pdf: could not delete {}: {}", k, log_safe(e.what()));
    }
  }
}

}  // namespace sy::services
