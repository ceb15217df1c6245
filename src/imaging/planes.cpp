#include "imaging/planes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "imaging/simd.h"

namespace sy::imaging::detail {
namespace {

constexpr int kBits = 14;  // fixed-point weights: 1.0 == 1 << 14

double lanczos3(double x) {
  x = std::abs(x);
  if (x < 1e-9) return 1.0;
  if (x >= 3.0) return 0.0;
  double px = std::numbers::pi * x;
  return 3.0 * std::sin(px) * std::sin(px / 3.0) / (px * px);
}

// For each output sample: which input samples (clamped at the edges) and their weights.
struct Taps {
  std::vector<int> first;  // per output: offset into index/weight
  std::vector<int> count;
  std::vector<int> index;
  std::vector<std::int32_t> weight;
};

Taps make_taps(int in, int out) {
  const double scale = static_cast<double>(in) / out;
  const double stretch = std::max(scale, 1.0);  // widen the kernel when reducing (anti-aliasing)
  const double support = 3.0 * stretch;
  Taps t;
  t.first.reserve(out);
  t.count.reserve(out);
  std::vector<double> w;
  for (int o = 0; o < out; ++o) {
    const double center = (o + 0.5) * scale - 0.5;
    const int lo = static_cast<int>(std::floor(center - support)) + 1;
    const int hi = static_cast<int>(std::ceil(center + support)) - 1;
    w.clear();
    double sum = 0;
    for (int i = lo; i <= hi; ++i) {
      w.push_back(lanczos3((i - center) / stretch));
      sum += w.back();
    }
    t.first.push_back(static_cast<int>(t.index.size()));
    std::int32_t total = 0;
    std::size_t biggest = t.weight.size();
    for (int i = lo; i <= hi; ++i) {
      auto q = static_cast<std::int32_t>(std::lround(w[static_cast<std::size_t>(i - lo)] / sum * (1 << kBits)));
      if (q == 0) continue;
      if (t.weight.size() == biggest || q > t.weight[biggest]) biggest = t.weight.size();
      t.index.push_back(std::clamp(i, 0, in - 1));
      t.weight.push_back(q);
      total += q;
    }
    t.weight[biggest] += (1 << kBits) - total;  // rounding leftovers, so flat areas stay flat
    t.count.push_back(static_cast<int>(t.index.size()) - t.first.back());
  }
  return t;
}

// The inner loops, built for AVX2 too where the CPU has it (integer maths: same bytes either way).
SY_VECTOR_CLONES void multiply(std::int32_t* acc, const std::uint8_t* row, std::int32_t w, int n) {
  for (int x = 0; x < n; ++x) acc[x] = w * row[x];
}

SY_VECTOR_CLONES void accumulate(std::int32_t* acc, const std::uint8_t* row, std::int32_t w, int n) {
  for (int x = 0; x < n; ++x) acc[x] += w * row[x];
}

SY_VECTOR_CLONES void narrow(std::uint8_t* out, const std::int32_t* acc, int n) {
  for (int x = 0; x < n; ++x) {
    std::int32_t v = (acc[x] + (1 << (kBits - 1))) >> kBits;
    out[x] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
  }
}

// Resamples rows only: the output has h rows of the same width. Rows are contiguous in memory, so
// every tap is one vectorisable pass over a row; columns go through transpose() instead.
Plane resize_rows(const Plane& in, int h) {
  Taps t = make_taps(in.height, h);
  Plane out(in.width, h);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(in.width));
  for (int y = 0; y < h; ++y) {
    const int f = t.first[static_cast<std::size_t>(y)], n = t.count[static_cast<std::size_t>(y)];
    multiply(acc.data(), in.row(t.index[static_cast<std::size_t>(f)]), t.weight[static_cast<std::size_t>(f)], in.width);
    for (int k = 1; k < n; ++k)
      accumulate(acc.data(), in.row(t.index[static_cast<std::size_t>(f + k)]),
                 t.weight[static_cast<std::size_t>(f + k)], in.width);
    narrow(out.row(y), acc.data(), in.width);
  }
  return out;
}

#if defined(__SSE2__)
// out[j] (16 bytes at dst + j*dst_stride) = column j of the 16x16 block at src.
void transpose16(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride) {
  __m128i r[16], t[16], s[16], q[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * src_stride));
  for (int k = 0; k < 8; ++k) {  // 16-bit units: rows 2k, 2k+1 of one column
    t[k] = _mm_unpacklo_epi8(r[2 * k], r[2 * k + 1]);
    t[k + 8] = _mm_unpackhi_epi8(r[2 * k], r[2 * k + 1]);
  }
  for (int m = 0; m < 4; ++m) {  // 32-bit units: rows 4m..4m+3
    s[m] = _mm_unpacklo_epi16(t[2 * m], t[2 * m + 1]);
    s[m + 4] = _mm_unpackhi_epi16(t[2 * m], t[2 * m + 1]);
    s[m + 8] = _mm_unpacklo_epi16(t[2 * m + 8], t[2 * m + 9]);
    s[m + 12] = _mm_unpackhi_epi16(t[2 * m + 8], t[2 * m + 9]);
  }
  for (int g = 0; g < 4; ++g)  // 64-bit units: rows 8p..8p+7
    for (int p = 0; p < 2; ++p) {
      q[g * 4 + 2 * p] = _mm_unpacklo_epi32(s[g * 4 + 2 * p], s[g * 4 + 2 * p + 1]);
      q[g * 4 + 2 * p + 1] = _mm_unpackhi_epi32(s[g * 4 + 2 * p], s[g * 4 + 2 * p + 1]);
    }
  for (int g = 0; g < 4; ++g) {
    auto store = [&](int j, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + j * dst_stride), v); };
    store(4 * g, _mm_unpacklo_epi64(q[g * 4], q[g * 4 + 2]));
    store(4 * g + 1, _mm_unpackhi_epi64(q[g * 4], q[g * 4 + 2]));
    store(4 * g + 2, _mm_unpacklo_epi64(q[g * 4 + 1], q[g * 4 + 3]));
    store(4 * g + 3, _mm_unpackhi_epi64(q[g * 4 + 1], q[g * 4 + 3]));
  }
}
#endif

}  // namespace

