#include "web/pdf.h"

#include <array>
#include <cstdio>
#include <vector>

#include "imaging/jpeg/markers.h"

namespace sy::web {

namespace {

// Advance widths (1/1000 em) of WinAnsi codes 32–255 from Adobe's Helvetica and Helvetica-Bold
// AFM metrics (Helvetica-Oblique shares Helvetica's). Codes WinAnsi leaves undefined are 0 and
// never emitted.
constexpr std::array<short, 224> kHelvetica = {
    278,  278, 355, 556,  556, 889, 667, 191, 333, 333, 389, 584,  278, 333, 278,  278, 556,  556,  556, 556,  556,
    556,  556, 556, 556,  556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,  722, 667,  611,  778, 722,  278,
    500,  667, 556, 833,  722, 778, 667, 778, 722, 667, 611, 722,  667, 944, 667,  667, 611,  278,  278, 278,  469,
    556,  333, 556, 556,  500, 556, 556, 278, 556, 556, 222, 222,  500, 222, 833,  556, 556,  556,  556, 333,  500,
    278,  556, 500, 722,  500, 500, 500, 334, 260, 334, 584, 0,    556, 0,   222,  556, 333,  1000, 556, 556,  333,
    1000, 667, 333, 1000, 0,   611, 0,   0,   222, 222, 333, 333,  350, 556, 1000, 333, 1000, 500,  333, 944,  0,
    500,  667, 278, 333,  556, 556, 556, 556, 260, 556, 333, 737,  370, 556, 584,  333, 737,  333,  400, 584,  333,
    333,  333, 556, 537,  278, 333, 333, 365, 556, 834, 834, 834,  611, 667, 667,  667, 667,  667,  667, 1000, 722,
    667,  667, 667, 667,  278, 278, 278, 278, 722, 722, 778, 778,  778, 778, 778,  584, 778,  722,  722, 722,  722,
    667,  667, 611, 556,  556, 556, 556, 556, 556, 889, 500, 556,  556, 556, 556,  278, 278,  278,  278, 556,  556,
    556,  556, 556, 556,  556, 584, 611, 556, 556, 556, 556, 500,  556, 500};
constexpr std::array<short, 224> kHelveticaBold = {
    278,  333, 474, 556,  556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,  278, 556,  556,  556, 556,  556,
    556,  556, 556, 556,  556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722,  722, 667,  611,  778, 722,  278,
    556,  722, 611, 833,  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,  667, 611,  333,  278, 333,  584,
    556,  333, 556, 611,  556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,  611, 611,  611,  611, 389,  556,
    333,  611, 556, 778,  556, 556, 500, 389, 280, 389, 584, 0,   556, 0,   278,  556, 500,  1000, 556, 556,  333,
    1000, 667, 333, 1000, 0,   611, 0,   0,   278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556,  333, 944,  0,
    500,  667, 278, 333,  556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584,  333, 737,  333,  400, 584,  333,
    333,  333, 611, 556,  278, 333, 333, 365, 556, 834, 834, 834, 611, 722, 722,  722, 722,  722,  722, 1000, 722,
    667,  667, 667, 667,  278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778,  584, 778,  722,  722, 722,  722,
    667,  667, 611, 556,  556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556,  278, 278,  278,  278, 611,  611,
    611,  611, 611, 611,  611, 584, 611, 611, 611, 611, 611, 556, 611, 556};

// Unicode → WinAnsi for the cp1252 block 0x80–0x9F.
int winansi_special(std::uint32_t cp) {
  static const std::pair<std::uint32_t, int> map[] = {
      {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86}, {0x2021, 0x87},
      {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91},
      {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98},
      {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F}};
  for (auto& [u, c] : map)
    if (u == cp) return c;
  return -1;
}

constexpr char kEllipsis = '\x85';
constexpr double kPageW = 595.28, kPageH = 841.89;  // A4 in points

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A PDF string literal: parentheses and backslashes escaped, everything non-printable as \ddd.
std::string pdf_string(std::string_view s) {
  std::string out = "(";
  for (unsigned char c : s) {
    if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + ")";
}

// Drops characters until text + "…" fits in `max` points.
std::string ellipsize(std::string s, double size, double max, bool bold = false) {
  if (!s.empty() && s.back() == kEllipsis) return s;
  while (!s.empty() && text_width(s + kEllipsis, size, bold) > max) s.pop_back();
  return s + kEllipsis;
}

// Cuts WinAnsi text to `max` points, ending with an ellipsis when cut.
std::string fit(const std::string& s, double size, double max, bool bold = false) {
  return text_width(s, size, bold) <= max ? s : ellipsize(s, size, max, bold);
}

// Greedy word wrap into at most `lines` lines; the last one ends with an ellipsis when text remains.
std::vector<std::string> wrap(const std::string& text, double size, double max, int lines) {
  std::vector<std::string> words;
  std::string w;
  for (char c : text + " ") {
    if (c != ' ') {
      w += c;
    } else if (!w.empty()) {
      words.push_back(std::move(w));
      w.clear();
    }
  }
  std::vector<std::string> out;
  std::string line;
  bool more = false;
  for (const auto& word : words) {
    std::string candidate = line.empty() ? word : line + " " + word;
    if (line.empty() || text_width(candidate, size) <= max) {
      line = candidate;
      continue;
    }
    out.push_back(line);
    line = word;
    if (static_cast<int>(out.size()) == lines) {
      more = true;
      break;
    }
  }
  if (!more && !line.empty()) out.push_back(line);
  for (auto& l : out) l = fit(l, size, max);
  if (more) out.back() = ellipsize(out.back(), size, max);
  return out;
}

class PdfDoc {
 public:
  int reserve() {
    objects_.emplace_back();
    return static_cast<int>(objects_.size());
  }
  void set(int id, std::string body) { objects_.at(static_cast<std::size_t>(id - 1)) = std::move(body); }
  int add(std::string body) {
    int id = reserve();
    set(id, std::move(body));
    return id;
  }
  int add_stream(const std::string& dict_entries, const std::string& data) {
    return add("<< " + dict_entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
               "\nendstream");
  }
  std::string finish(int root, int info) const {
    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects_.size(); ++i) {
      offsets.push_back(out.size());
      out += std::to_string(i + 1) + " 0 obj\n" + objects_[i] + "\nendobj\n";
    }
    std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects_.size() + 1) + "\n0000000000 65535 f \n";
    for (auto o : offsets) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", o);
      out += buf;
    }
    out += "trailer\n<< /Size " + std::to_string(objects_.size() + 1) + " /Root " + std::to_string(root) +
           " 0 R /Info " + std::to_string(info) + " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
  }

