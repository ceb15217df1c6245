#pragma once
// A small PDF 1.4 writer for the printable yearbook: A4 pages, the standard Helvetica fonts (no
// embedding; text is mapped to WinAnsi, other characters print as '?') and JPEG photos embedded
// as-is (DCTDecode), so no new library is needed.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "services/yearbook.h"

namespace sy::web {

struct JpegInfo {
  int width = 0;
  int height = 0;
  int components = 0;  // 1 gray, 3 RGB (YCbCr), 4 CMYK
  bool adobe = false;  // APP14 "Adobe" marker (inverted CMYK)
};
// Reads the frame header; nullopt when the bytes are not a baseline/progressive JPEG we can embed.
std::optional<JpegInfo> jpeg_info(std::string_view bytes);

// UTF-8 → WinAnsiEncoding bytes (characters outside it become '?', control characters dropped).
std::string to_winansi(std::string_view utf8);
// Width in points of WinAnsi text in Helvetica (bold = Helvetica-Bold) at `size`.
double text_width(std::string_view winansi, double size, bool bold = false);

// The yearbook as a PDF: a grid of photos (photo_id → JPEG bytes; entries without bytes get an
// empty frame), names and quotes, a header on each page and "page N of M" at the bottom.
std::string yearbook_pdf(const services::Yearbook& y, const std::map<std::int64_t, std::string>& jpegs);

}  // namespace sy::web
