#include "pdf/document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "imaging/jpeg/markers.h"

namespace sy::pdf {

std::optional<Paper> paper_from_name(std::string_view name) {
  if (name == "a4") return Paper::a4;
  if (name == "letter") return Paper::letter;
  return std::nullopt;
}

const char* paper_name(Paper p) { return p == Paper::letter ? "letter" : "a4"; }

Size page_size(Paper p) {
  if (p == Paper::letter) return {612.0, 792.0};  // 8.5 × 11 in
  return {595.28, 841.89};                        // 210 × 297 mm
}

std::optional<JpegInfo> jpeg_info(std::string_view b) {
  namespace jm = imaging::jpeg;
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF || static_cast<unsigned char>(b[1]) != jm::marker::SOI)
    return std::nullopt;
  jm::MarkerWalker walk(b);
  jm::Segment s;
  while (walk.next(s)) {
    if (s.marker == jm::marker::EOI || s.marker == jm::marker::SOS) return std::nullopt;  // no frame header first
    if (!jm::is_sof(s.marker)) continue;
    const std::string_view p = s.payload;
    // C0–C2 at 8 bits is what every PDF reader's DCTDecode handles; CMYK (4) is left out
    // because Adobe's inverted CMYK needs a /Decode array Cairo does not write.
    if (p.size() < 6 || s.marker > jm::marker::SOF2 || p[0] != 8) return std::nullopt;
    JpegInfo info{jm::be16_at(p, 3), jm::be16_at(p, 1), static_cast<unsigned char>(p[5])};
    if (info.width == 0 || info.height == 0 || (info.components != 1 && info.components != 3)) return std::nullopt;
    return info;
  }
  return std::nullopt;
}

namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Pango must be given valid UTF-8; names come from users.
std::string valid_utf8(std::string_view s) {
  gchar* v = g_utf8_make_valid(s.data(), static_cast<gssize>(s.size()));
  std::string out(v);
  g_free(v);
  return out;
}

}  // namespace

struct Document::Impl {
  Paper paper;
  std::string out;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  int pages = 0;
  bool finished = false;

  ~Impl() {
    if (cr) cairo_destroy(cr);
    if (surface) cairo_surface_destroy(surface);
  }

  PangoLayout* layout(std::string_view utf8, double width, const TextStyle& st) {
    PangoLayout* l = pango_cairo_create_layout(cr);
    // Vector output: metrics unhinted so a name measures the same at any zoom.
    cairo_font_options_t* fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(l);

    PangoFontDescription* fd = pango_font_description_new();
    pango_font_description_set_family(fd, st.family.c_str());
    pango_font_description_set_absolute_size(fd, st.size * PANGO_SCALE);
    pango_font_description_set_weight(fd, st.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, st.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);

    pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, st.align == Align::center  ? PANGO_ALIGN_CENTER
                                  : st.align == Align::right ? PANGO_ALIGN_RIGHT
                                                             : PANGO_ALIGN_LEFT);
    std::string text = valid_utf8(utf8);
    if (st.max_lines > 0) text = fit_lines(l, std::move(text), st.max_lines);
    pango_layout_set_text(l, text.c_str(), static_cast<int>(text.size()));
    return l;
  }

  static int lines_of(PangoLayout* l, const std::string& text) {
    pango_layout_set_text(l, text.c_str(), static_cast<int>(text.size()));
    return pango_layout_get_line_count(l);
  }

  // The text cut to max_lines with "…". Not Pango's ellipsizing: Cairo maps the ellipsis glyph to
  // the whole hidden text, so a reader's copy and pdftotext would still get what was cut.
  static std::string fit_lines(PangoLayout* l, std::string text, int max_lines) {
    if (lines_of(l, text) <= max_lines) return text;
    const PangoLayoutLine* last = pango_layout_get_line_readonly(l, max_lines - 1);
    std::string head = text.substr(0, static_cast<std::size_t>(last->start_index + last->length));
    // Character boundaries of head; the longest prefix that fits with "…" (binary search: more
    // characters never need fewer lines).
    std::vector<std::size_t> cuts;
    for (const char* p = head.c_str(); *p; p = g_utf8_next_char(p))
      cuts.push_back(static_cast<std::size_t>(p - head.c_str()));
    std::size_t lo = 0, hi = cuts.size();  // prefix of cuts[k] bytes; k = lo always fits
    auto with_ellipsis = [&](std::size_t k) {
      std::string t = head.substr(0, k == cuts.size() ? head.size() : cuts[k]);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\t')) t.pop_back();
      return t + "\u2026";
    };
    while (lo < hi) {
      const std::size_t mid = (lo + hi + 1) / 2;
      if (lines_of(l, with_ellipsis(mid)) <= max_lines)
        lo = mid;
      else
        hi = mid - 1;
    }
    return with_ellipsis(lo);
  }
};

