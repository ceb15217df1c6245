#include "imaging/webp_strip.h"

#include <cstdint>

namespace sy::imaging::detail {
namespace {

std::uint32_t le32(const std::string& s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24;
}

void put_le32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i) & 0xFF);
}

}  // namespace

std::string strip_webp_metadata(const std::string& webp) {
  if (webp.size() < 12 || webp.compare(0, 4, "RIFF") != 0 || webp.compare(8, 4, "WEBP") != 0) return "";
  constexpr unsigned char kIcc = 0x20, kExif = 0x08, kXmp = 0x04;
  std::string out = webp.substr(0, 12);
  for (std::size_t i = 12; i < webp.size();) {
    if (webp.size() - i < 8) return "";
    std::string fourcc = webp.substr(i, 4);
    std::size_t n = le32(webp, i + 4);
    std::size_t total = 8 + n + (n & 1);
    if (n > webp.size() || total > webp.size() - i) return "";
    if (fourcc != "EXIF" && fourcc != "XMP " && fourcc != "ICCP") {
      std::size_t at = out.size();
      out.append(webp, i, total);
      if (fourcc == "VP8X" && n >= 1) out[at + 8] = static_cast<char>(out[at + 8] & ~(kIcc | kExif | kXmp));
    }
    i += total;
  }
  put_le32(out, 4, static_cast<std::uint32_t>(out.size() - 8));
  return out;
}

}  // namespace sy::imaging::detail
