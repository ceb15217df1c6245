#include "imaging/fixtures.h"

#include <libheif/heif.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace fixtures {

using vips::VImage;

namespace {

// The image owns a copy (copy_memory() of a memory image would just share the buffer).
VImage from_pixels(const std::vector<unsigned char>& px, int w, int h, int bands) {
  void* owned = g_malloc(px.size());
  std::memcpy(owned, px.data(), px.size());
  return VImage::new_from_memory_steal(owned, px.size(), w, h, bands, VIPS_FORMAT_UCHAR);
}

// Fills a w x h image from four quadrant colours.
VImage four(int w, int h, Rgb tl, Rgb tr, Rgb bl, Rgb br) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const Rgb& c = y < h / 2 ? (x < w / 2 ? tl : tr) : (x < w / 2 ? bl : br);
      for (int b = 0; b < 3; ++b) px[(static_cast<std::size_t>(y) * w + x) * 3 + b] = static_cast<unsigned char>(c[b]);
    }
  return from_pixels(px, w, h, 3);
}

std::string take(VipsBlob* blob) {
  std::size_t len = 0;
  const void* data = vips_blob_get(blob, &len);
  std::string out(static_cast<const char*>(data), len);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

void put16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8 & 0xFF));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

std::uint32_t crc32(const unsigned char* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

VImage quadrants(int w, int h) { return four(w, h, kRed, kGreen, kBlue, kYellow); }

VImage stored_for_orientation(int w, int h, int o) {
  // EXIF 2.3 Orientation: how the stored rows/columns map to the visual image. For 5..8 the
  // stored image is h x w. Quadrant colours below follow from those definitions.
  switch (o) {
    case 1:
      return four(w, h, kRed, kGreen, kBlue, kYellow);
    case 2:
      return four(w, h, kGreen, kRed, kYellow, kBlue);  // mirrored left-right
    case 3:
      return four(w, h, kYellow, kBlue, kGreen, kRed);  // rotated 180
    case 4:
      return four(w, h, kBlue, kYellow, kRed, kGreen);  // mirrored top-bottom
    case 5:
      return four(h, w, kRed, kBlue, kGreen, kYellow);  // transposed
    case 6:
      return four(h, w, kGreen, kYellow, kRed, kBlue);  // needs 90 deg clockwise to view
    case 7:
      return four(h, w, kYellow, kGreen, kBlue, kRed);  // transversed
    case 8:
      return four(h, w, kBlue, kRed, kYellow, kGreen);  // needs 90 deg anticlockwise
  }
  throw std::invalid_argument("orientation");
}

VImage solid(int w, int h, Rgb c) { return four(w, h, c, c, c, c); }

VImage noise(int w, int h) {
  VImage z = VImage::zone(w, h);  // -1..1 zone plate
  VImage s = VImage::sines(w, h, VImage::option()->set("hfreq", 7.0)->set("vfreq", 3.0));
  VImage r = (z * 100 + 128).cast(VIPS_FORMAT_UCHAR);
  VImage g = (s * 100 + 128).cast(VIPS_FORMAT_UCHAR);
  VImage b = ((z + s) * 60 + 128).cast(VIPS_FORMAT_UCHAR);
  return VImage::bandjoin(std::vector<VImage>{r, g, b})
      .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
      .copy_memory();
}

std::string exif_block(int orientation) {
  const std::string desc = "a private photo";
  const std::string datum = kGpsMarker;
  // Layout: header(8) | IFD0: 2 + 3*12 + 4 | GPS IFD: 2 + 4*12 + 4 | data.
  const std::uint32_t ifd0 = 8, gps = ifd0 + 2 + 3 * 12 + 4, data = gps + 2 + 4 * 12 + 4;
  const std::uint32_t desc_at = data, lat_at = desc_at + static_cast<std::uint32_t>(desc.size() + 1);
  const std::uint32_t datum_at = lat_at + 24;
  std::string t = "II";
  put16(t, 42);
  put32(t, ifd0);
  auto entry = [&](std::uint32_t tag, std::uint32_t type, std::uint32_t count, std::uint32_t value) {
    put16(t, tag);
    put16(t, type);
    put32(t, count);
    put32(t, value);
  };
  put16(t, 3);
  entry(0x010E, 2, static_cast<std::uint32_t>(desc.size() + 1), desc_at);  // ImageDescription
  entry(0x0112, 3, 1, static_cast<std::uint32_t>(orientation));            // Orientation
  entry(0x8825, 4, 1, gps);                                                // GPS IFD pointer
  put32(t, 0);
  put16(t, 4);
  entry(0x0000, 1, 4, 0x00000202);                                           // GPSVersionID 2.2.0.0
  entry(0x0001, 2, 2, 'N');                                                  // GPSLatitudeRef
  entry(0x0002, 5, 3, lat_at);                                               // GPSLatitude
  entry(0x0012, 2, static_cast<std::uint32_t>(datum.size() + 1), datum_at);  // GPSMapDatum
  put32(t, 0);
  t += desc + '\0';
  for (std::uint32_t v : {52u, 1u, 31u, 1u, 7u, 1u}) put32(t, v);
  t += datum + '\0';
  return std::string("Exif\0\0", 6) + t;
}

std::string jpeg(const VImage& im, int quality, bool progressive, bool strip) {
  return take(
      im.jpegsave_buffer(VImage::option()->set("Q", quality)->set("interlace", progressive)->set("strip", strip)));
}

std::string png(const VImage& im, bool interlace) {
  return take(im.pngsave_buffer(VImage::option()->set("interlace", interlace)));
}

std::string webp(const VImage& im) { return take(im.webpsave_buffer(VImage::option()->set("Q", 90))); }

std::string heif(const VImage& im, bool avif) {
  return take(im.heifsave_buffer(
      VImage::option()
          ->set("Q", 90)
          ->set("bitdepth", 8)
          ->set("compression", avif ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1 : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC)));
}

std::string gif(const std::vector<VImage>& frames) {
  VImage all = VImage::arrayjoin(frames, VImage::option()->set("across", 1)).copy();
  all.set("page-height", frames.front().height());
  all.set("delay", std::vector<int>(frames.size(), 100));
  return take(all.gifsave_buffer());
}

std::string with_app1(const std::string& jpeg, const std::string& exif) {
  std::string seg = "\xFF\xE1";
  std::size_t len = exif.size() + 2;
  seg.push_back(static_cast<char>(len >> 8));
  seg.push_back(static_cast<char>(len & 0xFF));
  return jpeg.substr(0, 2) + seg + exif + jpeg.substr(2);
}

std::string with_comment(const std::string& jpeg, const std::string& text) {
  std::string seg = "\xFF\xFE";
  std::size_t len = text.size() + 2;
  seg.push_back(static_cast<char>(len >> 8));
  seg.push_back(static_cast<char>(len & 0xFF));
  return jpeg.substr(0, 2) + seg + text + jpeg.substr(2);
}

VImage with_exif(const VImage& im, const std::string& exif) {
  VImage out = im.copy();
  vips_image_set_blob_copy(out.get_image(), VIPS_META_EXIF_NAME, exif.data(), exif.size());
  return out;
}

std::string set_jpeg_size(std::string j, int w, int h) {
  for (std::size_t i = 2; i + 9 < j.size();) {
    auto m = static_cast<unsigned char>(j[i + 1]);
    std::size_t len = static_cast<unsigned char>(j[i + 2]) << 8 | static_cast<unsigned char>(j[i + 3]);
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
      j[i + 5] = static_cast<char>(h >> 8);
      j[i + 6] = static_cast<char>(h & 0xFF);
      j[i + 7] = static_cast<char>(w >> 8);
      j[i + 8] = static_cast<char>(w & 0xFF);
      return j;
    }
    i += 2 + len;
  }
  throw std::runtime_error("no SOF marker");
}

