// Type detection from content only: magic bytes, and for HEIF/AVIF the ISO-BMFF `ftyp` brands.
// A pure function: no decoder runs on bytes that have not passed here.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "imaging/compressor.h"

namespace sy::imaging {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::uint32_t be32(std::string_view s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

enum class Brand { none, heif, avif };

Brand classify(std::string_view brand) {
  // Still-image and sequence brands of HEVC-coded HEIF, then AV1-coded AVIF.
  static constexpr std::string_view heif[] = {"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"};
  static constexpr std::string_view avif[] = {"avif", "avis"};
  for (auto b : heif)
    if (brand == b) return Brand::heif;
  for (auto b : avif)
    if (brand == b) return Brand::avif;
  return Brand::none;
}

// ISO-BMFF: [size:4]["ftyp"][major:4][minor version:4][compatible brands:4*n]. The codec decides
// the type; the structural brands (mif1, msf1, miaf) alone say nothing about it.
std::string sniff_ftyp(std::string_view s) {
  if (s.size() < 16 || s.substr(4, 4) != "ftyp") return "";
  std::uint32_t size = be32(s, 0);
  if (size < 16 || size % 4 != 0 || size > 4096 || size > s.size()) return "";
  Brand major = classify(s.substr(8, 4));
  if (major == Brand::avif) return "avif";
  if (major == Brand::heif) return "heif";
  bool structural = s.substr(8, 4) == "mif1" || s.substr(8, 4) == "msf1" || s.substr(8, 4) == "miaf";
  if (!structural) return "";  // e.g. mp4, jp2, qt: not an image we take
  Brand found = Brand::none;
  for (std::uint32_t at = 16; at + 4 <= size; at += 4) {
    Brand b = classify(s.substr(at, 4));
    if (b == Brand::avif) return "avif";
    if (b == Brand::heif) found = Brand::heif;
  }
  return found == Brand::heif ? "heif" : "";
}

}  // namespace

std::string sniff(const std::string& bytes) {
  std::string_view s(bytes);
  // JPEG: SOI then the first marker's 0xFF (every real JPEG continues with a marker).
  if (s.size() >= 4 && starts_with(s, "\xFF\xD8\xFF")) return "jpeg";
  if (starts_with(s, std::string_view("\x89PNG\r\n\x1A\n", 8)) && s.size() >= 8 + 8 + 13)
    return s.substr(12, 4) == "IHDR" ? "png" : "";
  if (s.size() >= 16 && starts_with(s, "RIFF") && s.substr(8, 4) == "WEBP") {
    auto chunk = s.substr(12, 4);
    return chunk == "VP8 " || chunk == "VP8L" || chunk == "VP8X" ? "webp" : "";
  }
  if (s.size() >= 13 && (starts_with(s, "GIF87a") || starts_with(s, "GIF89a"))) return "gif";
  return sniff_ftyp(s);
}

}  // namespace sy::imaging
