#pragma once
// Result publications and their precomputed pages (migrations/*/0013_results.sql), and the reads a
// report card is built from. Plain reads and writes; the rules live in services/results.cpp.
// visible_at is in Unix seconds like every other time in the database.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct PublicationRow {
  std::int64_t id = 0;
  std::int64_t term_id = 0;
  std::int64_t class_id = 0;  // 0 = every class of the term
  std::string title;
  std::int64_t visible_at = 0;
  std::string status = "building";  // building | ready | failed | withdrawn
  int pages_total = 0;
  int pages_done = 0;
  std::string error;
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t withdrawn_at = 0;
};

// An assessment as a report card shows it (with its subject and the term it is in).
struct ReportAssessmentRow {
  std::int64_t id = 0;
  std::int64_t class_id = 0;
  std::int64_t subject_id = 0;
  std::string subject;
  std::string name;
  std::int64_t max_x100 = 0;
  int weight_pct = 100;
  std::int64_t grade_scale_id = 0;  // 0 = the default scale
  bool show_rank = false;
  std::string status;  // open | final
};

struct ReportMarkRow {
  std::int64_t assessment_id = 0;
  std::int64_t student_id = 0;
  std::optional<std::int64_t> score_x100;  // nullopt with a code
  std::string code;                        // "" | absent | exempt
};

// Not GradeBandRow: db/marks_repo.h has a different struct of that name, and two definitions of
// one name in a namespace (an ODR violation) corrupt vectors of it at run time.
struct ReportBandRow {
  std::int64_t scale_id = 0;
  std::int64_t min_percent_x100 = 0;
  std::string label;
};

// A student on a publication, with the class their report card is for.
struct ReportStudentRow {
  std::int64_t student_id = 0;
  std::int64_t class_id = 0;
  std::string full_name;
  std::string class_name;
  int year = 0;
};

struct ResultPageRow {
  std::int64_t publication_id = 0;
  std::int64_t student_id = 0;
  std::string body;
  std::string etag;
  std::string pdf_key;
  std::int64_t pdf_size = 0;
  std::int64_t built_at = 0;
};

// A visible result as a student or guardian lists it.
struct VisibleResultRow {
  std::int64_t publication_id = 0;
  std::int64_t student_id = 0;
  std::string title;
  std::string student_name;
  std::int64_t visible_at = 0;
};

namespace results {

// Assessments of a term in scope (one class, or every class when class_id is 0).
std::vector<ReportAssessmentRow> assessments_in_scope(Tx& t, std::int64_t term_id, std::int64_t class_id);
std::vector<ReportAssessmentRow> assessments_of(Tx& t, std::int64_t publication_id);

std::int64_t insert_publication(Tx& t, const PublicationRow& p, const std::vector<std::int64_t>& assessment_ids);
std::optional<PublicationRow> publication(Tx& t, std::int64_t id);
std::vector<PublicationRow> publications(Tx& t, int limit);
void set_total(Tx& t, std::int64_t id, int total, std::int64_t now);
void set_done(Tx& t, std::int64_t id, int done, std::int64_t now);
// building → ready in one statement, and only when every student has a page with its PDF.
bool set_ready(Tx& t, std::int64_t id, std::int64_t now);
void set_failed(Tx& t, std::int64_t id, const std::string& error, std::int64_t now);
// Back to building (a retried job after a failure).
void set_building(Tx& t, std::int64_t id, std::int64_t now);
// Any status → withdrawn; false when it was withdrawn already.
bool withdraw(Tx& t, std::int64_t id, std::int64_t by, std::int64_t now);

// Students enrolled in the classes of the publication's assessments, by class then name.
std::vector<ReportStudentRow> students_of(Tx& t, std::int64_t publication_id);
std::vector<ReportMarkRow> marks_of(Tx& t, std::int64_t publication_id);
std::vector<ReportBandRow> bands(Tx& t);
std::int64_t default_scale(Tx& t);  // 0 when none
// subject_id 0 = the general comment. (subject_id, comment) ordered by subject_id.
std::vector<std::pair<std::int64_t, std::string>> comments(Tx& t, std::int64_t term_id, std::int64_t student_id);

void put_page(Tx& t, const ResultPageRow& p);
std::vector<ResultPageRow> pages_meta(Tx& t, std::int64_t publication_id);  // without bodies

// The page of `student_id` in `publication_id` when `viewer_id` may see it now: the publication is
// ready and visible_at <= now, and the viewer is the student or a guardian linked to them. One kept
// statement: the whole per-request cost of a result page after the session.
std::optional<ResultPageRow> visible_page(Tx& t, std::int64_t publication_id, std::int64_t student_id,
                                          std::int64_t viewer_id, std::int64_t now);
// Every result the viewer may see now (their own, or their children's), newest first.
std::vector<VisibleResultRow> visible_for(Tx& t, std::int64_t viewer_id, std::int64_t now);

}  // namespace results

}  // namespace sy::db

namespace sy::db::results_testing {

// Direct writes for tests and benchmarks that set a scene before the marks pages exist.
std::int64_t insert_assessment(Tx& t, std::int64_t term_id, std::int64_t class_id, std::int64_t subject_id,
                               const std::string& name, std::int64_t max_x100, int weight_pct, bool show_rank,
                               bool final);
void insert_mark(Tx& t, std::int64_t assessment_id, std::int64_t student_id, std::optional<std::int64_t> score_x100,
                 const std::string& code = "");
void insert_comment(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id,
                    const std::string& comment);
// Puts a publication back into a status (a test scene undoing a withdrawal).
void set_status(Tx& t, std::int64_t publication_id, const std::string& status);

}  // namespace sy::db::results_testing