 private:
  std::vector<std::string> objects_;
};

std::string text_at(const char* font, double size, double x, double y, const std::string& winansi) {
  return "BT /" + std::string(font) + " " + num(size) + " Tf " + num(x) + " " + num(y) + " Td " + pdf_string(winansi) +
         " Tj ET\n";
}

std::string centred(const char* font, double size, double cx, double y, const std::string& s, bool bold = false) {
  return text_at(font, size, cx - text_width(s, size, bold) / 2, y, s);
}

}  // namespace

std::optional<JpegInfo> jpeg_info(std::string_view b) {
  namespace jm = imaging::jpeg;
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF || static_cast<unsigned char>(b[1]) != jm::marker::SOI)
    return std::nullopt;
  JpegInfo info;
  jm::MarkerWalker walk(b);
  jm::Segment s;
  while (walk.next(s)) {
    if (s.marker == jm::marker::EOI || s.marker == jm::marker::SOS) return std::nullopt;  // no frame header first
    const std::string_view p = s.payload;
    if (s.marker == jm::marker::APP14 && p.substr(0, 5) == "Adobe") info.adobe = true;
    if (jm::is_sof(s.marker)) {
      // Only baseline/extended/progressive Huffman frames (C0–C2) of 8 bits: what PDF readers decode.
      if (p.size() < 6 || s.marker > jm::marker::SOF2 || p[0] != 8) return std::nullopt;
      info.height = jm::be16_at(p, 1);
      info.width = jm::be16_at(p, 3);
      info.components = static_cast<unsigned char>(p[5]);
      if (info.width == 0 || info.height == 0) return std::nullopt;
      if (info.components != 1 && info.components != 3 && info.components != 4) return std::nullopt;
      return info;
    }
  }
  return std::nullopt;
}