std::string set_gif_size(std::string g, int w, int h) {
  auto le16 = [&](std::size_t at, int v) {
    g[at] = static_cast<char>(v & 0xFF);
    g[at + 1] = static_cast<char>(v >> 8 & 0xFF);
  };
  le16(6, w);
  le16(8, h);
  std::size_t i = 13;                                                          // after the logical screen descriptor
  if (static_cast<unsigned char>(g[10]) & 0x80) i += 3u << ((g[10] & 7) + 1);  // global colour table
  while (i < g.size() && g[i] == 0x21) {  // extensions: introducer, label, sub-blocks, terminator
    i += 2;
    while (i < g.size() && g[i] != 0) i += 1 + static_cast<unsigned char>(g[i]);
    ++i;
  }
  if (i + 9 > g.size() || g[i] != 0x2C) throw std::runtime_error("no image descriptor");
  le16(i + 5, w);
  le16(i + 7, h);
  return g;
}

std::string set_png_size(std::string p, int w, int h) {
  auto be = [&](std::size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) p[at + k] = static_cast<char>(v >> (24 - 8 * k) & 0xFF);
  };
  be(16, static_cast<std::uint32_t>(w));
  be(20, static_cast<std::uint32_t>(h));
  be(29, crc32(reinterpret_cast<const unsigned char*>(p.data()) + 12, 17));
  return p;
}

