#include "imaging/jpeg/progressive_decoder.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "imaging/jpeg/huffman.h"
#include "imaging/jpeg/markers.h"
#include "imaging/jpeg/zigzag.h"

namespace sy::imaging::detail {
namespace {

// Thrown inside the decoder, caught in decode_progressive(): never leaves this file.
struct Corrupt : std::exception {
  explicit Corrupt(const char* why) : why_(why) {}
  const char* what() const noexcept override { return why_; }

 private:
  const char* why_;
};
struct TimedOut : std::exception {
  const char* what() const noexcept override { return "the deadline passed"; }
};

[[noreturn]] void fail(const char* what) { throw Corrupt(what); }

struct Huffman {
  bool defined = false;
  std::array<std::uint16_t, 512> fast{};   // 9-bit prefix -> (length << 8) | symbol; 0 = longer code
  std::array<std::int32_t, 17> maxcode{};  // largest code of each length, -1 if none
  std::array<std::int32_t, 17> offset{};   // symbol index minus code, per length
  std::array<std::uint8_t, 256> symbols{};
};

void build(Huffman& t, const std::uint8_t* counts, const std::uint8_t* symbols, int total) {
  t = Huffman{};
  std::memcpy(t.symbols.data(), symbols, static_cast<std::size_t>(total));
  std::uint16_t codes[256];
  std::uint8_t lengths[256];
  if (!jpeg::canonical_codes(counts, codes, lengths)) fail("bad Huffman table");
  int k = 0;
  for (int len = 1; len <= 16; ++len) {
    const int n = counts[len - 1];
    t.maxcode[static_cast<std::size_t>(len)] = n ? codes[k + n - 1] : -1;
    t.offset[static_cast<std::size_t>(len)] = n ? k - codes[k] : 0;
    for (int i = 0; i < n; ++i, ++k)
      if (len <= 9)
        for (int j = 0, shift = 9 - len; j < (1 << shift); ++j)
          t.fast[static_cast<std::size_t>((codes[k] << shift) | j)] =
              static_cast<std::uint16_t>((len << 8) | symbols[k]);
  }
  t.defined = true;
}

// Bits of one restart interval, byte stuffing already removed. Reading past the end yields
// zeros and is counted, so a truncated interval is caught when the interval is checked.
struct Reader {
  const std::uint8_t* start = nullptr;
  const std::uint8_t* p = nullptr;
  const std::uint8_t* end = nullptr;
  std::uint64_t buf = 0;  // MSB first
  int n = 0;
  std::int64_t past_end = 0;

