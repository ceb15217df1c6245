#include "services/photos.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/text.h"
#include "imaging/compressor.h"
#include "imaging/jpeg/markers.h"
#include "jobs/admin.h"
#include "jobs/event.h"
#include "jobs/processor.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/yearbook.h"
#include "storage/object_store.h"

namespace sy::services {

namespace {

using text::be16;
using text::be32;
using text::le16;
using text::le24;

// Width × height from the first frame header, if one comes before the image data.
std::optional<std::int64_t> jpeg_pixels(const std::string& s) {
  namespace jm = imaging::jpeg;
  jm::MarkerWalker walk(s);
  jm::Segment seg;
  for (int markers = 0; markers < 1000 && walk.next(seg); ++markers) {
    if (jm::is_sof(seg.marker) && seg.payload.size() >= 5)  // precision, height, width
      return static_cast<std::int64_t>(jm::be16_at(seg.payload, 1)) * jm::be16_at(seg.payload, 3);
    if (seg.marker == jm::marker::SOS || seg.marker == jm::marker::EOI) return std::nullopt;
  }
  return std::nullopt;
}

// Width × height from the header when the format makes that cheap; the compressor checks every
// format again before decoding, so this only lets the student hear about it at once.
std::optional<std::int64_t> header_pixels(const std::string& type, const std::string& s) {
  if (type == "png" && s.size() >= 24) return static_cast<std::int64_t>(be32(s, 16)) * be32(s, 20);
  if (type == "gif" && s.size() >= 10) return static_cast<std::int64_t>(le16(s, 6)) * le16(s, 8);
  if (type == "jpeg") return jpeg_pixels(s);
  if (type == "webp" && s.size() >= 30) {
    std::string chunk = s.substr(12, 4);
    if (chunk == "VP8X") return static_cast<std::int64_t>(le24(s, 24) + 1) * (le24(s, 27) + 1);
    if (chunk == "VP8 ") return static_cast<std::int64_t>(le16(s, 26) & 0x3FFF) * (le16(s, 28) & 0x3FFF);
    if (chunk == "VP8L" && s.size() >= 25) {
      std::uint32_t bits = static_cast<std::uint32_t>(static_cast<unsigned char>(s[21])) |
                           static_cast<std::uint32_t>(static_cast<unsigned char>(s[22])) << 8 |
                           static_cast<std::uint32_t>(static_cast<unsigned char>(s[23])) << 16 |
                           static_cast<std::uint32_t>(static_cast<unsigned char>(s[24])) << 24;
      return static_cast<std::int64_t>((bits & 0x3FFF) + 1) * (((bits >> 14) & 0x3FFF) + 1);
    }
  }
  return std::nullopt;
}

// Free text a moderator or the yearbook shows: valid UTF-8, one line, bounded.
std::string clean_text(const std::string& in, std::size_t max_chars, const char* field) {
  std::string s = text::trim_copy(in);
  if (!text::valid_utf8(s)) fail(ErrorKind::invalid, "invalid", std::string(field) + " is not valid UTF-8");
  if (text::utf8_length(s) > max_chars)
    fail(ErrorKind::invalid, "invalid",
         std::string(field) + " is longer than " + std::to_string(max_chars) + " characters");
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F)
      fail(ErrorKind::invalid, "invalid", std::string(field) + " must be a single line of text");
  return s;
}

std::string random_object_id() {
  crypto_init();
  std::string raw(16, '\0');
  randombytes_buf(raw.data(), raw.size());
  return text::hex(raw);
}

db::PhotoRow load(db::Tx& t, std::int64_t photo_id) {
  auto p = db::photos::by_id(t, photo_id);
  if (!p) not_found("no such photo");
  return *p;
}

void require_jobs_admin(const Actor& a) { require(a, "photos.moderate"); }

[[noreturn]] void too_many_uploads() {
  fail(ErrorKind::throttled, "too_many_uploads", "too many uploads in the last hour; try again later");
}

}  // namespace

std::string content_type_of(const std::string& source_type) {
  if (source_type == "jpeg") return "image/jpeg";
  if (source_type == "png") return "image/png";
  if (source_type == "webp") return "image/webp";
  if (source_type == "gif") return "image/gif";
  if (source_type == "heif") return "image/heic";
  if (source_type == "avif") return "image/avif";
  return "application/octet-stream";
}

