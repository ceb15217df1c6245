#pragma once
// Assessments and marks (#11, the entry half; publication is services/results). Who may do what:
//   - admin (classes.manage, the school): everything, and alone finalises, reopens and edits scales;
//   - a teacher assigned to the class × subject (class_teachers): creates and edits that pair's
//     assessments and enters their marks; the form tutor (subject NULL) writes general comments;
//   - anyone else, students and guardians included: 404, as if the assessment did not exist
//     (they see results only through a publication).
// Marks lock when the assessment is final (409 assessment_final); reopening is refused while the
// assessment is in a publication that is not withdrawn (409 assessment_published).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/marks_repo.h"
#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/grading.h"
#include "services/school_import.h"

namespace sy::services {

// ---- grade scales
struct ScaleInput {
  std::string name;
  bool make_default = false;
  std::vector<grading::Band> bands;
};
std::vector<db::GradeScaleRow> list_scales(App& app, const Actor& actor);  // admin and teachers
// admin; 422 invalid_scale, 409 scale_exists.
db::GradeScaleRow create_scale(App& app, const Actor& actor, const ScaleInput& in);
// admin; 404 no_such_scale; 409 default_needed when the default scale would stop being one
// (make another scale the default instead).
db::GradeScaleRow update_scale(App& app, const Actor& actor, std::int64_t id, const ScaleInput& in);

// ---- assessments
struct AssessmentInput {
  std::int64_t term_id = 0, class_id = 0, subject_id = 0;  // fixed once created
  std::string name;
  std::string held_on;  // "" or YYYY-MM-DD
  std::int64_t max_x100 = 0;
  int weight_pct = 100;
  std::int64_t grade_scale_id = 0;  // 0 = the default scale
  bool show_rank = false;
};
// Admin: every assessment matching the filter; a teacher: only their class × subject pairs.
std::vector<db::AssessmentRow> list_assessments(App& app, const Actor& actor, db::assessments::Filter f);
db::AssessmentRow create_assessment(App& app, const Actor& actor, const AssessmentInput& in);
// Term, class and subject stay; 409 assessment_final; 422 max_below_marks.
db::AssessmentRow update_assessment(App& app, const Actor& actor, std::int64_t id, const AssessmentInput& in);

// One assessment with its class's students, their marks, percentages and grades.
struct MarkLine {
  db::StudentMarkRow mark;
  std::string text;       // as the grid shows it: "7.5", "abs", "ex", ""
  int percent_x100 = -1;  // -1 when no score
  std::string grade;      // the band's label for a score
  int rank = 0;           // 0 when not ranked (show_rank off, or no score)
  std::string comment;    // the subject's report comment for the assessment's term
};
struct MarkSheet {
  db::AssessmentRow assessment;
  db::GradeScaleRow scale;
  std::vector<MarkLine> lines;
  bool can_finalise = false;  // admin
};
MarkSheet mark_sheet(App& app, const Actor& actor, std::int64_t id);  // 404 no_such_assessment
// admin; finalising a final assessment changes nothing. Audited.
db::AssessmentRow finalise_assessment(App& app, const Actor& actor, std::int64_t id);
// admin; 409 assessment_published. Audited.
db::AssessmentRow reopen_assessment(App& app, const Actor& actor, std::int64_t id);

// ---- marks
struct MarkEntry {
  std::int64_t student_id = 0;
  std::string text;  // grading::parse_mark: a number, a code, or "" to delete
};
// All or nothing: every entry is checked first (422 invalid_mark naming the student, 422
// not_enrolled, 422 duplicate_student), then written in one transaction. 409 assessment_final.
MarkSheet save_marks(App& app, const Actor& actor, std::int64_t id, const std::vector<MarkEntry>& marks);

// CSV import of one assessment's marks (columns admission_no or username, and mark): the import
// engine's dry run and all-or-nothing commit. 404 / 409 as save_marks.
ImportReport import_marks(App& app, const Actor& actor, std::int64_t assessment_id, std::string_view csv, bool dry_run);
// The "marks" kind for `schoolyard import marks FILE` and /api/v1/import/marks: the same with an
// assessment_id column.
Importer marks_importer();

// ---- report-card comments (subject_id 0 = the general comment)
struct CommentInput {
  std::int64_t term_id = 0, student_id = 0, subject_id = 0;
  std::string comment;  // "" deletes; at most 2000 characters
};
// The subject's teacher in one of the student's classes (the form tutor for subject 0), or admin;
// anyone else 404. Returns the stored comment (empty text when deleted).
db::CommentRow set_comment(App& app, const Actor& actor, const CommentInput& in);
// A class's comments for a term and subject, for the same people.
std::vector<db::CommentRow> class_comments(App& app, const Actor& actor, std::int64_t term_id, std::int64_t class_id,
                                           std::int64_t subject_id);

// The general comments (subject 0) of a class for a term, one line per student (comment "" when
// none yet): the class's form tutor or admin; anyone else 404.
struct GeneralComment {
  std::int64_t student_id = 0;
  std::string full_name;
  std::string comment;
};
std::vector<GeneralComment> general_comments(App& app, const Actor& actor, std::int64_t term_id, std::int64_t class_id);
// The classes whose general comments the actor writes: admin all, a teacher those they are form
// tutor of.
std::vector<db::ClassRow> tutor_classes(App& app, const Actor& actor);

}  // namespace sy::services
