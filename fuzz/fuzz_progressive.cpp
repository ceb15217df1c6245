// libFuzzer entry for the progressive JPEG entropy decoder alone (imaging/jpeg/progressive_decoder),
// without libjpeg's header checks or libvips in front of it: the frame comes from the input's own
// SOF segment (found with the marker walker), bounded so each input stays fast. Everything after
// is the decoder's: tables, scans, restart markers, refinement passes.
// Run: ninja -C build-fuzz fuzz_progressive && build-fuzz/fuzz/fuzz_progressive -max_total_time=60
//      fuzz/corpus-run/seeds  (the progressive*.jpg seeds fuzz/run.sh makes are good starting points)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "imaging/jpeg/markers.h"
#include "imaging/jpeg/progressive_decoder.h"

namespace d = sy::imaging::detail;
namespace jm = sy::imaging::jpeg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  jm::MarkerWalker walk(bytes);
  jm::Segment s;
  d::ProgressiveFrame frame;
  for (int n = 0; n < 64 && walk.next(s); ++n) {
    if (!jm::is_sof(s.marker)) continue;
    const std::string_view p = s.payload;
    if (p.size() < 6) return 0;
    frame.height = jm::be16_at(p, 1);
    frame.width = jm::be16_at(p, 3);
    const int count = static_cast<unsigned char>(p[5]);
    if (frame.width < 1 || frame.height < 1 || frame.width > 1024 || frame.height > 1024) return 0;
    if (count < 1 || count > 4 || p.size() < 6 + 3 * static_cast<std::size_t>(count)) return 0;
    for (int c = 0; c < count; ++c) {
      const auto* q = reinterpret_cast<const unsigned char*>(p.data()) + 6 + 3 * c;
      frame.components.push_back({q[0], q[1] >> 4, q[1] & 15, q[2]});
    }
    break;
  }
  if (frame.components.empty()) return 0;
  // The decoder checks sampling and table numbers itself (they come from libjpeg otherwise).
  const d::ProgressiveResult r = d::decode_progressive(bytes, frame, 100, d::Deadline{});
  if (r.status != d::ProgressiveStatus::ok && r.status != d::ProgressiveStatus::corrupt) std::abort();
  if (r.status == d::ProgressiveStatus::corrupt && r.detail.empty()) std::abort();  // every failure says why
  if (r.status == d::ProgressiveStatus::ok && r.components.size() != frame.components.size()) std::abort();
  return 0;
}