Document::Document(Paper paper, const Metadata& meta) : impl_(std::make_unique<Impl>()) {
  impl_->paper = paper;
  const Size s = page_size(paper);
  impl_->surface = cairo_pdf_surface_create_for_stream(append, &impl_->out, s.w, s.h);
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_TITLE, valid_utf8(meta.title).c_str());
  cairo_pdf_surface_set_metadata(impl_->surface, CAIRO_PDF_METADATA_CREATOR, valid_utf8(meta.creator).c_str());
  impl_->cr = cairo_create(impl_->surface);
  if (cairo_status(impl_->cr) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(cairo_status(impl_->cr)));
}

Document::~Document() = default;

Size Document::size() const { return page_size(impl_->paper); }

void Document::new_page() {
  if (impl_->finished) throw std::logic_error("pdf::Document used after finish()");
  if (impl_->pages > 0) cairo_show_page(impl_->cr);
  ++impl_->pages;
}

int Document::pages() const { return impl_->pages; }

double Document::measure(std::string_view utf8, double width, const TextStyle& style) {
  PangoLayout* l = impl_->layout(utf8, width, style);
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  g_object_unref(l);
  return static_cast<double>(h) / PANGO_SCALE;
}

double Document::text(std::string_view utf8, Box at, const TextStyle& style) {
  if (impl_->pages == 0) new_page();
  cairo_t* cr = impl_->cr;
  PangoLayout* l = impl_->layout(utf8, at.w, style);
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  cairo_save(cr);
  cairo_set_source_rgb(cr, style.gray, style.gray, style.gray);
  cairo_move_to(cr, at.x, at.y);
  pango_cairo_show_layout(cr, l);
  cairo_restore(cr);
  g_object_unref(l);
  return static_cast<double>(h) / PANGO_SCALE;
}

bool Document::jpeg(std::string_view bytes, Box at) {
  auto info = jpeg_info(bytes);
  if (!info || static_cast<long long>(info->width) * info->height > max_pixels) return false;
  if (impl_->pages == 0) new_page();
  // The surface only carries the JPEG as mime data: the PDF backend embeds those bytes (DCTDecode)
  // and never reads the (blank) pixels.
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, info->width, info->height);
  auto* data = static_cast<unsigned char*>(std::malloc(bytes.size()));
  if (!data) {
    cairo_surface_destroy(img);
    return false;
  }
  std::memcpy(data, bytes.data(), bytes.size());
  cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, data, bytes.size(), std::free, data);
  cairo_t* cr = impl_->cr;
  cairo_save(cr);
  cairo_rectangle(cr, at.x, at.y, at.w, at.h);
  cairo_clip(cr);
  const double scale = std::max(at.w / info->width, at.h / info->height);
  cairo_translate(cr, at.x + (at.w - info->width * scale) / 2, at.y + (at.h - info->height * scale) / 2);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
  return true;
}

void Document::frame(Box at, double line_width, double gray) {
  if (impl_->pages == 0) new_page();
  cairo_t* cr = impl_->cr;
  cairo_save(cr);
  cairo_set_source_rgb(cr, gray, gray, gray);
  cairo_set_line_width(cr, line_width);
  cairo_rectangle(cr, at.x, at.y, at.w, at.h);
  cairo_stroke(cr);
  cairo_restore(cr);
}

std::string Document::finish() {
  if (impl_->finished) throw std::logic_error("pdf::Document finished twice");
  if (impl_->pages == 0) new_page();
  impl_->finished = true;
  cairo_show_page(impl_->cr);
  cairo_destroy(impl_->cr);
  impl_->cr = nullptr;
  cairo_surface_finish(impl_->surface);
  const cairo_status_t st = cairo_surface_status(impl_->surface);
  cairo_surface_destroy(impl_->surface);
  impl_->surface = nullptr;
  if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(st));
  return std::move(impl_->out);
}

}  // namespace sy::pdf
