// pdf::Document read back with poppler: text in four scripts survives extraction (so the fonts
// have the glyphs and a ToUnicode map), every font is embedded, JPEGs go in as they are, paper
// sizes are right, and bad input (broken UTF-8, a file that is not a JPEG) draws nothing wrong.
#include "pdf/document.h"

#include <gtest/gtest.h>

#include <regex>

#include "support/pdf_tools.h"

using namespace sy;

namespace {

TEST(PdfDocument, TextInAnyScriptIsExtractableAndFontsAreEmbedded) {
  pdf::Document doc(pdf::Paper::a4, {"Test", "Schoolyard"});
  doc.new_page();
  doc.text("Zoë Ünal", {40, 40, 400, 0}, {.size = 14, .bold = true});
  doc.text("Анна Кузнецова", {40, 80, 400, 0}, {});
  doc.text("山田 太郎", {40, 120, 400, 0}, {});
  doc.text("Νίκος Παπαδόπουλος", {40, 160, 400, 0}, {.italic = true});
  doc.text("مريم", {40, 200, 400, 0}, {.align = pdf::Align::right});
  auto bytes = doc.finish();

  auto text = test::pdf_text(bytes);
  // Arabic is drawn (right to left) too; pdftotext's visual order for it is not worth asserting.
  for (const char* s : {"Zoë Ünal", "Анна Кузнецова", "山田 太郎", "Νίκος Παπαδόπουλος"})
    EXPECT_NE(text.find(s), std::string::npos) << s << " not in:\n" << text;
  EXPECT_EQ(text.find('?'), std::string::npos) << text;
  auto fonts = test::pdf_fonts(bytes);
  ASSERT_GE(fonts.size(), 2u);  // DejaVu and a CJK font at least
  for (auto& f : fonts) EXPECT_TRUE(f.embedded) << f.name;
  EXPECT_EQ(test::pdf_pages(bytes), 1);
  EXPECT_TRUE(std::regex_search(test::pdf_info(bytes), std::regex("Title: +Test\n"))) << test::pdf_info(bytes);
}

TEST(PdfDocument, PaperSizesAndPages) {
  for (auto [paper, dims] :
       {std::pair{pdf::Paper::a4, "595.28 x 841.89"}, std::pair{pdf::Paper::letter, "612 x 792"}}) {
    pdf::Document doc(paper, {});
    for (int i = 0; i < 3; ++i) {
      doc.new_page();
      doc.text("page " + std::to_string(i + 1), {40, 40, 100, 0}, {});
    }
    EXPECT_EQ(doc.pages(), 3);
    auto bytes = doc.finish();
    EXPECT_EQ(test::pdf_pages(bytes), 3);
    EXPECT_NE(test::pdf_info(bytes).find(dims), std::string::npos) << test::pdf_info(bytes);
  }
  EXPECT_EQ(pdf::paper_from_name("letter"), pdf::Paper::letter);
  EXPECT_EQ(pdf::paper_from_name("a4"), pdf::Paper::a4);
  EXPECT_FALSE(pdf::paper_from_name("A4 "));
  EXPECT_FALSE(pdf::paper_from_name(""));
}

TEST(PdfDocument, EmptyDocumentIsOneBlankPage) {
  pdf::Document doc(pdf::Paper::a4, {});
  auto bytes = doc.finish();
  EXPECT_EQ(test::pdf_pages(bytes), 1);
  EXPECT_THROW(doc.finish(), std::logic_error);
}

TEST(PdfDocument, JpegsAreEmbeddedAsTheyAre) {
  pdf::Document doc(pdf::Paper::letter, {});
  doc.new_page();
  EXPECT_TRUE(doc.jpeg(test::tiny_jpeg(), {40, 40, 120, 160}));
  EXPECT_FALSE(doc.jpeg("not a jpeg", {40, 240, 120, 160}));
  EXPECT_FALSE(doc.jpeg(test::tiny_jpeg().substr(0, 100), {40, 240, 120, 160}));  // cut before the frame
  doc.new_page();
  EXPECT_TRUE(doc.jpeg(test::tiny_jpeg(), {40, 40, 60, 60}));
  auto bytes = doc.finish();
  auto images = test::pdf_images(bytes);
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].page, 1);
  EXPECT_EQ(images[1].page, 2);
  for (auto& im : images) {
    EXPECT_EQ(im.width, 8);
    EXPECT_EQ(im.height, 8);
    EXPECT_EQ(im.encoding, "jpeg");  // the bytes themselves (DCTDecode), not re-encoded pixels
  }
  EXPECT_NE(bytes.find(test::tiny_jpeg().substr(2, 200)), std::string::npos);
}

TEST(PdfDocument, JpegHeaderChecks) {
  auto ji = pdf::jpeg_info(test::tiny_jpeg());
  ASSERT_TRUE(ji);
  EXPECT_EQ(ji->width, 8);
  EXPECT_EQ(ji->height, 8);
  EXPECT_EQ(ji->components, 3);
  std::string lossless = test::tiny_jpeg();
  lossless[lossless.find("\xff\xc0", 0, 2) + 1] = '\xc3';
  EXPECT_FALSE(pdf::jpeg_info(lossless));
  std::string huge = test::tiny_jpeg();  // 65535 x 65535 declared: over max_pixels, never allocated
  auto sof = huge.find("\xff\xc0", 0, 2);
  huge.replace(sof + 5, 4, "\xff\xff\xff\xff");
  ASSERT_TRUE(pdf::jpeg_info(huge));
  pdf::Document doc(pdf::Paper::a4, {});
  EXPECT_FALSE(doc.jpeg(huge, {0, 0, 10, 10}));
}

TEST(PdfDocument, BrokenUtf8AndLongTextAreContained) {
  pdf::Document doc(pdf::Paper::a4, {"bad \xC3 title"});
  doc.new_page();
  doc.text("Ann\xC3\x28 \xFF end", {40, 40, 300, 0}, {});
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "word" + std::to_string(i) + " ";
  const pdf::TextStyle two{.size = 10, .max_lines = 2};
  double h = doc.text(long_text, {40, 100, 200, 0}, two);
  EXPECT_GT(h, 10);
  EXPECT_LT(h, 30);  // two lines of 10 pt, not forty
  EXPECT_NEAR(doc.measure("one", 200, two), doc.measure("one", 200, {.size = 10}), 0.01);
  auto text = test::pdf_text(doc.finish());
  EXPECT_NE(text.find("end"), std::string::npos);
  EXPECT_NE(text.find("word0"), std::string::npos);
  EXPECT_EQ(text.find("word199"), std::string::npos) << "cut text must not be in the file: " << text;
  EXPECT_EQ(text.find("word60 "), std::string::npos) << text;
  EXPECT_NE(text.find("…"), std::string::npos) << text;
}

}  // namespace
