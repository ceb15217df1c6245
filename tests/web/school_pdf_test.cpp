// The hand-written PDF yearbook: text mapping, JPEG frames, file structure (xref offsets), and the
// /yearbook/{id}.pdf route with its consent and scope rules. When Ghostscript is installed the file
// is also rendered by it and its text extracted.
#include "web/pdf.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "services/school_fixture.h"
#include "storage/object_store.h"
#include "support/tiny_jpeg.h"
#include "web/school_pages.h"

using namespace sy;

namespace {

using test::kTinyJpeg;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// Every xref entry points at its "N 0 obj" and startxref at the table: a reader can open the file.
void expect_valid_structure(const std::string& pdf) {
  ASSERT_EQ(pdf.rfind("%PDF-1.4\n", 0), 0u);
  ASSERT_GE(pdf.size(), 6u);
  EXPECT_EQ(pdf.substr(pdf.size() - 6), "%%EOF\n");
  auto sx = pdf.rfind("startxref\n");
  ASSERT_NE(sx, std::string::npos);
  std::size_t xref = std::stoul(pdf.substr(sx + 10));
  ASSERT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
  std::size_t objects = 0;
  {
    auto line_end = pdf.find('\n', xref + 5);
    auto header = pdf.substr(xref + 5, line_end - xref - 5);  // "0 N"
    objects = std::stoul(header.substr(2));
    std::size_t pos = line_end + 1;
    EXPECT_EQ(pdf.substr(pos, 20), "0000000000 65535 f \n");
    for (std::size_t i = 1; i < objects; ++i) {
      std::string entry = pdf.substr(pos + 20 * i, 20);
      ASSERT_EQ(entry.substr(10), " 00000 n \n") << entry;
      std::size_t off = std::stoul(entry.substr(0, 10));
      std::string expect = std::to_string(i) + " 0 obj\n";
      EXPECT_EQ(pdf.compare(off, expect.size(), expect), 0) << "object " << i;
    }
  }
  EXPECT_NE(pdf.find("/Size " + std::to_string(objects) + " /Root 1 0 R"), std::string::npos);
  // Stream lengths are exact.
  std::regex len_re("/Length ([0-9]+) >>\nstream\n");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), len_re); it != std::sregex_iterator(); ++it) {
    std::size_t start = static_cast<std::size_t>(it->position(0) + it->length(0));
    std::size_t len = std::stoul((*it)[1]);
    EXPECT_EQ(pdf.compare(start + len, 11, "\nendstream\n"), 0);
  }
}

// Text Ghostscript extracts from the PDF, or nullopt when gs is not installed.
std::optional<std::string> gs_text(const std::string& pdf) {
  if (!std::filesystem::exists("/usr/bin/gs")) return std::nullopt;
  std::string dir = test::temp_dir("pdf");
  { std::ofstream(dir + "/y.pdf", std::ios::binary) << pdf; }
  std::string cmd = "/usr/bin/gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=txtwrite -sOutputFile=" + dir + "/y.txt " + dir +
                    "/y.pdf 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  int rc = p ? pclose(p) : -1;
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("Error"), std::string::npos) << out;
  std::ifstream in(dir + "/y.txt");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Pdf, WinAnsiMappingAndWidths) {
  EXPECT_EQ(web::to_winansi("Zoë Ünal"), "Zo\xEB \xDCnal");
  EXPECT_EQ(web::to_winansi("\xE2\x80\x9Chi\xE2\x80\x9D \xE2\x82\xAC"), "\x93hi\x94 \x80");
  EXPECT_EQ(web::to_winansi("日本"), "??");
  EXPECT_EQ(web::to_winansi("a\x01"
                            "b\tc"),
            "ab c");
  EXPECT_EQ(web::to_winansi("\xC3"), "?");  // truncated sequence
  EXPECT_NEAR(web::text_width("Hello", 10), 22.78, 0.001);
  EXPECT_NEAR(web::text_width("Hello", 10, true), 24.45, 0.001);  // H 722, e 556, l 278, o 611
}

TEST(Pdf, JpegFrameHeader) {
  auto ji = web::jpeg_info(kTinyJpeg);
  ASSERT_TRUE(ji);
  EXPECT_EQ(ji->width, 8);
  EXPECT_EQ(ji->height, 8);
  EXPECT_EQ(ji->components, 3);
  EXPECT_FALSE(web::jpeg_info("not a jpeg"));
  EXPECT_FALSE(web::jpeg_info(kTinyJpeg.substr(0, 100)));  // cut before the frame header
  std::string lossless = kTinyJpeg;
  lossless[lossless.find("\xff\xc0", 0, 2) + 1] = '\xc3';
  EXPECT_FALSE(web::jpeg_info(lossless));
}

