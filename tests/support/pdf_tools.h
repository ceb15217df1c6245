#pragma once
// Reads a PDF back with poppler-utils (Debian's poppler-utils; ./dev installs it for the tests):
// the text a reader extracts, the embedded images and fonts. What a person opening the file sees,
// not what our writer meant to write.
#include <string>
#include <vector>

namespace sy::test {

struct PdfImage {
  int page = 0, width = 0, height = 0;
  std::string encoding;  // pdfimages' "enc" column: jpeg, image, …
};
struct PdfFont {
  std::string name, type;
  bool embedded = false;
};

std::string pdf_text(const std::string& pdf);              // pdftotext -layout -enc UTF-8; fails the test on errors
std::vector<PdfImage> pdf_images(const std::string& pdf);  // pdfimages -list
std::vector<PdfFont> pdf_fonts(const std::string& pdf);    // pdffonts
int pdf_pages(const std::string& pdf);                     // pdfinfo's "Pages:"
std::string pdf_info(const std::string& pdf);              // pdfinfo's whole output

// An 8x8 red baseline JPEG (PIL, quality 50, optimised tables).
const std::string& tiny_jpeg();

}  // namespace sy::test