UploadResult upload_photo(App& app, const Actor& actor, const std::string& bytes, const std::string& quote_in) {
  if (scope_for(actor.role, "photos.upload") == Scope::none) deny(actor, "photos.upload", "self");
  if (static_cast<std::int64_t>(bytes.size()) > app.config.max_upload_bytes)
    fail(ErrorKind::too_large, "too_large",
         "the photo is larger than " + std::to_string(app.config.max_upload_bytes / (1024 * 1024)) + " MB");
  if (bytes.empty()) fail(ErrorKind::invalid, "invalid_image", "the photo is empty");
  std::string type = imaging::sniff(bytes);
  if (type.empty())
    fail(ErrorKind::unsupported_type, "unsupported_type",
         "only JPEG, PNG, WebP, HEIC, AVIF and GIF images are accepted");
  if (auto px = header_pixels(type, bytes); px && (*px <= 0 || *px > app.config.max_pixels))
    fail(ErrorKind::invalid, "invalid_image",
         *px <= 0 ? "the image has no pixels"
                  : "the image has more than " + std::to_string(app.config.max_pixels) + " pixels");
  std::string quote = clean_text(quote_in, kMaxQuoteChars, "quote");

  // A cheap early refusal before the object is stored; the count that decides is the one inside
  // the insert's transaction below.
  app.db->read([&](db::Tx& t) {
    if (!can_on_student(t, actor, "photos.upload", actor.id)) deny(actor, "photos.upload", "self");
    if (db::photos::count_created_since(t, actor.id, now_unix() - 3600) >= kMaxUploadsPerHour) too_many_uploads();
  });

  // The object first, then the rows that point at it: no photo row ever lacks its original.
  std::string key = "uploads/" + random_object_id();
  storage::ObjectInfo info;
  try {
    info = app.store->put(key, bytes, content_type_of(type));
  } catch (const storage::StorageError& e) {
    spdlog::error("photos: storing an upload failed: {}", e.what());
    fail(ErrorKind::unavailable, "storage_unavailable", "photo storage is unavailable; please try again");
  }
  if (info.key.empty()) info.key = key;
  if (info.size == 0) info.size = static_cast<std::int64_t>(bytes.size());

  std::int64_t photo_id = 0;
  try {
    app.db->tx([&](db::Tx& t) {
      std::int64_t now = now_unix();
      // The student's row lock (MySQL; SQLite's BEGIN IMMEDIATE already serialises writers) makes
      // this count and the insert one step: concurrent uploads cannot all pass the quota.
      db::photos::lock_student(t, actor.id);
      if (db::photos::count_created_since(t, actor.id, now - 3600) >= kMaxUploadsPerHour) too_many_uploads();
      db::photos::clear_current(t, actor.id, now);
      db::PhotoRow p;
      p.student_id = actor.id;
      p.quote = quote;
      p.original_key = key;
      p.original_sha256 = sha256_hex(bytes);
      p.original_size = static_cast<std::int64_t>(bytes.size());
      p.source_type = type;
      p.is_current = true;
      p.created_at = p.updated_at = now;
      photo_id = db::photos::insert(t, p);
      // The outbox: the job commits with the photo or not at all.
      jobs::enqueue_upload(t, photo_id, app.store->bucket(), info, jobs::now_ms());
      audit(t, actor, "photo.upload", "photo", std::to_string(photo_id),
            type + ", " + std::to_string(bytes.size()) + " bytes");
    });
  } catch (...) {
    try {
      app.store->remove(key);
    } catch (const std::exception& e) {
      spdlog::error("photos: could not remove {} after a failed upload: {}", key, e.what());
    }
    throw;
  }
  app.wake_workers();
  return {photo_id, PhotoStatus::processing};
}

PhotoView my_photo(App& app, const Actor& actor) {
  return app.db->read_result<PhotoView>([&](db::Tx& t) {
    auto p = db::photos::current_photo(t, actor.id);
    if (!p) not_found("no photo uploaded yet");
    return PhotoView{*p, db::photos::variants(t, p->id)};
  });
}

PhotoView get_photo(App& app, const Actor& actor, std::int64_t photo_id) {
  return app.db->read_result<PhotoView>([&](db::Tx& t) {
    auto p = load(t, photo_id);
    if (!can_on_student(t, actor, "photos.view", p.student_id))
      deny(actor, "photos.view", "photo " + std::to_string(photo_id));
    return PhotoView{p, db::photos::variants(t, p.id)};
  });
}