  void reset(const std::uint8_t* b, const std::uint8_t* e) {
    start = p = b;
    end = e;
    buf = 0;
    n = 0;
    past_end = 0;
  }
  void fill() {
    if (n <= 48 && end - p >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      v = __builtin_bswap64(v);
      const int take = (63 - n) >> 3;  // whole bytes that fit
      buf |= (v >> (64 - take * 8)) << (64 - take * 8 - n);
      p += take;
      n += take * 8;
      return;
    }
    while (n <= 56) {
      std::uint64_t b = 0;
      if (p < end)
        b = *p++;
      else
        ++past_end;
      buf |= b << (56 - n);
      n += 8;
    }
  }
  std::uint32_t bits(int k) {  // 0..16
    if (k == 0) return 0;
    if (n < k) fill();
    auto v = static_cast<std::uint32_t>(buf >> (64 - k));
    buf <<= k;
    n -= k;
    return v;
  }
  bool bit() { return bits(1) != 0; }
  int decode(const Huffman& t) {
    if (n < 16) fill();
    const std::uint16_t e = t.fast[static_cast<std::size_t>(buf >> 55)];
    if (e) {
      buf <<= (e >> 8);
      n -= e >> 8;
      return e & 0xFF;
    }
    const auto code16 = static_cast<std::int32_t>(buf >> 48);
    for (int len = 10; len <= 16; ++len) {
      const std::int32_t c = code16 >> (16 - len);
      if (c <= t.maxcode[static_cast<std::size_t>(len)]) {
        buf <<= len;
        n -= len;
        const std::int32_t i = t.offset[static_cast<std::size_t>(len)] + c;
        if (i < 0 || i > 255) fail("bad Huffman code");
        return t.symbols[static_cast<std::size_t>(i)];
      }
    }
    fail("bad Huffman code");
  }
  // True when the interval was read no further than its data.
  bool within() const { return (p - start + past_end) * 8 - n <= (end - start) * 8; }
};

// Without -mpopcnt GCC calls a library routine for __builtin_popcountll; this is a few ALU ops.
int popcount(std::uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

int extend(std::uint32_t v, int s) {
  return v < (1u << (s - 1)) ? static_cast<int>(v) - (1 << s) + 1 : static_cast<int>(v);
}

std::int16_t shifted(int v, int al) { return static_cast<std::int16_t>(static_cast<unsigned>(v) << al); }

// Per-scan decoding state, kept in decode()'s frame so the compiler can hold it in registers
// (as a member it had to be reloaded after every coefficient store that might alias it).
struct ScanState {
  Reader r;
  int pred[4] = {};
  int eobrun = 0;
};

struct Scan {
  int count = 0;
  int comp[4] = {};
  int dc_table[4] = {};
  int ac_table[4] = {};
  int ss = 0, se = 0, ah = 0, al = 0;
};

// Block geometry of each component as the decoder lays it out (rows padded to whole MCUs).
struct Geometry {
  int mcus_x = 0, mcus_y = 0;
  struct Comp {
    int blocks_w = 0, blocks_h = 0, stride = 0;
    std::size_t stored = 0;  // blocks held, padding included
  };
  std::vector<Comp> comps;
};

Geometry geometry(const ProgressiveFrame& frame) {
  Geometry g;
  int hmax = 1, vmax = 1;
  for (const auto& c : frame.components) {
    if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.quant_table < 0 || c.quant_table > 3) fail("bad frame");
    hmax = std::max(hmax, c.h);
    vmax = std::max(vmax, c.v);
  }
  if (frame.width < 1 || frame.height < 1) fail("bad frame");
  g.mcus_x = (frame.width + 8 * hmax - 1) / (8 * hmax);
  g.mcus_y = (frame.height + 8 * vmax - 1) / (8 * vmax);
  for (const auto& c : frame.components) {
    Geometry::Comp gc;
    const std::int64_t w = (static_cast<std::int64_t>(frame.width) * c.h + hmax - 1) / hmax;
    const std::int64_t h = (static_cast<std::int64_t>(frame.height) * c.v + vmax - 1) / vmax;
    gc.blocks_w = static_cast<int>((w + 7) / 8);
    gc.blocks_h = static_cast<int>((h + 7) / 8);
    gc.stride = g.mcus_x * c.h;
    gc.stored = static_cast<std::size_t>(gc.stride) * static_cast<std::size_t>(g.mcus_y * c.v);
    g.comps.push_back(gc);
  }
  return g;
}

// Per stored block: 64 coefficients, the DC term apart, the nonzero mask.
constexpr std::int64_t kBytesPerBlock = 64 * sizeof(std::int16_t) + sizeof(std::int16_t) + sizeof(std::uint64_t);

class Decoder {
 public:
  Decoder(const std::string& bytes, const ProgressiveFrame& frame, int max_scans, const Deadline& deadline)
      : data_(reinterpret_cast<const std::uint8_t*>(bytes.data())),
        size_(bytes.size()),
        frame_(frame),
        max_scans_(max_scans),
        deadline_(deadline) {}