TEST(Pdf, YearbookLayoutPagesImagesAndText) {
  services::Yearbook y;
  y.cls = {7, "7A (Blue)", 2025, 0};
  for (int i = 1; i <= 13; ++i) {
    services::YearbookEntry e;
    e.student_id = i;
    e.full_name = "Student " + std::to_string(i);
    e.photo_id = i <= 3 ? 100 + i : 0;
    if (i == 1)
      e.quote = "A rather long quote that needs wrapping over two lines and will be cut at the end of line two";
    y.entries.push_back(e);
  }
  y.entries[1].full_name = "Zoë (\\Jr)";
  std::map<std::int64_t, std::string> jpegs = {{101, kTinyJpeg}, {102, "broken"}, {103, kTinyJpeg}};
  auto pdf = web::yearbook_pdf(y, jpegs);
  expect_valid_structure(pdf);
  EXPECT_NE(pdf.find("/Type /Pages /Kids ["), std::string::npos);
  EXPECT_NE(pdf.find("/Count 2 >>"), std::string::npos);  // 12 per page
  EXPECT_EQ(count(pdf, "/Subtype /Image"), 2u);           // the broken JPEG gets an empty frame
  EXPECT_EQ(count(pdf, "/Filter /DCTDecode"), 2u);
  EXPECT_NE(pdf.find("(Zo\\353 \\(\\\\Jr\\)) Tj"), std::string::npos);
  EXPECT_NE(pdf.find("(Student 13) Tj"), std::string::npos);
  EXPECT_NE(pdf.find("(Page 2 of 2) Tj"), std::string::npos);
  EXPECT_NE(pdf.find("/Title (Yearbook 7A \\(Blue\\) 2025)"), std::string::npos);
  EXPECT_NE(pdf.find("\\205) Tj"), std::string::npos);  // the quote is cut with an ellipsis
  if (auto text = gs_text(pdf)) {
    EXPECT_NE(text->find("Student 13"), std::string::npos) << *text;
    EXPECT_NE(text->find("7A (Blue) 2025"), std::string::npos) << *text;
  }
}

TEST(Pdf, EmptyYearbookIsOnePage) {
  services::Yearbook y;
  y.cls = {1, "8B", 2025, 0};
  auto pdf = web::yearbook_pdf(y, {});
  expect_valid_structure(pdf);
  EXPECT_NE(pdf.find("/Count 1 >>"), std::string::npos);
  EXPECT_NE(pdf.find("No student in this class has consent for print."), std::string::npos);
}

class YearbookPdfRoute : public test::SchoolFixture {
 protected:
  http::Router router;
  void SetUp() override {
    SchoolFixture::SetUp();
    app->store = storage::open_store("file://" + test::temp_dir("pdfstore"));
    web::mount_school_pages(router, *app);
  }
  http::Response get(std::int64_t who, const std::string& path) {
    return test::call_as(router, *app->db, who, "GET", path);
  }
};

TEST_F(YearbookPdfRoute, PrintConsentOnlyWithStoredThumbs) {
  auto teacher = add_user("teacher", Role::teacher);
  auto ann = add_user("ann", Role::student), ben = add_user("ben", Role::student), dan = add_user("dan", Role::student);
  auto c = add_class("7A", 2025), other = add_class("7B", 2025);
  teach(c, teacher);
  enrol(c, ann);
  enrol(c, ben);
  enrol(other, dan);
  auto pa = photo(ann), pb = photo(ben);
  app->db->tx([&](db::Tx& t) {
    db::school_testing::insert_variant(t, pa, "thumb", "compressed/" + std::to_string(pa) + "/thumb.jpg");
    db::school_testing::insert_variant(t, pb, "thumb", "compressed/" + std::to_string(pb) + "/thumb.jpg");
  });
  app->store->put("compressed/" + std::to_string(pa) + "/thumb.jpg", kTinyJpeg, "image/jpeg");
  app->store->put("compressed/" + std::to_string(pb) + "/thumb.jpg", kTinyJpeg, "image/jpeg");
  consent(ann, "print");
  consent(ben, "yearbook");  // screen only: not in the PDF

  auto r = get(teacher, "/yearbook/" + std::to_string(c) + ".pdf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/pdf");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  expect_valid_structure(r.body);
  EXPECT_NE(r.body.find("(Full ann) Tj"), std::string::npos);
  EXPECT_EQ(r.body.find("Full ben"), std::string::npos);
  EXPECT_EQ(count(r.body, "/Subtype /Image"), 1u);

  consent(ann, "none");
  r = get(teacher, "/yearbook/" + std::to_string(c) + ".pdf");
  EXPECT_EQ(r.body.find("Full ann"), std::string::npos);
  EXPECT_EQ(count(r.body, "/Subtype /Image"), 0u);

  EXPECT_EQ(get(dan, "/yearbook/" + std::to_string(c) + ".pdf").status, 403);
  EXPECT_EQ(get(teacher, "/yearbook/" + std::to_string(other) + ".pdf").status, 403);
  EXPECT_EQ(get(teacher, "/yearbook/x.pdf").status, 404);
}

}  // namespace
