#pragma once
// A small document API over Cairo (PDF surface) and Pango (text layout): pages of A4 or Letter,
// text blocks laid out by Pango in any script (fontconfig picks a font that has the glyphs; Cairo
// embeds the subset it used), JPEG photos embedded as they are (DCTDecode, no re-encoding), frames
// and lines. Coordinates are PDF points from the page's top-left corner. A leaf: no application
// code, so the yearbook and report cards can both use it. Cairo, Pango and fontconfig headers stay
// in this folder.
//
//   pdf::Document doc(pdf::Paper::a4, {"Yearbook 7A", "Schoolyard"});
//   doc.new_page();
//   doc.text("Анна 山田", {40, 40, 200, 0}, {.size = 12, .bold = true});
//   doc.jpeg(bytes, {40, 80, 120, 160});
//   std::string bytes = doc.finish();
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sy::pdf {

enum class Paper { a4, letter };
// "a4" / "letter" (as in a URL or a form); nullopt for anything else.
std::optional<Paper> paper_from_name(std::string_view name);
const char* paper_name(Paper p);

struct Size {
  double w = 0, h = 0;  // points (1/72 inch)
};
Size page_size(Paper p);

struct Box {
  double x = 0, y = 0, w = 0, h = 0;  // text ignores h (it takes the lines it needs, up to max_lines)
};

enum class Align { left, center, right };

struct TextStyle {
  std::string family = "DejaVu Sans";  // fontconfig falls back per character (CJK, Arabic, …)
  double size = 10;                    // points
  bool bold = false;
  bool italic = false;
  Align align = Align::left;
  int max_lines = 0;  // 0: no limit; otherwise the last line shown ends with "…"
  double gray = 0.0;  // 0 black … 1 white
};

struct Metadata {
  std::string title;
  std::string creator = "Schoolyard";
};

// JPEG frame facts read from the header (no decoding): what Document::jpeg can embed.
struct JpegInfo {
  int width = 0, height = 0, components = 0;
};
// nullopt unless an 8-bit baseline/extended/progressive Huffman JPEG with 1 or 3 components.
std::optional<JpegInfo> jpeg_info(std::string_view bytes);

class Document {
 public:
  Document(Paper paper, const Metadata& meta);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  Size size() const;
  // Starts a page (the first call starts page 1).
  void new_page();
  int pages() const;

  // Lays out UTF-8 text (invalid bytes are replaced, not trusted) to the box's width, wrapping at
  // word boundaries (inside a word when one is wider than the box); returns the height it used.
  // With style.max_lines the text is cut there and ends with "…": what is cut is not in the file.
  double text(std::string_view utf8, Box at, const TextStyle& style);
  // Height the text would take in that width, without drawing it.
  double measure(std::string_view utf8, double width, const TextStyle& style);

  // Draws the JPEG to cover the box (cropped to it, like CSS object-fit: cover). False, and
  // nothing drawn, when jpeg_info() refuses the bytes or the frame is over max_pixels.
  bool jpeg(std::string_view bytes, Box at);
  static constexpr long long max_pixels = 4096LL * 4096;

  // An outlined rectangle (gray 0 black … 1 white).
  void frame(Box at, double line_width = 0.5, double gray = 0.7);

  // Ends the document and returns the PDF's bytes; the document is unusable afterwards. Throws
  // std::runtime_error when Cairo reports an error.
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::pdf