  std::vector<ComponentCoefficients> run() {
    setup();
    if (size_ < 4 || data_[0] != 0xFF || data_[1] != jpeg::marker::SOI) fail("not a JPEG");
    // libjpeg skips junk between segments with a warning; so do we.
    jpeg::MarkerWalker walk({reinterpret_cast<const char*>(data_), size_}, 2, /*skip_junk=*/true);
    jpeg::Segment s;
    bool seen_frame = false;
    for (;;) {
      if (!walk.next(s)) fail(walk.error() ? walk.error() : "the file ends before its end marker");
      const int marker = s.marker;
      if (marker == jpeg::marker::EOI) break;
      if (jpeg::is_standalone(marker)) fail("unexpected marker");
      const auto* seg = reinterpret_cast<const std::uint8_t*>(s.payload.data());
      const std::size_t n = s.payload.size();
      if (marker == jpeg::marker::DHT) {
        huffman(seg, n);
      } else if (marker == jpeg::marker::DQT) {
        quant(seg, n);
      } else if (marker == jpeg::marker::DRI) {
        if (n < 2) fail("bad restart interval");
        restart_interval_ = seg[0] << 8 | seg[1];
      } else if (marker == jpeg::marker::SOS) {
        if (++scans_ > max_scans_) fail("too many scans");
        walk.seek(scan(seg, n, s.end));
      } else if (jpeg::is_sof(marker)) {
        if (seen_frame) fail("more than one frame");
        seen_frame = true;
      } else if (marker == jpeg::marker::DNL) {
        fail("DNL marker");
      }
    }
    if (!scans_) fail("no scans");
    allocated_ = held();
    return std::move(out_);
  }

 private:
  void setup() {
    const Geometry g = geometry(frame_);
    mcus_x_ = g.mcus_x;
    mcus_y_ = g.mcus_y;
    for (const auto& gc : g.comps) {
      ComponentCoefficients cc;
      cc.blocks_w = gc.blocks_w;
      cc.blocks_h = gc.blocks_h;
      cc.stride = gc.stride;
      cc.coef.assign(gc.stored * 64, 0);
      cc.nonzero.assign(gc.stored, 0);
      cc.dc.assign(gc.stored, 0);
      out_.push_back(std::move(cc));
      latched_.push_back(false);
    }
  }

 public:
  // What this decoder held at its peak, for the budget's accounting test.
  std::int64_t allocated() const { return allocated_; }

 private:
  std::int64_t held() const {
    std::int64_t n = static_cast<std::int64_t>(peak_clean_ + peak_segments_ * sizeof(std::size_t));
    for (const auto& c : out_)
      n += static_cast<std::int64_t>(c.coef.capacity() * sizeof(std::int16_t) + c.dc.capacity() * sizeof(std::int16_t) +
                                     c.nonzero.capacity() * sizeof(std::uint64_t));
    return n;
  }
  void huffman(const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
      if (n < 17) fail("bad Huffman table");
      const int tc = p[0] >> 4, th = p[0] & 15;
      if (tc > 1 || th > 3) fail("bad Huffman table");
      int total = 0;
      for (int i = 1; i <= 16; ++i) total += p[i];
      if (total > 256 || n < 17 + static_cast<std::size_t>(total)) fail("bad Huffman table");
      build((tc ? ac_ : dc_)[th], p + 1, p + 17, total);
      p += 17 + total;
      n -= 17 + static_cast<std::size_t>(total);
    }
  }

  void quant(const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
      const int pq = p[0] >> 4, tq = p[0] & 15;
      const std::size_t need = 1 + 64 * (pq ? 2 : 1);
      if (pq > 1 || tq > 3 || n < need) fail("bad quantisation table");
      for (int i = 0; i < 64; ++i)
        quant_[static_cast<std::size_t>(tq)][static_cast<std::size_t>(kZigzagToNatural[i])] =
            static_cast<std::uint16_t>(pq ? p[1 + 2 * i] << 8 | p[2 + 2 * i] : p[1 + i]);
      quant_defined_[tq] = true;
      p += need;
      n -= need;
    }
  }

