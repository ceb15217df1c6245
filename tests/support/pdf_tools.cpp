#include "support/pdf_tools.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/testenv.h"

namespace sy::test {

namespace {

// Runs `tool args file` on the PDF written to a temp file; the output, or a failed expectation.
std::string run(const std::string& tool, const std::string& args, const std::string& pdf) {
  std::string dir = temp_dir("pdftools");
  { std::ofstream(dir + "/f.pdf", std::ios::binary) << pdf; }
  std::string cmd =
      "/usr/bin/" + tool + " " + args + " " + dir + "/f.pdf" + (tool == "pdftotext" ? " -" : "") + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  int rc = p ? pclose(p) : -1;
  EXPECT_EQ(rc, 0) << cmd << ": " << out;
  // poppler prints "Syntax Error"/"Syntax Warning" for a malformed file but often exits 0.
  EXPECT_EQ(out.find("Syntax Error"), std::string::npos) << out;
  EXPECT_EQ(out.find("Syntax Warning"), std::string::npos) << out;
  return out;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

}  // namespace

std::string pdf_text(const std::string& pdf) { return run("pdftotext", "-layout -enc UTF-8", pdf); }

std::vector<PdfImage> pdf_images(const std::string& pdf) {
  // page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
  // --------------------------------------------------------------------------------------------
  std::vector<PdfImage> out;
  auto ls = lines(run("pdfimages", "-list", pdf));
  for (std::size_t i = 2; i < ls.size(); ++i) {
    std::istringstream in(ls[i]);
    PdfImage im;
    std::string num, type, color, comp, bpc;
    in >> im.page >> num >> type >> im.width >> im.height >> color >> comp >> bpc >> im.encoding;
    if (in) out.push_back(im);
  }
  return out;
}

std::vector<PdfFont> pdf_fonts(const std::string& pdf) {
  // name                                 type              encoding         emb sub uni object ID
  // ------------------------------------ ----------------- ---------------- --- --- --- ---------
  std::vector<PdfFont> out;
  auto ls = lines(run("pdffonts", "", pdf));
  for (std::size_t i = 2; i < ls.size(); ++i) {
    if (ls[i].size() < 60) continue;
    PdfFont f;
    f.name = ls[i].substr(0, ls[i].find(' '));
    f.type = ls[i].substr(37, 17);
    f.embedded = ls[i].substr(72, 3).find("yes") != std::string::npos;
    out.push_back(f);
  }
  return out;
}

std::string pdf_info(const std::string& pdf) { return run("pdfinfo", "", pdf); }

int pdf_pages(const std::string& pdf) {
  for (auto& l : lines(pdf_info(pdf)))
    if (l.rfind("Pages:", 0) == 0) return std::stoi(l.substr(6));
  ADD_FAILURE() << "pdfinfo: no page count";
  return -1;
}

const std::string& tiny_jpeg() {
  static const std::string j(
      "\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00\x10\x0b"
      "\x0c\x0e\x0c\x0a\x10\x0e\x0d\x0e\x12\x11\x10\x13\x18\x28\x1a\x18\x16\x16\x18\x31\x23\x25\x1d\x28\x3a\x33\x3d"
      "\x3c\x39\x33\x38\x37\x40\x48\x5c\x4e\x40\x44\x57\x45\x37\x38\x50\x6d\x51\x57\x5f\x62\x67\x68\x67\x3e\x4d\x71"
      "\x79\x70\x64\x78\x5c\x65\x67\x63\xff\xdb\x00\x43\x01\x11\x12\x12\x18\x15\x18\x2f\x1a\x1a\x2f\x63\x42\x38\x42"
      "\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63"
      "\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\xff\xc0\x00\x11"
      "\x08\x00\x08\x00\x08\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xc4\x00\x15\x00\x01\x01\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\xff\xc4\x00\x14\x10\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\xff\xc4\x00\x15\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x04\x06\xff\xc4\x00\x14\x11\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xda\x00"
      "\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00\x8e\x00\x2a\x87\xff\xd9",
      287);
  return j;
}

}  // namespace sy::test
