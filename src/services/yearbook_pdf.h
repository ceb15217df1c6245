#pragma once
// The printable yearbook, laid out on pdf::Document: a cover page, then a grid of rows × columns
// per page (photo, name, quote), a header and "Page N of M" on each. Names and quotes print in
// any script (fonts embedded). Only what `y` holds is printed: build it with YearbookKind::print.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "pdf/document.h"
#include "services/yearbook.h"

namespace sy::services {

struct PdfLayout {
  pdf::Paper paper = pdf::Paper::a4;
  int rows = 4;
  int columns = 3;
};
// Bounds for rows and columns (a cell must stay big enough for a photo and a name).
constexpr int kPdfMaxRows = 8, kPdfMaxColumns = 6;
// From query/form text ("a4"|"letter", "1".."8", "1".."6"); empty strings keep the defaults.
// AppError invalid_input naming the field otherwise.
PdfLayout pdf_layout(const std::string& paper, const std::string& rows, const std::string& columns);

// photo_id → JPEG bytes (yearbook_images(…, "thumb")); a photo without usable bytes gets an empty
// frame. `progress(done, total)` is called after each page.
std::string yearbook_pdf(const Yearbook& y, const std::map<std::int64_t, std::string>& jpegs, const PdfLayout& layout,
                         const std::function<void(int, int)>& progress = {});

}  // namespace sy::services