  // Reads a scan header, removes the byte stuffing from its data (split at restart markers)
  // and decodes it. Returns the position of the marker that follows the data.
  std::size_t scan(const std::uint8_t* p, std::size_t n, std::size_t data) {
    Scan s;
    if (n < 1) fail("bad scan header");
    s.count = p[0];
    if (s.count < 1 || s.count > 4 || n != static_cast<std::size_t>(4 + 2 * s.count)) fail("bad scan header");
    int blocks_per_mcu = 0;
    for (int i = 0; i < s.count; ++i) {
      const int id = p[1 + 2 * i];
      int found = -1;
      for (std::size_t c = 0; c < frame_.components.size(); ++c)
        if (frame_.components[c].id == id) found = static_cast<int>(c);
      if (found < 0) fail("scan names an unknown component");
      for (int j = 0; j < i; ++j)
        if (s.comp[j] == found) fail("component twice in one scan");
      s.comp[i] = found;
      s.dc_table[i] = p[2 + 2 * i] >> 4;
      s.ac_table[i] = p[2 + 2 * i] & 15;
      if (s.dc_table[i] > 3 || s.ac_table[i] > 3) fail("bad scan header");
      const auto& fc = frame_.components[static_cast<std::size_t>(found)];
      blocks_per_mcu += fc.h * fc.v;
    }
    const std::uint8_t* t = p + 1 + 2 * s.count;
    s.ss = t[0];
    s.se = t[1];
    s.ah = t[2] >> 4;
    s.al = t[2] & 15;
    // The progression rules libjpeg enforces (jdphuff.c start_pass_phuff_decoder).
    if (s.ss == 0 ? s.se != 0 : (s.se < s.ss || s.se > 63 || s.count != 1)) fail("bad progression parameters");
    if ((s.ah != 0 && s.ah - 1 != s.al) || s.al > 13) fail("bad progression parameters");
    if (s.count > 1 && blocks_per_mcu > 10) fail("bad scan header");

    for (int i = 0; i < s.count; ++i) {
      const auto c = static_cast<std::size_t>(s.comp[i]);
      if (!latched_[c]) {  // libjpeg takes a component's table at its first scan
        const int tq = frame_.components[c].quant_table;
        if (!quant_defined_[tq]) fail("missing quantisation table");
        out_[c].quant = quant_[static_cast<std::size_t>(tq)];
        latched_[c] = true;
      }
      if (s.ss == 0 && s.ah == 0 && !dc_[s.dc_table[i]].defined) fail("missing Huffman table");
      if (s.ss > 0 && !ac_[s.ac_table[i]].defined) fail("missing Huffman table");
    }

    const std::size_t end = unstuff(data);
    peak_clean_ = std::max(peak_clean_, clean_.capacity());
    peak_segments_ = std::max(peak_segments_, segments_.capacity());
    decode(s);
    return end;
  }

  std::size_t unstuff(std::size_t pos) {
    clean_.clear();
    segments_.assign(1, 0);
    const std::uint8_t* p = data_ + pos;
    const std::uint8_t* end = data_ + size_;
    int expected_rst = 0;
    for (;;) {
      const auto* ff = static_cast<const std::uint8_t*>(std::memchr(p, 0xFF, static_cast<std::size_t>(end - p)));
      if (!ff) fail("the file ends inside a scan");
      clean_.insert(clean_.end(), p, ff);
      const std::uint8_t* q = ff + 1;
      while (q < end && *q == 0xFF) ++q;
      if (q >= end) fail("the file ends inside a scan");
      if (*q == 0x00) {
        clean_.push_back(0xFF);
        p = q + 1;
      } else if (*q >= 0xD0 && *q <= 0xD7) {
        if (*q - 0xD0 != expected_rst) fail("restart markers out of sequence");
        expected_rst = (expected_rst + 1) & 7;
        segments_.push_back(clean_.size());
        p = q + 1;
      } else {
        return static_cast<std::size_t>(ff - data_);
      }
    }
  }

