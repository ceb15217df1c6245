// libFuzzer entry: the whole untrusted-bytes path (sniff → header checks → decode → encode) plus
// the small parsers it relies on. Limits are lowered so each input stays fast.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "imaging/compressor.h"
#include "imaging/exif.h"
#include "imaging/icc.h"
#include "imaging/webp_strip.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sy::imaging::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::set<std::string> reasons = {"unsupported_type", "too_many_pixels", "corrupt_image", "timeout",
                                                "internal"};
  std::string bytes(reinterpret_cast<const char*>(data), size);
  sy::imaging::detail::exif_orientation(data, size);
  sy::imaging::detail::is_srgb_profile(bytes);
  sy::imaging::detail::strip_webp_metadata(bytes);

  sy::imaging::Settings s;
  s.max_pixels = 4000000;
  s.max_decode_bytes = 64ll << 20;
  s.max_edge = 256;
  s.thumb_edge = 64;
  s.timeout_ms = 10000;
  s.make_webp = size % 2 == 0;  // both with and without the WebP encoder, cheaply
  sy::imaging::Result r = sy::imaging::compress(bytes, s);
  if (r.ok ? r.derivatives.empty() : !reasons.count(r.reason) || !r.derivatives.empty()) __builtin_trap();
  for (const auto& d : r.derivatives)
    if (d.bytes.empty() || d.width < 1 || d.height < 1 || d.width > 256 || d.height > 256) __builtin_trap();
  return 0;
}
