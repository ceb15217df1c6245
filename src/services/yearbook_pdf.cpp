#include "services/yearbook_pdf.h"

#include <algorithm>

#include "core/error.h"

namespace sy::services {

namespace {

int bounded(const std::string& text, const char* field, int dflt, int max) {
  if (text.empty()) return dflt;
  if (text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
      std::stoi(text) > max)
    fail(ErrorKind::invalid, std::string("invalid_") + field,
         std::string(field) + " must be a whole number from 1 to " + std::to_string(max));
  return std::stoi(text);
}

constexpr double kMargin = 40, kGap = 12, kHeader = 34, kFooter = 22;

void footer(pdf::Document& doc, int page, int pages) {
  const auto s = doc.size();
  doc.text("Page " + std::to_string(page) + " of " + std::to_string(pages),
           {kMargin, s.h - kMargin + 6, s.w - 2 * kMargin, 0}, {.size = 8, .align = pdf::Align::center, .gray = 0.4});
}

}  // namespace

PdfLayout pdf_layout(const std::string& paper, const std::string& rows, const std::string& columns) {
  PdfLayout l;
  if (!paper.empty()) {
    auto p = pdf::paper_from_name(paper);
    if (!p) fail(ErrorKind::invalid, "invalid_paper", "paper must be a4 or letter");
    l.paper = *p;
  }
  l.rows = bounded(rows, "rows", l.rows, kPdfMaxRows);
  l.columns = bounded(columns, "columns", l.columns, kPdfMaxColumns);
  return l;
}

std::string yearbook_pdf(const Yearbook& y, const std::map<std::int64_t, std::string>& jpegs, const PdfLayout& layout,
                         const std::function<void(int, int)>& progress) {
  const std::string title = "Yearbook " + y.cls.name + " " + std::to_string(y.cls.year);
  pdf::Document doc(layout.paper, {title, "Schoolyard"});
  const auto s = doc.size();
  const double content_w = s.w - 2 * kMargin;
  const int per_page = layout.rows * layout.columns;
  const int n = static_cast<int>(y.entries.size());
  const int pages = 1 + (n + per_page - 1) / per_page;

  // Cover.
  doc.new_page();
  doc.text("Yearbook", {kMargin, s.h * 0.3, content_w, 0}, {.size = 36, .bold = true, .align = pdf::Align::center});
  doc.text(y.cls.name, {kMargin, s.h * 0.3 + 56, content_w, 0},
           {.size = 24, .align = pdf::Align::center, .max_lines = 3});
  doc.text(std::to_string(y.cls.year), {kMargin, s.h * 0.3 + 150, content_w, 0},
           {.size = 16, .align = pdf::Align::center, .gray = 0.3});
  doc.text(n == 0 ? "No student in this class has consent for print."
                  : std::to_string(n) + (n == 1 ? " student" : " students"),
           {kMargin, s.h * 0.3 + 180, content_w, 0}, {.size = 12, .align = pdf::Align::center, .gray = 0.3});
  footer(doc, 1, pages);
  if (progress) progress(1, pages);

  // The grid: each cell is a photo over a name (bold, two lines at most) and a quote (two lines).
  const double cell_w = (content_w - (layout.columns - 1) * kGap) / layout.columns;
  const double grid_h = s.h - 2 * kMargin - kHeader - kFooter;
  const double cell_h = (grid_h - (layout.rows - 1) * kGap) / layout.rows;
  const double name_pt = std::clamp(cell_w / 12, 7.0, 12.0), quote_pt = std::max(6.0, name_pt - 1.5);
  const double text_h = name_pt * 2.6 + quote_pt * 2.6 + 4;
  const double photo_h = std::max(10.0, cell_h - text_h);
  for (int page = 2; page <= pages; ++page) {
    doc.new_page();
    doc.text(title, {kMargin, kMargin, content_w, 0}, {.size = 12, .bold = true, .max_lines = 1});
    for (int i = 0; i < per_page; ++i) {
      const int k = (page - 2) * per_page + i;
      if (k >= n) break;
      const auto& e = y.entries[static_cast<std::size_t>(k)];
      const double x = kMargin + (i % layout.columns) * (cell_w + kGap);
      const double top = kMargin + kHeader + (i / layout.columns) * (cell_h + kGap);
      const pdf::Box photo{x, top, cell_w, photo_h};
      auto bytes = e.photo_id ? jpegs.find(e.photo_id) : jpegs.end();
      if (bytes == jpegs.end() || !doc.jpeg(bytes->second, photo)) doc.frame(photo);
      double used = doc.text(e.full_name, {x, top + photo_h + 3, cell_w, 0},
                             {.size = name_pt, .bold = true, .align = pdf::Align::center, .max_lines = 2});
      if (!e.quote.empty())
        doc.text(e.quote, {x, top + photo_h + 4 + used, cell_w, 0},
                 {.size = quote_pt, .italic = true, .align = pdf::Align::center, .max_lines = 2, .gray = 0.25});
    }
    footer(doc, page, pages);
    if (progress) progress(page, pages);
  }
  return doc.finish();
}

}  // namespace sy::services
