#include "imaging/exif.h"

#include <cstdint>
#include <cstring>

namespace sy::imaging::detail {

int exif_orientation(const unsigned char* data, std::size_t size) {
  if (size >= 6 && std::memcmp(data, "Exif\0\0", 6) == 0) {
    data += 6;
    size -= 6;
  }
  if (size < 8) return 1;
  bool little;
  if (data[0] == 'I' && data[1] == 'I')
    little = true;
  else if (data[0] == 'M' && data[1] == 'M')
    little = false;
  else
    return 1;
  auto u16 = [&](std::size_t at) -> std::uint32_t {
    return little ? data[at] | data[at + 1] << 8 : data[at] << 8 | data[at + 1];
  };
  auto u32 = [&](std::size_t at) -> std::uint32_t {
    return little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
  };
  if (u16(2) != 42) return 1;
  std::size_t ifd = u32(4);
  if (ifd < 8 || ifd > size - 2) return 1;
  std::size_t count = u16(ifd);
  std::size_t first = ifd + 2;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t e = first + i * 12;
    if (e + 12 > size) return 1;
    if (u16(e) != 0x0112) continue;
    // SHORT, one value, stored left-justified in the value field.
    if (u16(e + 2) != 3 || u32(e + 4) != 1) return 1;
    std::uint32_t v = u16(e + 8);
    return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
  }
  return 1;
}

}  // namespace sy::imaging::detail
