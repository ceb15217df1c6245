#pragma once
// Canonical Huffman codes as JPEG defines them, shared by the progressive decoder (tables read
// from DHT segments) and the progressive encoder (optimal tables from symbol counts).
#include <array>
#include <cstdint>
#include <vector>

namespace sy::imaging::jpeg {

// ITU T.81 C.2: the canonical code of each symbol, in DHT order, from the number of codes of
// each length (counts[l - 1]: codes of length l, l = 1..16). codes and lengths get one entry
// per symbol (the sum of counts, at most 256). False when the counts overfill a length; like
// libjpeg we also refuse a table that uses the all-ones code of its length.
bool canonical_codes(const std::uint8_t counts[16], std::uint16_t* codes, std::uint8_t* lengths);

// A table as DHT carries it.
struct HuffmanTable {
  std::array<std::uint8_t, 17> bits{};  // bits[l]: codes of length l (bits[0] unused)
  std::vector<std::uint8_t> values;     // symbols, shortest codes first
};

// The optimal table for these symbol counts (freq[s], s = 0..255; freq[256] is ignored): T.81
// K.2's code lengths, limited to 16 bits by K.3's adjustment, as libjpeg's
// jpeg_gen_optimal_table does — so the same counts give libjpeg's table. One code point is
// reserved, so no real code is all ones.
HuffmanTable optimal_table(std::array<long, 257> freq);

}  // namespace sy::imaging::jpeg
