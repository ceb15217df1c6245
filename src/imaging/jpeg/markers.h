#pragma once
// JPEG markers by name (ITU T.81 Table B.1) and one walker over a file's marker segments, used by
// every piece of code that reads JPEG headers by hand (the progressive decoder, the upload's
// header check in services/photos.cpp, the PDF layer's JPEG pass-through in pdf/document.cpp).
// Header-only and dependency-free so those layers can use it without linking libvips.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sy::imaging::jpeg {

namespace marker {
inline constexpr int TEM = 0x01;   // no length
inline constexpr int SOF0 = 0xC0;  // baseline DCT, Huffman
inline constexpr int SOF1 = 0xC1;  // extended sequential, Huffman
inline constexpr int SOF2 = 0xC2;  // progressive, Huffman
inline constexpr int SOF3 = 0xC3;  // lossless, Huffman
inline constexpr int DHT = 0xC4;
inline constexpr int SOF5 = 0xC5;  // differential frames (hierarchical), Huffman: C5-C7
inline constexpr int JPG = 0xC8;   // reserved
inline constexpr int SOF9 = 0xC9;  // arithmetic coding: C9-CB, differential CD-CF
inline constexpr int DAC = 0xCC;
inline constexpr int SOF15 = 0xCF;
inline constexpr int RST0 = 0xD0;  // RST0..RST7: no length
inline constexpr int RST7 = 0xD7;
inline constexpr int SOI = 0xD8;  // no length
inline constexpr int EOI = 0xD9;  // no length
inline constexpr int SOS = 0xDA;
inline constexpr int DQT = 0xDB;
inline constexpr int DNL = 0xDC;
inline constexpr int DRI = 0xDD;
inline constexpr int APP0 = 0xE0;  // APP0..APP15: APP0 JFIF, APP1 EXIF/XMP, APP2 ICC, APP14 Adobe
inline constexpr int APP1 = 0xE1;
inline constexpr int APP2 = 0xE2;
inline constexpr int APP14 = 0xEE;
inline constexpr int APP15 = 0xEF;
inline constexpr int COM = 0xFE;
}  // namespace marker

// A start-of-frame marker: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
constexpr bool is_sof(int m) {
  return m >= marker::SOF0 && m <= marker::SOF15 && m != marker::DHT && m != marker::JPG && m != marker::DAC;
}
constexpr bool is_rst(int m) { return m >= marker::RST0 && m <= marker::RST7; }
constexpr bool is_app(int m) { return m >= marker::APP0 && m <= marker::APP15; }
// Markers that stand alone: no length field, no payload.
constexpr bool is_standalone(int m) { return m == marker::TEM || m == marker::SOI || m == marker::EOI || is_rst(m); }

struct Segment {
  int marker = 0;
  std::size_t offset = 0;    // of the marker's 0xFF
  std::string_view payload;  // after the length field; empty for a standalone marker
  std::size_t end = 0;       // offset just after the segment
};

// Walks marker segments from `pos` (2: just after SOI). Bounds-checked: never reads outside the
// bytes. Fill bytes (runs of 0xFF before a marker) are skipped, as T.81 B.1.1.2 allows. Bytes
// other than 0xFF where a marker should start are an error, unless skip_junk is set (libjpeg
// skips them with a warning). Entropy-coded data after SOS is not walked: a caller that decodes
// a scan continues with seek() after it. The walker keeps a view: the bytes must outlive it.
class MarkerWalker {
 public:
  explicit MarkerWalker(std::string_view bytes, std::size_t pos = 2, bool skip_junk = false)
      : b_(bytes), pos_(pos), skip_junk_(skip_junk) {}

  // The next segment; false at the end of the bytes (error() == nullptr) or on a malformed one
  // (error() says what). After an error, next() keeps returning false.
  bool next(Segment& s) {
    if (error_) return false;
    std::size_t i = pos_;
    if (!skip_junk_) {
      if (i >= b_.size()) return false;
      if (u8(i) != 0xFF) return fail("no marker where one should start");
    } else {
      while (i < b_.size() && u8(i) != 0xFF) ++i;
    }
    while (i < b_.size() && u8(i) == 0xFF) ++i;  // the marker's 0xFF and any fill bytes
    if (i >= b_.size()) {
      if (i > pos_) return fail("the file ends inside a marker");
      return false;
    }
    s.offset = i - 1;
    s.marker = u8(i);
    ++i;
    if (s.marker == 0x00) return fail("no marker where one should start");  // a stuffed 0xFF00
    if (is_standalone(s.marker)) {
      s.payload = {};
      s.end = pos_ = i;
      return true;
    }
    if (i + 2 > b_.size()) return fail("the file ends inside a marker");
    const std::size_t len = static_cast<std::size_t>(u8(i)) << 8 | u8(i + 1);
    if (len < 2 || len > b_.size() - i) return fail("bad marker length");
    s.payload = b_.substr(i + 2, len - 2);
    s.end = pos_ = i + len;
    return true;
  }

  void seek(std::size_t pos) { pos_ = pos; }
  std::size_t pos() const { return pos_; }
  const char* error() const { return error_; }

 private:
  unsigned u8(std::size_t i) const { return static_cast<unsigned char>(b_[i]); }
  bool fail(const char* what) {
    error_ = what;
    return false;
  }
  std::string_view b_;
  std::size_t pos_;
  bool skip_junk_;
  const char* error_ = nullptr;
};

// Big-endian 16-bit field of a segment's payload.
inline int be16_at(std::string_view payload, std::size_t i) {
  return static_cast<int>(static_cast<unsigned char>(payload[i])) << 8 | static_cast<unsigned char>(payload[i + 1]);
}

}  // namespace sy::imaging::jpeg