std::string heic_with_orientation(const VImage& stored, int o) {
  heif_context* ctx = heif_context_alloc();
  heif_encoder* enc = nullptr;
  if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc).code)
    throw std::runtime_error("no HEVC encoder");
  heif_encoder_set_lossy_quality(enc, 90);
  heif_image* img = nullptr;
  int w = stored.width(), h = stored.height();
  heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img);
  heif_image_add_plane(img, heif_channel_interleaved, w, h, 8);
  int stride = 0;
  uint8_t* plane = heif_image_get_plane(img, heif_channel_interleaved, &stride);
  std::size_t size = 0;
  auto* px = static_cast<unsigned char*>(stored.write_to_memory(&size));
  for (int y = 0; y < h; ++y)
    std::memcpy(plane + static_cast<std::size_t>(y) * stride, px + static_cast<std::size_t>(y) * w * 3,
                static_cast<std::size_t>(w) * 3);
  g_free(px);
  heif_encoding_options* opt = heif_encoding_options_alloc();
  opt->image_orientation = static_cast<heif_orientation>(o);
  heif_error err = heif_context_encode_image(ctx, img, enc, opt, nullptr);
  heif_encoding_options_free(opt);
  heif_image_release(img);
  heif_encoder_release(enc);
  if (err.code) {
    heif_context_free(ctx);
    throw std::runtime_error(err.message);
  }
  std::string out;
  heif_writer writer{};
  writer.writer_api_version = 1;
  writer.write = [](heif_context*, const void* data, size_t n, void* user) {
    static_cast<std::string*>(user)->append(static_cast<const char*>(data), n);
    return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
  };
  heif_context_write(ctx, &writer, &out);
  heif_context_free(ctx);
  return out;
}

VImage decode(const std::string& bytes) {
  return VImage::new_from_buffer(bytes.data(), bytes.size(), "").copy_memory();
}

Rgb pixel(const VImage& im, int x, int y) {
  std::vector<double> p = im.getpoint(x, y);
  if (p.size() < 3) return {static_cast<int>(p[0]), static_cast<int>(p[0]), static_cast<int>(p[0])};
  return {static_cast<int>(p[0] + 0.5), static_cast<int>(p[1] + 0.5), static_cast<int>(p[2] + 0.5)};
}

std::vector<unsigned char> jpeg_markers(const std::string& j) {
  std::vector<unsigned char> out;
  std::size_t i = 2;
  while (i + 4 <= j.size() && static_cast<unsigned char>(j[i]) == 0xFF) {
    auto m = static_cast<unsigned char>(j[i + 1]);
    out.push_back(m);
    if (m == 0xDA) break;
    i += 2 + (static_cast<unsigned char>(j[i + 2]) << 8 | static_cast<unsigned char>(j[i + 3]));
  }
  return out;
}

std::vector<std::string> webp_chunks(const std::string& w) {
  std::vector<std::string> out;
  for (std::size_t i = 12; i + 8 <= w.size();) {
    out.push_back(w.substr(i, 4));
    std::size_t n = static_cast<unsigned char>(w[i + 4]) | static_cast<unsigned char>(w[i + 5]) << 8 |
                    static_cast<unsigned char>(w[i + 6]) << 16 |
                    static_cast<std::size_t>(static_cast<unsigned char>(w[i + 7])) << 24;
    i += 8 + n + (n & 1);
  }
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace fixtures