  template <typename Block>
  [[gnu::always_inline]] inline void each_mcu(const Scan& s, ScanState& st, Block&& block) {
    const bool single = s.count == 1;
    const ComponentCoefficients& first = out_[static_cast<std::size_t>(s.comp[0])];
    const int mcus_x = single ? first.blocks_w : mcus_x_;
    const int mcus_y = single ? first.blocks_h : mcus_y_;
    std::size_t segment = 0;
    int mcus_left = restart_interval_;
    start_segment(segment, st);
    for (int my = 0; my < mcus_y; ++my) {
      if ((my & 15) == 0 && deadline_.passed()) throw TimedOut();
      for (int mx = 0; mx < mcus_x; ++mx) {
        if (restart_interval_ && mcus_left == 0) {
          if (!st.r.within()) fail("corrupt data in a restart interval");
          if (++segment >= segments_.size()) fail("missing restart marker");
          start_segment(segment, st);
          mcus_left = restart_interval_;
        }
        --mcus_left;
        if (single) {
          ComponentCoefficients& c = out_[static_cast<std::size_t>(s.comp[0])];
          const std::size_t at = static_cast<std::size_t>(my) * c.stride + static_cast<std::size_t>(mx);
          block(0, c.coef.data() + at * 64, &c.nonzero[at], c.dc.data() + at);
          continue;
        }
        for (int i = 0; i < s.count; ++i) {
          ComponentCoefficients& c = out_[static_cast<std::size_t>(s.comp[i])];
          const auto& fc = frame_.components[static_cast<std::size_t>(s.comp[i])];
          for (int v = 0; v < fc.v; ++v)
            for (int h = 0; h < fc.h; ++h) {
              const std::size_t at =
                  static_cast<std::size_t>(my * fc.v + v) * c.stride + static_cast<std::size_t>(mx * fc.h + h);
              block(i, c.coef.data() + at * 64, &c.nonzero[at], c.dc.data() + at);
            }
        }
      }
    }
    if (!st.r.within()) fail("corrupt data at the end of a scan");
  }

  void start_segment(std::size_t i, ScanState& st) {
    const std::size_t from = segments_[i];
    const std::size_t to = i + 1 < segments_.size() ? segments_[i + 1] : clean_.size();
    st.r.reset(clean_.data() + from, clean_.data() + to);
    std::fill(std::begin(st.pred), std::end(st.pred), 0);
    st.eobrun = 0;
  }

