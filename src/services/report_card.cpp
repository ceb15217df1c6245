#include "services/report_card.h"

#include <algorithm>

#include "services/grading.h"

namespace sy::services {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

grading::Mark mark_of(const db::ReportMarkRow* m) {
  if (!m) return {};
  if (m->code == "absent") return {grading::MarkKind::absent, 0};
  if (m->code == "exempt") return {grading::MarkKind::exempt, 0};
  if (m->score_x100) return {grading::MarkKind::score, *m->score_x100};
  return {};
}

}  // namespace

std::string percent_text(std::int64_t p) {
  // One decimal, rounded half up: 9150 → "91.5%".
  const std::int64_t tenths = (p + 5) / 10;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

std::string grade_for(const std::vector<db::ReportBandRow>& bands, std::int64_t scale_id, std::int64_t p) {
  std::vector<grading::Band> scale;
  for (const auto& b : bands)
    if (b.scale_id == scale_id) scale.push_back({static_cast<int>(b.min_percent_x100), b.label, ""});
  auto band = grading::band_for(scale, static_cast<int>(p));
  return band ? band->label : "";
}

ReportCard compute_card(const CardInputs& in, const db::ReportStudentRow& student) {
  ReportCard c;
  c.publication_id = in.publication.id;
  c.student_id = student.student_id;
  c.title = in.publication.title;
  c.student_name = student.full_name;
  c.class_name = student.class_name;
  c.year = student.year;
  c.term = in.term_name;

  std::map<std::int64_t, std::vector<const db::ReportMarkRow*>> by_assessment;
  for (const auto& m : in.marks) by_assessment[m.assessment_id].push_back(&m);

  CardSubject* subject = nullptr;
  std::int64_t subject_id = -1, subject_scale = 0;
  std::vector<grading::WeightedMark> weighted;
  auto close_subject = [&] {
    if (!subject) return;
    if (auto p = grading::weighted_percent_x100(weighted)) {
      subject->percent = percent_text(*p);
      subject->grade = grade_for(in.bands, subject_scale, *p);
    }
  };
  for (const auto& a : in.assessments) {  // ordered by class, subject name, id
    if (a.class_id != student.class_id) continue;
    if (a.subject_id != subject_id) {
      close_subject();
      c.subjects.push_back({a.subject_id, a.subject, {}, "", "", ""});
      subject = &c.subjects.back();
      subject_id = a.subject_id;
      weighted.clear();
      subject_scale = a.grade_scale_id ? a.grade_scale_id : in.default_scale;
    }
    const std::int64_t scale = a.grade_scale_id ? a.grade_scale_id : in.default_scale;
    CardLine line{a.name, "—", "", "", ""};
    const db::ReportMarkRow* mine = nullptr;
    auto it = by_assessment.find(a.id);
    if (it != by_assessment.end())
      for (auto* m : it->second)
        if (m->student_id == student.student_id) mine = m;
    const grading::Mark mark = mark_of(mine);
    weighted.push_back({a.max_x100, a.weight_pct, mark});
    if (mark.kind == grading::MarkKind::absent) {
      line.mark = "Absent";
    } else if (mark.kind == grading::MarkKind::exempt) {
      line.mark = "Exempt";
    } else if (mark.kind == grading::MarkKind::score) {
      const int p = grading::percent_x100(mark.score_x100, a.max_x100);
      line.mark = grading::format_x100(mark.score_x100) + " / " + grading::format_x100(a.max_x100);
      line.percent = percent_text(p);
      line.grade = grade_for(in.bands, scale, p);
      if (a.show_rank) {
        // Competition ranking among the class's scores in this assessment; ties share ("2=").
        std::vector<std::optional<int>> values;
        std::size_t me = 0;
        int same = 0, scored = 0;
        for (auto* m : it->second) {
          if (m == mine) me = values.size();
          if (m->score_x100) {
            ++scored;
            if (*m->score_x100 == mark.score_x100) ++same;
          }
          values.push_back(m->score_x100 ? std::optional<int>(static_cast<int>(*m->score_x100)) : std::nullopt);
        }
        const int rank = grading::competition_ranks(values)[me];
        line.rank = std::to_string(rank) + (same > 1 ? "=" : "") + " of " + std::to_string(scored);
      }
    }
    subject->lines.push_back(line);
  }
  close_subject();
  return c;
}

std::string card_html(const ReportCard& c) {
  const std::string base = "/results/" + std::to_string(c.publication_id) + "/students/" + std::to_string(c.student_id);
  std::string h;
  h.reserve(4096);
  h += "<article class=\"report-card\" id=\"report-card\" data-publication=\"" + std::to_string(c.publication_id) +
       "\" data-student=\"" + std::to_string(c.student_id) + "\">\n";
  h += "<h1 class=\"rc-title\">" + esc(c.title) + "</h1>\n";
  h += "<p class=\"rc-who\"><span class=\"rc-name\">" + esc(c.student_name) + "</span> · <span class=\"rc-class\">" +
       esc(c.class_name) + "</span> · <span class=\"rc-year\">" + std::to_string(c.year) +
       "</span> · <span class=\"rc-term\">" + esc(c.term) + "</span></p>\n";
  h += "<p><a class=\"rc-pdf button\" href=\"" + base +
       "/report.pdf\" download>Download the report card (PDF)</a></p>\n";
  if (c.subjects.empty()) h += "<p class=\"rc-empty\">No results in this publication.</p>\n";
  for (const auto& s : c.subjects) {
    h += "<section class=\"rc-subject\">\n<h2>" + esc(s.name);
    if (!s.percent.empty())
      h += " <span class=\"rc-subject-result\">" + esc(s.percent) + (s.grade.empty() ? "" : " · " + esc(s.grade)) +
           "</span>";
    h += "</h2>\n<div class=\"table-wrap\"><table class=\"rc-marks\">\n<thead><tr><th>Assessment</th><th>Mark</th>"
         "<th>%</th><th>Grade</th><th>Rank</th></tr></thead>\n<tbody>\n";
    for (const auto& l : s.lines)
      h += "<tr><td>" + esc(l.assessment) + "</td><td class=\"rc-mark\">" + esc(l.mark) + "</td><td>" + esc(l.percent) +
           "</td><td class=\"rc-grade\">" + esc(l.grade) + "</td><td>" + esc(l.rank) + "</td></tr>\n";
    h += "</tbody></table></div>\n";
    if (!s.comment.empty()) h += "<p class=\"rc-comment\">" + esc(s.comment) + "</p>\n";
    h += "</section>\n";
  }
  if (c.has_attendance)
    h += "<section class=\"rc-attendance\"><h2>Attendance</h2><p>" + std::to_string(c.present) + " present, " +
         std::to_string(c.late) + " late, " + std::to_string(c.absent) + " absent, " + std::to_string(c.excused) +
         " excused of " + std::to_string(c.sessions) + " sessions.</p></section>\n";
  if (!c.general_comment.empty())
    h += "<section class=\"rc-general\"><h2>Comment</h2><p class=\"rc-comment\">" + esc(c.general_comment) +
         "</p></section>\n";
  h += "</article>\n";
  return h;
}

std::string card_pdf(const ReportCard& c, pdf::Paper paper) {
  constexpr double kMargin = 48;
  pdf::Document doc(paper, {c.title + " — " + c.student_name, "Schoolyard"});
  const auto s = doc.size();
  const double w = s.w - 2 * kMargin;
  double y = kMargin;
  doc.new_page();
  auto need = [&](double h) {
    if (y + h > s.h - kMargin) {
      doc.new_page();
      y = kMargin;
    }
  };
  y += doc.text(c.title, {kMargin, y, w, 0}, {.size = 18, .bold = true, .max_lines = 2}) + 6;
  y += doc.text(c.student_name, {kMargin, y, w, 0}, {.size = 14, .bold = true, .max_lines = 2}) + 2;
  y += doc.text(c.class_name + " · " + std::to_string(c.year) + " · " + c.term, {kMargin, y, w, 0},
                {.size = 11, .max_lines = 2, .gray = 0.3}) +
       14;
  const double cols[] = {0, 0.42, 0.62, 0.74, 0.84};
  for (const auto& sub : c.subjects) {
    need(60);
    std::string head = sub.name;
    if (!sub.percent.empty()) head += "   " + sub.percent + (sub.grade.empty() ? "" : " · " + sub.grade);
    y += doc.text(head, {kMargin, y, w, 0}, {.size = 12, .bold = true, .max_lines = 2}) + 4;
    for (const auto& l : sub.lines) {
      need(16);
      const std::string cells[] = {l.assessment, l.mark, l.percent, l.grade, l.rank};
      double h = 0;
      for (int i = 0; i < 5; ++i) {
        const double x = kMargin + 10 + cols[i] * (w - 10);
        const double cw = (i < 4 ? cols[i + 1] - cols[i] : 1 - cols[i]) * (w - 10) - 4;
        h = std::max(h, doc.text(cells[i], {x, y, cw, 0}, {.size = 10, .max_lines = 2}));
      }
      y += h + 3;
    }
    if (!sub.comment.empty()) {
      need(30);
      y += doc.text(sub.comment, {kMargin + 10, y, w - 10, 0}, {.size = 9, .italic = true, .max_lines = 6}) + 2;
    }
    y += 10;
  }
  if (c.has_attendance) {
    need(40);
    y += doc.text("Attendance", {kMargin, y, w, 0}, {.size = 12, .bold = true}) + 4;
    y += doc.text(std::to_string(c.present) + " present, " + std::to_string(c.late) + " late, " +
                      std::to_string(c.absent) + " absent, " + std::to_string(c.excused) + " excused of " +
                      std::to_string(c.sessions) + " sessions.",
                  {kMargin + 10, y, w - 10, 0}, {.size = 10}) +
         10;
  }
  if (!c.general_comment.empty()) {
    need(40);
    y += doc.text("Comment", {kMargin, y, w, 0}, {.size = 12, .bold = true}) + 4;
    doc.text(c.general_comment, {kMargin + 10, y, w - 10, 0}, {.size = 10, .max_lines = 12});
  }
  return doc.finish();
}

}  // namespace sy::services
