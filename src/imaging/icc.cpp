#include "imaging/icc.h"

#include <cstdint>

namespace sy::imaging::detail {
namespace {

std::uint32_t be32(std::string_view s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

}  // namespace

bool is_srgb_profile(std::string_view icc) {
  if (icc.size() < 132 || icc.substr(16, 4) != "RGB ") return false;
  std::uint32_t count = be32(icc, 128);
  if (count > (icc.size() - 132) / 12) return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::size_t entry = 132 + static_cast<std::size_t>(i) * 12;
    if (icc.substr(entry, 4) != "desc") continue;
    std::size_t off = be32(icc, entry + 4), len = be32(icc, entry + 8);
    if (off > icc.size() || len > icc.size() - off) return false;
    std::string_view desc = icc.substr(off, len);
    // v2 'desc' holds ASCII, v4 'mluc' UTF-16BE.
    return desc.find("sRGB") != std::string_view::npos ||
           desc.find(std::string_view("\0s\0R\0G\0B", 8)) != std::string_view::npos;
  }
  return false;
}

}  // namespace sy::imaging::detail
