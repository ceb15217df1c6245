#pragma once
// Grade scales, assessments, marks and report-card comments (migration 0013). Marks, maxima and
// percentages are integers in hundredths.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct GradeBandRow {
  int min_percent_x100 = 0;
  std::string label;
  std::string descriptor;
};

struct GradeScaleRow {
  std::int64_t id = 0;
  std::string name;
  bool is_default = false;
  std::int64_t created_at = 0;
  std::vector<GradeBandRow> bands;  // highest threshold first
};

struct AssessmentRow {
  std::int64_t id = 0;
  std::int64_t term_id = 0;
  std::int64_t class_id = 0;
  std::int64_t subject_id = 0;
  std::string name;
  std::string held_on;  // 'YYYY-MM-DD' or ""
  std::int64_t max_x100 = 0;
  int weight_pct = 100;
  std::int64_t grade_scale_id = 0;  // 0 = the default scale
  bool show_rank = false;
  std::string status;  // open | final
  std::int64_t finalised_at = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  // Names for pages (joined).
  std::string term_name, class_name, subject_name;
};

// A student of the assessment's class with their mark (has_mark false: not entered).
struct StudentMarkRow {
  std::int64_t student_id = 0;
  std::string username;
  std::string full_name;
  std::string admission_no;
  bool has_mark = false;
  std::int64_t score_x100 = 0;  // when code is ""
  std::string code;             // "" | absent | exempt
};

struct CommentRow {
  std::int64_t term_id = 0;
  std::int64_t student_id = 0;
  std::int64_t subject_id = 0;  // 0 = the general comment
  std::string comment;
  std::int64_t author_id = 0;
  std::int64_t updated_at = 0;
};

namespace grade_scales {
std::vector<GradeScaleRow> list(Tx& t);  // default first, then by name; with bands
std::optional<GradeScaleRow> by_id(Tx& t, std::int64_t id);
std::optional<GradeScaleRow> default_scale(Tx& t);
std::optional<std::int64_t> id_by_name(Tx& t, const std::string& name);  // case-insensitive
std::int64_t insert(Tx& t, const std::string& name, std::int64_t now);
void rename(Tx& t, std::int64_t id, const std::string& name);
void make_default(Tx& t, std::int64_t id);  // and no other
void replace_bands(Tx& t, std::int64_t id, const std::vector<GradeBandRow>& bands);
}  // namespace grade_scales

namespace assessments {
struct Filter {
  std::int64_t class_id = 0, term_id = 0, subject_id = 0;  // 0 = any
  std::int64_t teacher_id = 0;  // > 0: only class × subject pairs this teacher is assigned to
};
std::vector<AssessmentRow> list(Tx& t, const Filter& f);  // by term, class, subject, held_on, name
std::optional<AssessmentRow> by_id(Tx& t, std::int64_t id);
bool name_taken(Tx& t, const AssessmentRow& a);  // same term, class, subject and name, another id
std::int64_t insert(Tx& t, const AssessmentRow& a, std::int64_t created_by, std::int64_t now);
void update(Tx& t, const AssessmentRow& a, std::int64_t now);  // name, held_on, max, weight, scale, show_rank
void set_status(Tx& t, std::int64_t id, const std::string& status, std::int64_t by, std::int64_t now);
// In a publication whose status is not 'withdrawn' (building, ready or failed).
bool in_live_publication(Tx& t, std::int64_t id);
// The teacher is assigned to the class × subject (class_teachers); subject 0 = the form tutor.
bool teaches(Tx& t, std::int64_t teacher_id, std::int64_t class_id, std::int64_t subject_id);
// Any score above this maximum (a maximum is not lowered below marks already given).
std::int64_t highest_score(Tx& t, std::int64_t id);
}  // namespace assessments

namespace marks {
// Every enrolled student of the class (by full name), with their mark for the assessment.
std::vector<StudentMarkRow> grid(Tx& t, std::int64_t assessment_id, std::int64_t class_id);
void upsert(Tx& t, std::int64_t assessment_id, std::int64_t student_id, std::optional<std::int64_t> score_x100,
            const std::string& code, std::int64_t entered_by, std::int64_t now);
void remove(Tx& t, std::int64_t assessment_id, std::int64_t student_id);
}  // namespace marks

namespace report_comments {
// The comments of one term for the students of a class; subject_id as given (0 = general).
std::vector<CommentRow> for_class(Tx& t, std::int64_t term_id, std::int64_t class_id, std::int64_t subject_id);
std::optional<CommentRow> get(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id);
void upsert(Tx& t, const CommentRow& c);
void remove(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id);
}  // namespace report_comments

// For tests (the publication itself belongs to the results part): a publication of the term
// holding one assessment, and its status.
namespace marks_testing {
std::int64_t insert_publication(Tx& t, std::int64_t term_id, std::int64_t assessment_id, const std::string& status);
void set_publication_status(Tx& t, std::int64_t publication_id, const std::string& status);
}  // namespace marks_testing

}  // namespace sy::db
