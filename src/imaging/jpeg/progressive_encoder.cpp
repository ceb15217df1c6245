#include "imaging/jpeg/progressive_encoder.h"

#include <algorithm>
#include <array>
#include <vector>

#include "imaging/jpeg/fdct.h"
#include "imaging/jpeg/huffman.h"
#include "imaging/jpeg/zigzag.h"

namespace sy::imaging::detail {
namespace {

// ITU T.81 Annex K, natural order (libjpeg's jcparam.c).
constexpr int kLuma[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                           14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                           18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                           49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr int kChroma[64] = {17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
                             99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                             99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

std::array<int, 64> scaled_table(const int* base, int quality) {
  quality = std::clamp(quality, 1, 100);
  const int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;  // jpeg_quality_scaling
  std::array<int, 64> t{};
  for (int i = 0; i < 64; ++i) t[static_cast<std::size_t>(i)] = std::clamp((base[i] * scale + 50) / 100, 1, 255);
  return t;
}

// A plane cut into 8x8 blocks over a grid of bw x bh blocks, edges repeated.
struct Blocks {  // every element is written before it is read: no zero-filling
  std::vector<std::int16_t, Uninitialised<std::int16_t>> coef;       // 64 per block, zigzag order
  std::vector<std::uint64_t, Uninitialised<std::uint64_t>> nonzero;  // per block
};

Blocks blocks_of(const Plane& p, int bw, int bh, const std::array<int, 64>& quant) {
  alignas(32) float reciprocal[64];
  for (int i = 0; i < 64; ++i) reciprocal[i] = 1.0f / static_cast<float>(quant[static_cast<std::size_t>(i)]);
  Blocks out;
  out.coef.resize(static_cast<std::size_t>(bw) * bh * 64);
  out.nonzero.resize(static_cast<std::size_t>(bw) * bh);
  std::uint8_t tile[64];
  for (int by = 0; by < bh; ++by)
    for (int bx = 0; bx < bw; ++bx) {
      const std::uint8_t* src;
      int stride;
      if ((bx + 1) * 8 <= p.width && (by + 1) * 8 <= p.height) {
        src = p.row(by * 8) + bx * 8;
        stride = p.stride;
      } else {
        for (int y = 0; y < 8; ++y)
          for (int x = 0; x < 8; ++x)
            tile[y * 8 + x] = p.row(std::min(by * 8 + y, p.height - 1))[std::min(bx * 8 + x, p.width - 1)];
        src = tile;
        stride = 8;
      }
      const std::size_t i = static_cast<std::size_t>(by) * bw + bx;
      out.nonzero[i] = fdct_quantise(src, stride, reciprocal, out.coef.data() + i * 64);
    }
  return out;
}

int category(int v) {  // bits needed for |v|
  unsigned a = static_cast<unsigned>(v < 0 ? -v : v);
  return a ? 32 - __builtin_clz(a) : 0;
}

// One scan's symbols, each symbol | extra bit count << 8 | extra bits << 16 | table << 31,
// with their counts per table (0 luma, 1 chroma).
struct Symbols {
  std::vector<std::uint32_t, Uninitialised<std::uint32_t>> list;  // room for the worst case, unfilled
  std::size_t size = 0;
  std::array<long, 257> freq[2]{};
  explicit Symbols(std::size_t most) : list(most) {}
  void add(int table, int symbol, int nbits, unsigned bits) {
    list[size++] = static_cast<std::uint32_t>(symbol) | static_cast<std::uint32_t>(nbits) << 8 |
                   (bits & ((1u << nbits) - 1)) << 16 | static_cast<std::uint32_t>(table) << 31;
    ++freq[table][static_cast<std::size_t>(symbol)];
  }
};

struct Table {
  std::array<std::uint8_t, 17> bits{};  // bits[l]: codes of length l
  std::vector<std::uint8_t> values;
  std::array<std::uint16_t, 256> code{};
  std::array<std::uint8_t, 256> size{};
};

// The optimal table for these counts and each symbol's code.
Table table_for(const std::array<long, 257>& freq) {
  Table t;
  jpeg::HuffmanTable spec = jpeg::optimal_table(freq);
  t.bits = spec.bits;
  t.values = std::move(spec.values);
  std::uint16_t codes[256];
  std::uint8_t lengths[256];
  jpeg::canonical_codes(t.bits.data() + 1, codes, lengths);  // valid by construction
  for (std::size_t k = 0; k < t.values.size(); ++k) {
    t.code[t.values[k]] = codes[k];
    t.size[t.values[k]] = lengths[k];
  }
  return t;
}

// Big-endian bit output with JPEG's byte stuffing (0xFF is followed by 0x00).
class Writer {
 public:
  std::string out;
  void byte(int b) { out.push_back(static_cast<char>(b)); }
  void word(int w) {
    byte(w >> 8);
    byte(w & 0xFF);
  }
  void bits(std::uint32_t value, int n) {  // n <= 16
    acc_ = acc_ << n | (value & ((1u << n) - 1));
    count_ += n;
    if (count_ >= 32) flush32();
  }
  void align() {  // whole bytes out, the last one padded with ones
    while (count_ >= 8) put(static_cast<int>(acc_ >> (count_ -= 8)) & 0xFF);
    if (count_) {
      put(static_cast<int>((acc_ << (8 - count_)) | ((1u << (8 - count_)) - 1)) & 0xFF);
      count_ = 0;
    }
    acc_ = 0;
  }

 private:
  void put(int b) {
    byte(b);
    if (b == 0xFF) byte(0);
  }
  void flush32() {
    const auto word32 = static_cast<std::uint32_t>(acc_ >> (count_ - 32));
    count_ -= 32;
    const std::uint32_t inverted = ~word32;  // a 0xFF byte is a zero byte here
    if (((inverted - 0x01010101u) & ~inverted & 0x80808080u) == 0) {
      const char b[4] = {static_cast<char>(word32 >> 24), static_cast<char>(word32 >> 16),
                         static_cast<char>(word32 >> 8), static_cast<char>(word32)};
      out.append(b, 4);
      return;
    }
    for (int shift = 24; shift >= 0; shift -= 8) put(static_cast<int>(word32 >> shift) & 0xFF);
  }
  std::uint64_t acc_ = 0;
  int count_ = 0;
};

void write_dht(Writer& w, int cls, int id, const Table& t) {
  w.word(0xFFC4);
  w.word(2 + 1 + 16 + static_cast<int>(t.values.size()));
  w.byte(cls << 4 | id);
  for (int l = 1; l <= 16; ++l) w.byte(t.bits[static_cast<std::size_t>(l)]);
  for (auto v : t.values) w.byte(v);
}

// Tables from a scan's counts, their DHT segments, the SOS header and the entropy-coded data.
void write_scan(Writer& w, const Symbols& s, bool dc, const std::vector<int>& components, int ss, int se,
                bool two_tables) {
  Table t[2];
  const int tables = two_tables ? 2 : 1;
  for (int i = 0; i < tables; ++i) {
    t[i] = table_for(s.freq[i]);
    write_dht(w, dc ? 0 : 1, i, t[i]);
  }
  w.word(0xFFDA);
  w.word(6 + 2 * static_cast<int>(components.size()));
  w.byte(static_cast<int>(components.size()));
  for (int c : components) {
    w.byte(c + 1);
    const int table = two_tables && c > 0 ? 1 : 0;
    w.byte(dc ? table << 4 : table);
  }
  w.byte(ss);
  w.byte(se);
  w.byte(0);  // Ah = Al = 0
  for (std::size_t i = 0; i < s.size; ++i) {
    const std::uint32_t e = s.list[i];
    const Table& tt = t[e >> 31];
    const int symbol = static_cast<int>(e & 0xFF), nbits = static_cast<int>(e >> 8 & 0x1F);
    w.bits(tt.code[static_cast<std::size_t>(symbol)], tt.size[static_cast<std::size_t>(symbol)]);
    if (nbits) w.bits(e >> 16 & 0x7FFF, nbits);
  }
  w.align();
}

void emit_eobrun(Symbols& s, int& eobrun) {
  if (!eobrun) return;
  const int nbits = 31 - __builtin_clz(static_cast<unsigned>(eobrun));
  s.add(0, nbits << 4, nbits, static_cast<unsigned>(eobrun));
  eobrun = 0;
}

// An AC scan over one component's own blocks, coefficients ss..se (zigzag), Al = 0: walks the
// nonzero positions of each block from its mask rather than every coefficient.
Symbols ac_scan(const Blocks& blocks, int grid_w, int bw, int bh, int ss, int se) {
  // At most: per block one symbol per coefficient plus ZRLs (one per 16 zeros) and an EOB run.
  Symbols s(static_cast<std::size_t>(bw) * bh * static_cast<std::size_t>(se - ss + 1 + (se - ss + 1) / 16 + 1) + 1);
  const std::uint64_t band =
      (se == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (se + 1)) - 1) & ~((std::uint64_t{1} << ss) - 1);
  int eobrun = 0;
  for (int by = 0; by < bh; ++by)
    for (int bx = 0; bx < bw; ++bx) {
      const std::size_t i = static_cast<std::size_t>(by) * grid_w + bx;
      std::uint64_t m = blocks.nonzero[i] & band;
      if (!m) {
        if (++eobrun == 0x7FFF) emit_eobrun(s, eobrun);
        continue;
      }
      emit_eobrun(s, eobrun);
      const std::int16_t* b = blocks.coef.data() + i * 64;
      const int last = 63 - __builtin_clzll(m);
      int next = ss;  // first position not yet coded
      for (; m; m &= m - 1) {
        const int k = __builtin_ctzll(m);
        int run = k - next;
        for (; run > 15; run -= 16) s.add(0, 0xF0, 0, 0);
        const int v = b[k];
        const int n = category(v);
        s.add(0, run << 4 | n, n, static_cast<unsigned>(v < 0 ? v - 1 : v));
        next = k + 1;
      }
      if (last < se && ++eobrun == 0x7FFF) emit_eobrun(s, eobrun);
    }
  emit_eobrun(s, eobrun);
  return s;
}

}  // namespace

std::string encode_progressive_420(const Planes& planes, int quality) {
  const int w = planes[0].width, h = planes[0].height;
  const int mcux = (w + 15) / 16, mcuy = (h + 15) / 16;
  const std::array<int, 64> ql = scaled_table(kLuma, quality), qc = scaled_table(kChroma, quality);
  // Blocks over whole MCUs (the DC scan visits them all); AC scans visit each component's own.
  const Blocks coef[3] = {blocks_of(planes[0], mcux * 2, mcuy * 2, ql), blocks_of(planes[1], mcux, mcuy, qc),
                          blocks_of(planes[2], mcux, mcuy, qc)};
  const int own_w[3] = {(w + 7) / 8, ((w + 1) / 2 + 7) / 8, ((w + 1) / 2 + 7) / 8};
  const int own_h[3] = {(h + 7) / 8, ((h + 1) / 2 + 7) / 8, ((h + 1) / 2 + 7) / 8};
  const int grid_w[3] = {mcux * 2, mcux, mcux};

  Writer out;
  out.out.reserve(static_cast<std::size_t>(w) * h / 4);
  out.word(0xFFD8);
  // JFIF 1.01, no density (aspect 1:1), no thumbnail: what libjpeg writes by default.
  const std::uint8_t jfif[] = {0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
                               0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
  for (auto b : jfif) out.byte(b);
  out.word(0xFFDB);
  out.word(2 + 2 * 65);
  for (int t = 0; t < 2; ++t) {
    out.byte(t);
    for (int k = 0; k < 64; ++k) out.byte((t ? qc : ql)[static_cast<std::size_t>(kZigzagToNatural[k])]);
  }
  out.word(0xFFC2);  // progressive, Huffman
  out.word(8 + 3 * 3);
  out.byte(8);
  out.word(h);
  out.word(w);
  out.byte(3);
  const int sampling[3] = {0x22, 0x11, 0x11};
  for (int c = 0; c < 3; ++c) {
    out.byte(c + 1);
    out.byte(sampling[c]);
    out.byte(c ? 1 : 0);
  }

  {  // DC of all three components, interleaved: four Y blocks, Cb, Cr per MCU
    Symbols s(static_cast<std::size_t>(mcux) * mcuy * 6);
    int pred[3] = {};
    auto dc = [&](int c, int bx, int by) {
      const int v = coef[c].coef[(static_cast<std::size_t>(by) * grid_w[c] + bx) * 64];
      const int diff = v - pred[c];
      pred[c] = v;
      const int n = category(diff);
      s.add(c ? 1 : 0, n, n, static_cast<unsigned>(diff < 0 ? diff - 1 : diff));
    };
    for (int my = 0; my < mcuy; ++my)
      for (int mx = 0; mx < mcux; ++mx) {
        dc(0, mx * 2, my * 2);
        dc(0, mx * 2 + 1, my * 2);
        dc(0, mx * 2, my * 2 + 1);
        dc(0, mx * 2 + 1, my * 2 + 1);
        dc(1, mx, my);
        dc(2, mx, my);
      }
    write_scan(out, s, true, {0, 1, 2}, 0, 0, true);
  }
  const int bands[][3] = {{0, 1, 2}, {0, 3, 9}, {0, 10, 63}, {1, 1, 63}, {2, 1, 63}};
  for (const auto& band : bands) {
    const int c = band[0];
    Symbols s = ac_scan(coef[c], grid_w[c], own_w[c], own_h[c], band[1], band[2]);
    write_scan(out, s, false, {c}, band[1], band[2], false);
  }
  out.word(0xFFD9);
  return std::move(out.out);
}

}  // namespace sy::imaging::detail