std::string to_winansi(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    int n = 0;
    if (c < 0x80)
      cp = c, n = 0;
    else if ((c & 0xE0) == 0xC0)
      cp = c & 0x1F, n = 1;
    else if ((c & 0xF0) == 0xE0)
      cp = c & 0x0F, n = 2;
    else if ((c & 0xF8) == 0xF0)
      cp = c & 0x07, n = 3;
    else {
      out += '?';
      ++i;
      continue;
    }
    bool ok = true;
    for (int k = 1; ok && k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        ok = false;
      else
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (!ok) {
      out += '?';
      ++i;
      continue;
    }
    i += n + 1;
    if (cp == '\t' || cp == '\n' || cp == '\r')
      out += ' ';
    else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
      continue;
    else if (cp < 0x100)
      out += static_cast<char>(cp);
    else if (int w = winansi_special(cp); w >= 0)
      out += static_cast<char>(w);
    else
      out += '?';
  }
  return out;
}

double text_width(std::string_view s, double size, bool bold) {
  const auto& t = bold ? kHelveticaBold : kHelvetica;
  double units = 0;
  for (unsigned char c : s)
    if (c >= 32) units += t[c - 32];
  return units * size / 1000.0;
}

std::string yearbook_pdf(const services::Yearbook& y, const std::map<std::int64_t, std::string>& jpegs) {
  PdfDoc doc;
  int catalog = doc.reserve(), pages = doc.reserve();
  int f_regular = doc.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  int f_bold = doc.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  int f_italic = doc.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique /Encoding /WinAnsiEncoding >>");
  std::string title = to_winansi(y.cls.name + " " + std::to_string(y.cls.year));
  int info = doc.add("<< /Title " + pdf_string(to_winansi("Yearbook ") + title) + " /Producer (Schoolyard) >>");

  const double margin = 42.5, gap = 14;
  const int cols = 4;
  const double cell_w = (kPageW - 2 * margin - (cols - 1) * gap) / cols;
  const double photo_h = cell_w * 4 / 3;
  const double name_size = 9.5, quote_size = 8, quote_lead = 9.5;
  const double cell_h = photo_h + 6 + name_size + 4 + 2 * quote_lead + 10;
  const double header_h = 44, footer_h = 24;
  const int rows = std::max(1, static_cast<int>((kPageH - 2 * margin - header_h - footer_h + gap) / (cell_h + gap)));
  const std::size_t per_page = static_cast<std::size_t>(rows) * cols;
  const std::size_t page_count = std::max<std::size_t>(1, (y.entries.size() + per_page - 1) / per_page);

  std::map<std::int64_t, std::pair<int, JpegInfo>> images;  // photo id → object id, frame
  std::string kids;
  for (std::size_t p = 0; p < page_count; ++p) {
    std::string content, xobjects;
    double top = kPageH - margin;
    content += text_at("F2", 18, margin, top - 18, fit(title, 18, kPageW - 2 * margin, true));
    content += "0.6 G 0.5 w " + num(margin) + " " + num(top - header_h + 12) + " m " + num(kPageW - margin) + " " +
               num(top - header_h + 12) + " l S\n";
    if (y.entries.empty())
      content +=
          text_at("F1", 11, margin, top - header_h - 14, to_winansi("No student in this class has consent for print."));
    for (std::size_t k = 0; k < per_page; ++k) {
      std::size_t idx = p * per_page + k;
      if (idx >= y.entries.size()) break;
      const auto& e = y.entries[idx];
      double x = margin + static_cast<double>(k % cols) * (cell_w + gap);
      double cell_top = top - header_h - static_cast<double>(k / cols) * (cell_h + gap);
      double py = cell_top - photo_h;
      auto bytes = e.photo_id ? jpegs.find(e.photo_id) : jpegs.end();
      std::optional<JpegInfo> ji;
      if (bytes != jpegs.end()) ji = jpeg_info(bytes->second);
      if (ji) {
        auto it = images.find(e.photo_id);
        if (it == images.end()) {
          std::string cs = ji->components == 1 ? "/DeviceGray" : ji->components == 4 ? "/DeviceCMYK" : "/DeviceRGB";
          std::string decode = ji->components == 4 && ji->adobe ? " /Decode [1 0 1 0 1 0 1 0]" : "";
          int id = doc.add_stream("/Type /XObject /Subtype /Image /Width " + std::to_string(ji->width) + " /Height " +
                                      std::to_string(ji->height) + " /ColorSpace " + cs +
                                      " /BitsPerComponent 8 /Filter /DCTDecode" + decode,
                                  bytes->second);
          it = images.emplace(e.photo_id, std::make_pair(id, *ji)).first;
        }
        std::string name = "Im" + std::to_string(it->second.first);
        xobjects += "/" + name + " " + std::to_string(it->second.first) + " 0 R ";
        // Fill the frame and crop the overflow, like CSS object-fit: cover.
        double a = static_cast<double>(it->second.second.width) / it->second.second.height;
        double dw = cell_w, dh = cell_w / a;
        if (dh < photo_h) dh = photo_h, dw = photo_h * a;
        double dx = x - (dw - cell_w) / 2, dy = py - (dh - photo_h) / 2;
        content += "q " + num(x) + " " + num(py) + " " + num(cell_w) + " " + num(photo_h) + " re W n " + num(dw) +
                   " 0 0 " + num(dh) + " " + num(dx) + " " + num(dy) + " cm /" + name + " Do Q\n";
      } else {
        content += "0.93 g " + num(x) + " " + num(py) + " " + num(cell_w) + " " + num(photo_h) + " re f 0 g\n";
      }
      double cx = x + cell_w / 2;
      double ny = py - 6 - name_size;
      content += "0 g " + centred("F2", name_size, cx, ny, fit(to_winansi(e.full_name), name_size, cell_w, true), true);
      if (!e.quote.empty()) {
        std::string q = "\x93" + to_winansi(e.quote) + "\x94";
        double qy = ny - 4 - quote_size;
        for (const auto& line : wrap(q, quote_size, cell_w, 2)) {
          content += "0.35 g " + centred("F3", quote_size, cx, qy, line);
          qy -= quote_lead;
        }
        content += "0 g\n";
      }
    }
    std::string footer = to_winansi("Page " + std::to_string(p + 1) + " of " + std::to_string(page_count));
    content += "0.35 g " + centred("F1", 8, kPageW / 2, margin - 10, footer) + "0 g\n";
    int stream = doc.add_stream("", content);
    std::string res = "<< /Font << /F1 " + std::to_string(f_regular) + " 0 R /F2 " + std::to_string(f_bold) +
                      " 0 R /F3 " + std::to_string(f_italic) + " 0 R >>";
    if (!xobjects.empty()) res += " /XObject << " + xobjects + ">>";
    res += " >>";
    int page = doc.add("<< /Type /Page /Parent " + std::to_string(pages) + " 0 R /MediaBox [0 0 " + num(kPageW) + " " +
                       num(kPageH) + "] /Resources " + res + " /Contents " + std::to_string(stream) + " 0 R >>");
    kids += std::to_string(page) + " 0 R ";
  }
  doc.set(pages, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(page_count) + " >>");
  doc.set(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages) + " 0 R >>");
  return doc.finish(catalog, info);
}

}  // namespace sy::web
