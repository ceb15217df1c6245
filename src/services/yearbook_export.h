#pragma once
// The printable yearbook as a background job ("yearbook.pdf" in the durable queue) whose result is
// kept in the object store under pdfs/yearbook/<class>/… and served again while the content is
// unchanged. The cache key is the SHA-256 of the layout, the class's name and year and the class
// yearbook's content version (services/content_version.h: bumped in the same transaction as every
// approval, consent change, rename, enrolment change, deactivation and erasure), read from the
// primary on every request: a PDF is only ever served for the version it was made from, so a
// change is seen by the very next request on every instance. The job checks the version again
// before it records the file and throws the file away when it moved. Withdrawing consent and
// erasure also delete every stored file showing the student.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"
#include "db/jobs_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/yearbook_pdf.h"

namespace sy::services {

inline constexpr const char* kYearbookPdfJob = "yearbook.pdf";

struct PdfExport {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::string class_name;
  std::string layout;  // "a4-4x3"
  ExportStatus status = ExportStatus::queued;
  int pages_done = 0, pages_total = 0;
  std::string error;
};

// yearbook.view on the class. The export for the class's current print content in this layout;
// when there is none yet, queues the job (and drops the class's older files in that layout).
PdfExport request_yearbook_pdf(App& app, const Actor& actor, std::int64_t class_id, const PdfLayout& layout);
// The bytes of a ready export; nullopt when it is not ready or its file is gone.
std::optional<std::string> yearbook_pdf_bytes(App& app, const PdfExport& e);

// The job: renders the export named by the job, reporting progress per page. Returns the job's
// result (ready, stale, gone); throws to be retried.
std::string run_yearbook_pdf_job(App& app, const db::JobRow& job);

// Inside the caller's transaction: removes the rows of every file showing the student (or the
// photo) and returns their object keys, for the caller to delete once committed.
std::vector<std::string> drop_pdfs_showing_student(db::Tx& t, std::int64_t student_id);
std::vector<std::string> drop_pdfs_showing_photo(db::Tx& t, std::int64_t photo_id);
// Deletes objects after a commit; a failure is logged (the rows are gone, so nothing serves them).
void delete_objects(App& app, const std::vector<std::string>& keys);

std::string layout_name(const PdfLayout& l);  // "a4-4x3"

}  // namespace sy::services