db::PhotoRow moderate_photo(App& app, const Actor& actor, std::int64_t photo_id, bool approve,
                            const std::string& reason_in) {
  std::string reason = clean_text(reason_in, kMaxReasonChars, "reason");
  if (!approve && reason.empty()) fail(ErrorKind::invalid, "invalid", "a reason is required to reject a photo");
  return app.db->tx_result<db::PhotoRow>([&](db::Tx& t) {
    auto p = load(t, photo_id);
    if (!can_on_student(t, actor, "photos.moderate", p.student_id))
      deny(actor, "photos.moderate", "photo " + std::to_string(photo_id));
    if (approve && p.status == PhotoStatus::failed) conflict("a photo that failed processing cannot be approved");
    if (p.purged_at) conflict("this photo was replaced and its files deleted");
    std::int64_t now = now_unix();
    db::photos::moderate(t, photo_id, approve ? Moderation::approved : Moderation::rejected, reason, actor.id, now);
    audit(t, actor, approve ? "photo.approve" : "photo.reject", "photo", std::to_string(photo_id), reason);
    return load(t, photo_id);
  });
}

VariantBytes read_photo(App& app, const Actor& actor, std::int64_t photo_id, const std::string& variant) {
  if (variant != "original" && variant != "jpeg" && variant != "webp" && variant != "thumb")
    not_found("no such variant");
  VariantBytes out;
  std::string key;
  app.db->read([&](db::Tx& t) {
    auto p = load(t, photo_id);
    std::string target = "photo " + std::to_string(photo_id);
    if (variant == "original") {
      if (!can_on_student(t, actor, "photos.view_original", p.student_id)) deny(actor, "photos.view_original", target);
      if (p.purged_at) not_found("this photo was replaced and its files deleted");
      key = p.original_key;
      out.content_type = content_type_of(p.source_type);
      out.sha256 = p.original_sha256;
      std::string ct = out.content_type;
      out.extension = ct == "image/jpeg" ? "jpg" : ct.substr(ct.find('/') + 1);
      return;
    }
    if (!can_on_student(t, actor, "photos.view", p.student_id) && !photo_visible_in_yearbook(t, actor, photo_id))
      deny(actor, "photos.view", target);
    auto v = db::photos::variant(t, photo_id, variant);
    if (!v) not_found("this photo is not ready");
    key = v->object_key;
    out.content_type = v->content_type;
    out.sha256 = v->sha256;
    out.extension = key.substr(key.rfind('.') + 1);
  });
  std::optional<std::string> bytes;
  try {
    bytes = app.store->get(key);
  } catch (const storage::StorageError& e) {
    spdlog::error("photos: reading {} failed: {}", key, e.what());
    fail(ErrorKind::unavailable, "storage_unavailable", "photo storage is unavailable; please try again");
  }
  if (!bytes) {
    spdlog::error("photos: {} is referenced by photo {} but missing from storage", key, photo_id);
    not_found("the photo file is missing");
  }
  out.bytes = std::move(*bytes);
  return out;
}

std::vector<db::JobRow> list_jobs(App& app, const Actor& actor, const std::string& status, int limit) {
  require_jobs_admin(actor);
  return app.db->read_result<std::vector<db::JobRow>>([&](db::Tx& t) { return jobs::list_jobs(t, status, limit); });
}

db::JobRow retry_job(App& app, const Actor& actor, std::int64_t job_id) {
  require_jobs_admin(actor);
  auto j = app.db->tx_result<db::JobRow>([&](db::Tx& t) {
    auto r = jobs::retry_job(t, job_id);
    audit(t, actor, "job.retry", "job", std::to_string(job_id), r.object_key);
    return r;
  });
  app.wake_workers();
  return j;
}

std::vector<db::moderation::Pending> pending_moderation(App& app, const Actor& actor, int limit) {
  if (scope_for(actor.role, "photos.moderate") == Scope::none) deny(actor, "photos.moderate", "review queue");
  std::int64_t teacher = can(actor, "photos.moderate") ? 0 : actor.id;
  return app.db->read_result<std::vector<db::moderation::Pending>>(
      [&](db::Tx& t) { return db::moderation::pending(t, teacher, limit); });
}

nlohmann::json job_event_record(const db::JobRow& j) {
  jobs::ObjectEvent e;
  e.event_name = j.event_name;
  e.event_time = iso8601_utc(j.created_at_ms / 1000);
  e.bucket = j.bucket;
  e.key = j.object_key;
  e.size = j.size;
  e.etag = j.etag;
  e.sequencer = j.sequencer;
  return jobs::to_s3_record(e);
}

}  // namespace sy::services
