#pragma once
// Student photos: upload (original to uploads/<random id>, photo row + job row in one
// transaction), status, moderation and reading a variant — every read checked against the
// permission model — and the admin's view of the job queue.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/jobs_repo.h"
#include "db/moderation_repo.h"
#include "db/photos_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

constexpr int kMaxUploadsPerHour = 20;  // per student (ASVS 12.1.3)
constexpr std::size_t kMaxQuoteChars = 280;
constexpr std::size_t kMaxReasonChars = 500;

struct UploadResult {
  std::int64_t photo_id = 0;
  PhotoStatus status = PhotoStatus::processing;
};

// photos.upload on oneself. 413 too_large, 415 unsupported_type (type sniffed from the bytes),
// 422 invalid_image (empty, or above the pixel limit when the header says so), 422 invalid for a
// bad quote, 429 too_many_uploads, 503 storage_unavailable. The new photo becomes the student's
// current one at once; older ones keep their rows and lose their objects once it is ready.
UploadResult upload_photo(App& app, const Actor& actor, const std::string& bytes, const std::string& quote);

struct PhotoView {
  db::PhotoRow photo;
  std::vector<db::PhotoVariantRow> variants;
};
// The actor's current photo; 404 when they have none.
PhotoView my_photo(App& app, const Actor& actor);
// photos.view on the photo's student.
PhotoView get_photo(App& app, const Actor& actor, std::int64_t photo_id);

// photos.moderate on the photo's student (teacher of the class, admin). Rejecting needs a reason;
// a failed photo cannot be approved (409). Audited.
db::PhotoRow moderate_photo(App& app, const Actor& actor, std::int64_t photo_id, bool approve,
                            const std::string& reason);

// The review queue: the whole school's for those with photos.moderate school-wide, otherwise the
// photos of students in the classes the actor teaches; 403 for anyone who moderates nothing.
std::vector<db::moderation::Pending> pending_moderation(App& app, const Actor& actor, int limit);

struct VariantBytes {
  std::string bytes;
  std::string content_type;
  std::string sha256;
  std::string extension;  // for the fixed download name
};
// variant: original (photos.view_original) | jpeg | webp | thumb (photos.view, or the photo is
// shown in a yearbook the actor may view). 404 for an unknown variant or one not made yet.
VariantBytes read_photo(App& app, const Actor& actor, std::int64_t photo_id, const std::string& variant);

// The queue, for administrators (photos.moderate school-wide).
std::vector<db::JobRow> list_jobs(App& app, const Actor& actor, const std::string& status, int limit);
db::JobRow retry_job(App& app, const Actor& actor, std::int64_t job_id);
// The S3-style event record a job was made from (what the Lambda would have received), for the
// admin's job listing.
nlohmann::json job_event_record(const db::JobRow& job);

// "image/jpeg" … for a sniffed type.
std::string content_type_of(const std::string& source_type);

}  // namespace sy::services
