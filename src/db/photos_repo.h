#pragma once
// Repositories for photos and their derivatives (photo_variants). Times are Unix seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct PhotoRow {
  std::int64_t id = 0;
  std::int64_t student_id = 0;
  PhotoStatus status = PhotoStatus::processing;
  Moderation moderation = Moderation::pending;
  std::string moderation_reason;
  std::optional<std::int64_t> moderated_by;
  std::optional<std::int64_t> moderated_at;
  std::string quote;
  std::string original_key;  // uploads/<random hex>
  std::string original_sha256;
  std::int64_t original_size = 0;
  std::string source_type;                // sniffed: jpeg | png | webp | heif | avif | gif
  std::string error_code;                 // "" | invalid_image | processing_failed | superseded
  std::string error;                      // readable detail for error_code
  std::int64_t bytes_out = 0;             // size of the main (jpeg) derivative
  bool is_current = false;                // the student's latest upload
  std::optional<std::int64_t> purged_at;  // objects deleted (superseded history row)
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> ready_at;
};

struct PhotoVariantRow {
  std::int64_t photo_id = 0;
  std::string variant;     // jpeg | webp | thumb
  std::string object_key;  // compressed/<photo_id>/<variant>.<ext>
  std::string sha256;
  std::int64_t size = 0;
  int width = 0;
  int height = 0;
  std::string content_type;
};

namespace photos {

std::int64_t insert(Tx& t, const PhotoRow& p);
std::optional<PhotoRow> by_id(Tx& t, std::int64_t id);
std::optional<PhotoRow> by_original_key(Tx& t, const std::string& key);
// The student's latest upload (whatever its status and moderation), if any.
std::optional<PhotoRow> current_photo(Tx& t, std::int64_t student_id);
// current_photo for several students at once (yearbook pages); students without one are absent.
std::vector<PhotoRow> current_photos(Tx& t, const std::vector<std::int64_t>& student_ids);
std::vector<PhotoVariantRow> variants(Tx& t, std::int64_t photo_id);
std::optional<PhotoVariantRow> variant(Tx& t, std::int64_t photo_id, const std::string& variant);
// Newest first.
std::vector<PhotoRow> history(Tx& t, std::int64_t student_id, int limit);

// Serialises uploads of one student (MySQL: row lock on the user; SQLite writers are serial).
void lock_student(Tx& t, std::int64_t student_id);
void clear_current(Tx& t, std::int64_t student_id, std::int64_t now);
std::int64_t count_created_since(Tx& t, std::int64_t student_id, std::int64_t since);

// processing → ready; false when the photo was not processing (someone else finished it).
bool mark_ready(Tx& t, std::int64_t id, const std::string& source_type, std::int64_t bytes_out, std::int64_t now);
// any → failed with a code and detail; false when already in that state.
bool mark_failed(Tx& t, std::int64_t id, const std::string& error_code, const std::string& error, std::int64_t now);
// Back to processing for a retry or a newer version of the original (moderation starts over when
// the content changed).
void mark_processing(Tx& t, std::int64_t id, bool reset_moderation, std::int64_t now);
void set_original(Tx& t, std::int64_t id, const std::string& sha256, std::int64_t size, std::int64_t now);
void replace_variants(Tx& t, std::int64_t photo_id, const std::vector<PhotoVariantRow>& rows);
bool moderate(Tx& t, std::int64_t id, Moderation moderation, const std::string& reason, std::int64_t moderator_id,
              std::int64_t now);
// Older uploads of the student whose objects may be deleted: not current, not purged, not processing.
std::vector<PhotoRow> purgeable(Tx& t, std::int64_t student_id);
// Forgets the derivatives and records that the objects are gone.
void mark_purged(Tx& t, std::int64_t id, std::int64_t now);

}  // namespace photos

}  // namespace sy::db