  void decode(const Scan& s) {
    ScanState st;
    Reader& r = st.r;
    const int al = s.al;
    if (s.ss == 0 && s.ah == 0) {
      each_mcu(
          s, st, [&](int i, std::int16_t*, std::uint64_t*, std::int16_t* dc) __attribute__((always_inline)) {
            const int t = r.decode(dc_[s.dc_table[i]]);
            if (t > 15) fail("bad DC code");
            const int diff = t ? extend(r.bits(t), t) : 0;
            st.pred[i] = static_cast<int>(static_cast<unsigned>(st.pred[i]) + static_cast<unsigned>(diff));
            *dc = shifted(st.pred[i], al);
          });
    } else if (s.ss == 0) {
      each_mcu(
          s, st, [&](int, std::int16_t*, std::uint64_t*, std::int16_t* dc) __attribute__((always_inline)) {
            if (r.bit()) *dc = static_cast<std::int16_t>(*dc | (1 << al));
          });
    } else if (s.ah == 0) {
      const Huffman& t = ac_[s.ac_table[0]];
      each_mcu(
          s, st, [&](int, std::int16_t* b, std::uint64_t* mask, std::int16_t*) __attribute__((always_inline)) {
            if (st.eobrun > 0) {
              --st.eobrun;
              return;
            }
            for (int k = s.ss; k <= s.se; ++k) {
              const int rs = r.decode(t);
              const int run = rs >> 4, size = rs & 15;
              if (size) {
                k += run;
                const int z = std::min(k, 63);
                b[kZigzagToNatural[z]] = shifted(extend(r.bits(size), size), al);
                if (b[kZigzagToNatural[z]]) *mask |= std::uint64_t{1} << z;
              } else if (run < 15) {
                st.eobrun = (1 << run) - 1 + static_cast<int>(r.bits(run));
                break;
              } else {
                k += 15;
              }
            }
          });
    } else {
      const Huffman& t = ac_[s.ac_table[0]];
      const int p1 = 1 << al, m1 = -p1;
      // One correction bit for each already-nonzero coefficient in `todo`, in zigzag order.
      auto refine = [&](std::int16_t * b, std::uint64_t todo) __attribute__((always_inline)) {
        while (todo) {
          const int count = std::min(16, popcount(todo));
          std::uint32_t got = r.bits(count);
          for (int i = count - 1; i >= 0; --i) {
            const int z = __builtin_ctzll(todo);
            todo &= todo - 1;
            std::int16_t* c = b + kZigzagToNatural[z];
            if ((got >> i) & 1 && (*c & p1) == 0) *c = static_cast<std::int16_t>(*c >= 0 ? *c + p1 : *c + m1);
          }
        }
      };
      // Bits k..se (inclusive) of a 64-bit mask.
      auto band = [](int k, int se) {
        return (se == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (se + 1)) - 1) & ~((std::uint64_t{1} << k) - 1);
      };
      each_mcu(
          s, st, [&](int, std::int16_t* b, std::uint64_t* mask, std::int16_t*) __attribute__((always_inline)) {
            int k = s.ss;
            if (st.eobrun == 0) {
              while (k <= s.se) {
                const int rs = r.decode(t);
                const int run = rs >> 4;
                const int size = rs & 15;
                int value = 0;
                if (size) {
                  if (size != 1) fail("bad refinement code");
                  value = r.bit() ? p1 : m1;
                } else if (run != 15) {
                  st.eobrun = (1 << run) + static_cast<int>(r.bits(run));
                  break;
                }
                // Skip `run` zero coefficients (refining the nonzero ones passed on the way) and
                // stop at the next zero: the new coefficient's place, or after a run of 16 zeros.
                const std::uint64_t range = band(k, s.se);
                std::uint64_t zeros = ~*mask & range;
                for (int i = 0; i < run && zeros; ++i) zeros &= zeros - 1;
                const int pos = zeros ? __builtin_ctzll(zeros) : s.se + 1;
                refine(b, *mask & range & (pos > 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << pos) - 1));
                k = pos;
                if (value) {
                  if (pos > 63) fail("bad refinement data");
                  b[kZigzagToNatural[pos]] = static_cast<std::int16_t>(value);
                  *mask |= std::uint64_t{1} << pos;
                }
                ++k;
              }
            }
            if (st.eobrun > 0) {
              if (k <= s.se) refine(b, *mask & band(k, s.se));
              --st.eobrun;
            }
          });
    }
  }

  const std::uint8_t* data_;
  std::size_t size_;
  const ProgressiveFrame& frame_;
  int max_scans_;
  const Deadline& deadline_;
  int mcus_x_ = 0, mcus_y_ = 0;
  int restart_interval_ = 0;
  int scans_ = 0;
  Huffman dc_[4], ac_[4];
  std::array<std::array<std::uint16_t, 64>, 4> quant_{};
  bool quant_defined_[4] = {};
  std::vector<ComponentCoefficients> out_;
  std::vector<bool> latched_;
  std::vector<std::uint8_t> clean_;
  std::vector<std::size_t> segments_;
  std::size_t peak_clean_ = 0, peak_segments_ = 0;
  std::int64_t allocated_ = 0;
};

}  // namespace

void ComponentCoefficients::copy_block(int bx, int by, std::int16_t out[64]) const {
  const std::size_t i = index(bx, by);
  std::memcpy(out, coef.data() + i * 64, 64 * sizeof(std::int16_t));
  out[0] = dc[i];
}

ProgressiveResult decode_progressive(const std::string& bytes, const ProgressiveFrame& frame, int max_scans,
                                     const Deadline& deadline) {
  ProgressiveResult r;
  try {
    Decoder d(bytes, frame, max_scans, deadline);
    r.components = d.run();
    r.allocated = d.allocated();
    r.status = ProgressiveStatus::ok;
  } catch (const Corrupt& e) {
    r.status = ProgressiveStatus::corrupt;
    r.detail = e.what();
  } catch (const TimedOut&) {
    r.status = ProgressiveStatus::timeout;
  }
  return r;
}

