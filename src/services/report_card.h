#pragma once
// One student's report card for one publication, computed once when the publication is built (never
// per request): per subject the assessments with mark, maximum, percent, grade and class rank, the
// weighted subject percentage and grade, the attendance summary for the term and the teachers'
// comments. Rendered as an HTML body (stored in result_pages.body) and as a PDF (Cairo + Pango).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/results_repo.h"
#include "pdf/document.h"

namespace sy::services {

struct CardLine {
  std::string assessment;
  std::string mark;     // "45.5 / 50", "Absent", "Exempt", "—" (not entered)
  std::string percent;  // "91.0%" or ""
  std::string grade;    // band label or ""
  std::string rank;     // "2 of 28", "3= of 28" or "" when the assessment does not show rank
};

struct CardSubject {
  std::int64_t subject_id = 0;
  std::string name;
  std::vector<CardLine> lines;
  std::string percent;  // weighted subject percentage, "" when nothing was scored
  std::string grade;
  std::string comment;
};

struct ReportCard {
  std::int64_t publication_id = 0;
  std::int64_t student_id = 0;
  std::string title;  // the publication's title
  std::string student_name;
  std::string class_name;
  int year = 0;
  std::string term;
  std::vector<CardSubject> subjects;
  bool has_attendance = false;
  int sessions = 0, present = 0, late = 0, absent = 0, excused = 0;
  std::string general_comment;
};

// Everything the cards of one publication are computed from, read once per build.
struct CardInputs {
  db::PublicationRow publication;
  std::string term_name, term_start, term_end;
  std::vector<db::ReportAssessmentRow> assessments;
  std::vector<db::ReportMarkRow> marks;
  std::vector<db::ReportBandRow> bands;
  std::int64_t default_scale = 0;
};

// The card of one student (attendance and comments are filled in by the caller).
ReportCard compute_card(const CardInputs& in, const db::ReportStudentRow& student);

// Hundredths of a percent → "91.5%"; a band label for a percentage on a scale.
std::string percent_text(std::int64_t percent_x100);
std::string grade_for(const std::vector<db::ReportBandRow>& bands, std::int64_t scale_id, std::int64_t percent_x100);

std::string card_html(const ReportCard& c);  // the page body (escaped; no layout)
std::string card_pdf(const ReportCard& c, pdf::Paper paper);

}  // namespace sy::services
