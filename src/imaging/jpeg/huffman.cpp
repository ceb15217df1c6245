#include "imaging/jpeg/huffman.h"

#include <algorithm>

namespace sy::imaging::jpeg {

bool canonical_codes(const std::uint8_t counts[16], std::uint16_t* codes, std::uint8_t* lengths) {
  int code = 0, k = 0;
  for (int len = 1; len <= 16; ++len) {
    const int n = counts[len - 1];
    if (n && code + n >= (1 << len)) return false;
    for (int i = 0; i < n; ++i, ++k, ++code) {
      codes[k] = static_cast<std::uint16_t>(code);
      lengths[k] = static_cast<std::uint8_t>(len);
    }
    code <<= 1;
  }
  return true;
}

HuffmanTable optimal_table(std::array<long, 257> freq) {
  std::array<int, 33> bits{};
  std::array<int, 257> codesize{};
  std::array<int, 257> others;
  others.fill(-1);
  freq[256] = 1;  // reserves one code point, so no real code is all ones
  for (;;) {
    int c1 = -1, c2 = -1;
    long v = 1000000000L;
    for (int i = 0; i <= 256; ++i)
      if (freq[static_cast<std::size_t>(i)] && freq[static_cast<std::size_t>(i)] <= v) {
        v = freq[static_cast<std::size_t>(i)];
        c1 = i;
      }
    v = 1000000000L;
    for (int i = 0; i <= 256; ++i)
      if (freq[static_cast<std::size_t>(i)] && freq[static_cast<std::size_t>(i)] <= v && i != c1) {
        v = freq[static_cast<std::size_t>(i)];
        c2 = i;
      }
    if (c2 < 0) break;
    freq[static_cast<std::size_t>(c1)] += freq[static_cast<std::size_t>(c2)];
    freq[static_cast<std::size_t>(c2)] = 0;
    ++codesize[static_cast<std::size_t>(c1)];
    while (others[static_cast<std::size_t>(c1)] >= 0) {
      c1 = others[static_cast<std::size_t>(c1)];
      ++codesize[static_cast<std::size_t>(c1)];
    }
    others[static_cast<std::size_t>(c1)] = c2;
    ++codesize[static_cast<std::size_t>(c2)];
    while (others[static_cast<std::size_t>(c2)] >= 0) {
      c2 = others[static_cast<std::size_t>(c2)];
      ++codesize[static_cast<std::size_t>(c2)];
    }
  }
  for (int i = 0; i <= 256; ++i)
    if (codesize[static_cast<std::size_t>(i)])
      ++bits[static_cast<std::size_t>(std::min(codesize[static_cast<std::size_t>(i)], 32))];
  for (int i = 32; i > 16; --i)
    while (bits[static_cast<std::size_t>(i)] > 0) {
      int j = i - 2;
      while (bits[static_cast<std::size_t>(j)] == 0) --j;
      bits[static_cast<std::size_t>(i)] -= 2;
      ++bits[static_cast<std::size_t>(i - 1)];
      bits[static_cast<std::size_t>(j + 1)] += 2;
      --bits[static_cast<std::size_t>(j)];
    }
  int i = 16;
  while (bits[static_cast<std::size_t>(i)] == 0) --i;
  --bits[static_cast<std::size_t>(i)];  // the reserved code point
  HuffmanTable t;
  for (int l = 1; l <= 16; ++l)
    t.bits[static_cast<std::size_t>(l)] = static_cast<std::uint8_t>(bits[static_cast<std::size_t>(l)]);
  for (int l = 1; l <= 32; ++l)
    for (int s = 0; s < 256; ++s)
      if (codesize[static_cast<std::size_t>(s)] == l) t.values.push_back(static_cast<std::uint8_t>(s));
  return t;
}

}  // namespace sy::imaging::jpeg