namespace {

ScanPlan plan(const std::string& bytes, const ProgressiveFrame& frame, int max_scans) {
  const auto* d = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t size = bytes.size();
  const Geometry g = geometry(frame);
  ScanPlan out;
  std::vector<bool> has_dc(frame.components.size(), false);
  std::int64_t max_data = 0, max_restarts = 0;
  int scans = 0;
  if (size < 4 || d[0] != 0xFF || d[1] != 0xD8) fail("not a JPEG");
  std::size_t pos = 2;
  for (;;) {
    while (pos < size && d[pos] != 0xFF) ++pos;
    while (pos < size && d[pos] == 0xFF) ++pos;
    if (pos >= size) fail("the file ends before its end marker");
    const int marker = d[pos++];
    if (marker == 0xD9) break;
    if (pos + 2 > size) fail("truncated marker");
    const std::size_t len = static_cast<std::size_t>(d[pos] << 8 | d[pos + 1]);
    if (len < 2 || pos + len > size) fail("bad marker length");
    if (marker != 0xDA) {
      pos += len;
      continue;
    }
    if (++scans > max_scans) fail("too many scans");
    const std::uint8_t* p = d + pos + 2;
    const std::size_t n = len - 2;
    const int count = n >= 1 ? p[0] : 0;
    if (count < 1 || count > 4 || n != static_cast<std::size_t>(4 + 2 * count)) fail("bad scan header");
    const std::uint8_t* t = p + 1 + 2 * count;
    const bool first_dc = t[0] == 0 && (t[2] >> 4) == 0;
    // The entropy-coded data: up to the next marker that is not a restart.
    std::size_t q = pos + len;
    std::int64_t restarts = 0;
    for (;;) {
      const auto* ff = static_cast<const std::uint8_t*>(std::memchr(d + q, 0xFF, size - q));
      if (!ff) fail("the file ends inside a scan");
      std::size_t m = static_cast<std::size_t>(ff - d) + 1;
      while (m < size && d[m] == 0xFF) ++m;
      if (m >= size) fail("the file ends inside a scan");
      if (d[m] == 0x00 || (d[m] >= 0xD0 && d[m] <= 0xD7)) {
        restarts += d[m] != 0x00;
        q = m + 1;
        continue;
      }
      const std::int64_t data = static_cast<std::int64_t>(ff - d) - static_cast<std::int64_t>(pos + len);
      max_data = std::max(max_data, data);
      max_restarts = std::max(max_restarts, restarts);
      if (first_dc) {
        std::int64_t need_bits = 0;
        for (int i = 0; i < count; ++i)
          for (std::size_t c = 0; c < frame.components.size(); ++c)
            if (frame.components[c].id == p[1 + 2 * i] && !has_dc[c]) {
              has_dc[c] = true;
              need_bits += static_cast<std::int64_t>(g.comps[c].blocks_w) * g.comps[c].blocks_h;
            }
        if (data * 8 < need_bits)
          fail("a scan holds too little data for the frame it declares: the file is incomplete");
      }
      pos = static_cast<std::size_t>(ff - d);
      break;
    }
  }
  for (bool b : has_dc)
    if (!b) fail("a component has no DC scan: the file is incomplete");
  for (const auto& c : g.comps) {
    out.memory += static_cast<std::int64_t>(c.stored) * kBytesPerBlock;
    out.blocks += static_cast<std::int64_t>(c.blocks_w) * c.blocks_h;
  }
  // The scan copy (never above the raw data; a vector grown by inserts holds at most twice its
  // size) and the restart offsets, both reused from scan to scan.
  out.memory += 2 * max_data + 2 * (max_restarts + 1) * static_cast<std::int64_t>(sizeof(std::size_t));
  out.ok = true;
  return out;
}

}  // namespace

ScanPlan plan_scans(const std::string& bytes, const ProgressiveFrame& frame, int max_scans) {
  try {
    return plan(bytes, frame, max_scans);
  } catch (const Corrupt& e) {
    ScanPlan p;
    p.detail = e.what();
    return p;
  }
}

}  // namespace sy::imaging::detail