Plane transpose(const Plane& in) {
  Plane out(in.height, in.width);
  int y0 = 0, x0 = 0;
#if defined(__SSE2__)
  const int bh = in.height / 16 * 16, bw = in.width / 16 * 16;
  for (y0 = 0; y0 < bh; y0 += 16)
    for (x0 = 0; x0 < bw; x0 += 16) transpose16(in.row(y0) + x0, in.stride, out.row(x0) + y0, out.stride);
  // The right and bottom strips that do not fill a 16x16 block.
  for (int y = 0; y < bh; ++y)
    for (int x = bw; x < in.width; ++x) out.row(x)[y] = in.row(y)[x];
  y0 = bh;
#endif
  for (int y = y0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) out.row(x)[y] = in.row(y)[x];
  return out;
}

Plane resize(const Plane& in, int w, int h) {
  if (in.width == w && in.height == h) {
    Plane out(w, h);
    for (int y = 0; y < h; ++y) std::memcpy(out.row(y), in.row(y), static_cast<std::size_t>(w));
    return out;
  }
  // Rows first when that shrinks the image, so the transposes move fewer bytes.
  Plane p = in.height != h ? resize_rows(in, h) : in;
  if (in.width != w) p = transpose(resize_rows(transpose(p), w));
  return p;
}

void flip_horizontal(Plane& p) {
  for (int y = 0; y < p.height; ++y) std::reverse(p.row(y), p.row(y) + p.width);
}

void flip_vertical(Plane& p) {
  std::vector<std::uint8_t> tmp(static_cast<std::size_t>(p.width));
  for (int a = 0, b = p.height - 1; a < b; ++a, --b) {
    std::memcpy(tmp.data(), p.row(a), tmp.size());
    std::memcpy(p.row(a), p.row(b), tmp.size());
    std::memcpy(p.row(b), tmp.data(), tmp.size());
  }
}

Plane orient(Plane p, int orientation) {
  switch (orientation) {
    case 2:
      flip_horizontal(p);
      break;
    case 3:
      flip_horizontal(p);
      flip_vertical(p);
      break;
    case 4:
      flip_vertical(p);
      break;
    case 5:
      p = transpose(p);
      break;
    case 6:
      p = transpose(p);
      flip_horizontal(p);
      break;  // 90° clockwise
    case 7:
      p = transpose(p);
      flip_horizontal(p);
      flip_vertical(p);
      break;
    case 8:
      p = transpose(p);
      flip_vertical(p);
      break;  // 90° anticlockwise
    default:
      break;
  }
  return p;
}

Planes resize_planes(const Planes& in, int w, int h) {
  Planes out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out.push_back(i == 0 ? resize(in[i], w, h) : resize(in[i], (w + 1) / 2, (h + 1) / 2));
  return out;
}

Planes orient_planes(Planes in, int orientation) {
  for (auto& p : in) p = orient(std::move(p), orientation);
  return in;
}

std::vector<std::uint8_t> to_interleaved(const Planes& planes) {
  const Plane& y = planes[0];
  const auto w = static_cast<std::size_t>(y.width);
  if (planes.size() == 1) {
    std::vector<std::uint8_t> out(w * static_cast<std::size_t>(y.height));
    for (int r = 0; r < y.height; ++r) std::memcpy(out.data() + w * r, y.row(r), w);
    return out;
  }
  Plane cb = resize(planes[1], y.width, y.height), cr = resize(planes[2], y.width, y.height);
  std::vector<std::uint8_t> out(w * static_cast<std::size_t>(y.height) * 3);
  auto clamp = [](std::int32_t v) { return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); };
  for (int r = 0; r < y.height; ++r) {
    const std::uint8_t *py = y.row(r), *pb = cb.row(r), *pr = cr.row(r);
    std::uint8_t* o = out.data() + w * 3 * r;
    for (std::size_t x = 0; x < w; ++x, o += 3) {
      // JFIF: R = Y + 1.402 Cr', G = Y - 0.344136 Cb' - 0.714136 Cr', B = Y + 1.772 Cb' (16-bit fractions).
      const std::int32_t l = py[x] << 16, b = pb[x] - 128, c = pr[x] - 128, half = 1 << 15;
      o[0] = clamp((l + 91881 * c + half) >> 16);
      o[1] = clamp((l - 22554 * b - 46802 * c + half) >> 16);
      o[2] = clamp((l + 116130 * b + half) >> 16);
    }
  }
  return out;
}

}  // namespace sy::imaging::detail
