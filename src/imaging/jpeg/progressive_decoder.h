#pragma once
// Entropy decoding of progressive Huffman JPEGs into DCT coefficients. libjpeg-turbo 2.1 spends
// most of a progressive photo's decode time here (per-block calls, per-byte marker checks); this
// one removes the byte stuffing from each scan once, then runs tight per-scan loops. The frame
// header has already been read and checked by libjpeg; everything from the file is still
// treated as hostile (bounds-checked, typed failure, never reads outside `bytes`).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "imaging/deadline.h"

namespace sy::imaging::detail {

struct ProgressiveFrame {
  int width = 0;
  int height = 0;
  struct Component {
    int id = 0;
    int h = 1;  // sampling factors
    int v = 1;
    int quant_table = 0;
  };
  std::vector<Component> components;
};

struct ComponentCoefficients {
  int blocks_w = 0;  // the component's own blocks: ceil(ceil(width * h / hmax) / 8)
  int blocks_h = 0;
  int stride = 0;  // blocks per row (padded to whole MCUs)
  // 64 per block, natural order; DC kept apart (`dc`) so a DC scan touches 2 bytes per block,
  // not a cache line.
  std::vector<std::int16_t> coef;
  std::vector<std::int16_t> dc;
  std::vector<std::uint64_t> nonzero;     // per block, bit z = AC coefficient at zigzag z is set
  std::array<std::uint16_t, 64> quant{};  // natural order, as latched at the component's first scan

  std::size_t index(int bx, int by) const {
    return static_cast<std::size_t>(by) * stride + static_cast<std::size_t>(bx);
  }
  std::int16_t* block(int bx, int by) { return coef.data() + index(bx, by) * 64; }
  // A copy of the whole block, DC included.
  void copy_block(int bx, int by, std::int16_t out[64]) const;
};

enum class ProgressiveStatus { ok, corrupt, timeout };

struct ProgressiveResult {
  ProgressiveStatus status = ProgressiveStatus::corrupt;
  std::string detail;  // for corrupt
  std::vector<ComponentCoefficients> components;
  std::int64_t allocated = 0;  // bytes the decoder held at its peak (what ScanPlan::memory must cover)
};

// A walk over a Huffman JPEG's markers that allocates nothing, made before the whole-frame
// buffers are: what those buffers and the scan copies will cost, and whether the scans could
// possibly fill the declared frame. Every block of a component is coded in that component's
// first DC scan with at least one bit (a Huffman code is 1-16 bits), so a scan with fewer bits
// than blocks is incomplete whatever it holds — a few KB declaring 8000x8000 is refused here,
// not after 200 MB were zeroed.
struct ScanPlan {
  bool ok = false;
  std::string detail;       // why not
  std::int64_t memory = 0;  // bytes decode_progressive allocates: coefficients, DC, masks, scan copy
  std::int64_t blocks = 0;  // blocks of all components
};
ScanPlan plan_scans(const std::string& bytes, const ProgressiveFrame& frame, int max_scans);

ProgressiveResult decode_progressive(const std::string& bytes, const ProgressiveFrame& frame, int max_scans,
                                     const Deadline& deadline);

}  // namespace sy::imaging::detail
