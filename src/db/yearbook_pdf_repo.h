#pragma once
// Rows of printable yearbooks (migrations/*/0008_yearbook_pdfs.sql): one per class, layout and
// content key, with who and which photo it contains. Plain reads and writes; rules live in
// services/yearbook_export.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct YearbookPdfRow {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::string layout;       // "a4-4x3"
  std::string content_key;  // SHA-256 hex of what is printed
  ExportStatus status = ExportStatus::queued;
  int pages_done = 0;
  int pages_total = 0;
  std::string object_key;
  std::int64_t size = 0;
  std::string error;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct YearbookPdfPerson {
  std::int64_t student_id = 0;
  std::int64_t photo_id = 0;  // 0 = printed without a photo
};

namespace yearbook_pdfs {

// Inserts the row and who it contains; returns its id.
std::int64_t insert(Tx& t, const YearbookPdfRow& r, const std::vector<YearbookPdfPerson>& people,
                    std::optional<std::int64_t> requested_by);
std::optional<YearbookPdfRow> by_id(Tx& t, std::int64_t id);
std::optional<YearbookPdfRow> by_content(Tx& t, std::int64_t class_id, const std::string& layout,
                                         const std::string& content_key);
void set_progress(Tx& t, std::int64_t id, ExportStatus status, int done, int total, std::int64_t now);
void set_ready(Tx& t, std::int64_t id, std::int64_t size, std::int64_t now);
void set_failed(Tx& t, std::int64_t id, const std::string& error, std::int64_t now);
// Replaces who the file shows.
void set_people(Tx& t, std::int64_t id, const std::vector<YearbookPdfPerson>& people);
// The files that show a student, or a photo (any status).
std::vector<YearbookPdfRow> containing_student(Tx& t, std::int64_t student_id);
std::vector<YearbookPdfRow> containing_photo(Tx& t, std::int64_t photo_id);
std::vector<YearbookPdfRow> for_class(Tx& t, std::int64_t class_id);
// Deletes the row and its people (the object is the caller's to delete).
void remove(Tx& t, std::int64_t id);

}  // namespace yearbook_pdfs

}  // namespace sy::db
