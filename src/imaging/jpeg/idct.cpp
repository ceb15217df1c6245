#include "imaging/jpeg/idct.h"

#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "imaging/simd.h"

namespace sy::imaging::detail {
namespace {

// basis[n][x][u] = c(u)/2 * cos((2x+1)u pi / 2n), c(0) = 1/sqrt(2), else 1; rows padded to 8.
using Basis = std::array<std::array<std::array<float, 8>, 8>, 9>;  // [n][x][u]

Basis make_basis() {
  Basis b{};
  for (int n = 1; n <= 8; ++n)
    for (int x = 0; x < n; ++x)
      for (int u = 0; u < n; ++u) {
        double c = (u == 0 ? std::numbers::sqrt2 / 2 : 1.0) / 2.0;
        b[static_cast<std::size_t>(n)][static_cast<std::size_t>(x)][static_cast<std::size_t>(u)] =
            static_cast<float>(c * std::cos((2 * x + 1) * u * std::numbers::pi / (2.0 * n)));
      }
  return b;
}

// The same, transposed: basis_t[n][u][x], so both passes run along x, 8 lanes at a time.
Basis transpose(const Basis& b) {
  Basis t{};
  for (std::size_t n = 1; n <= 8; ++n)
    for (std::size_t x = 0; x < 8; ++x)
      for (std::size_t u = 0; u < 8; ++u) t[n][u][x] = b[n][x][u];
  return t;
}

const Basis kBasis = make_basis();
const Basis kBasisT = transpose(kBasis);

typedef float v8f __attribute__((vector_size(32)));
typedef std::int32_t v8i __attribute__((vector_size(32)));

[[gnu::always_inline]] inline v8f load(const std::array<float, 8>& a) {
  v8f v;
  std::memcpy(&v, a.data(), sizeof v);
  return v;
}

// Both passes run along x, eight lanes at a time (GCC's vector extension: one AVX register, or
// two SSE2 ones). Floats without FMA contraction (see CMakeLists.txt): each lane does the same
// multiplies and adds in the same order whatever the vector width, so every x86-64 CPU gives
// the same bytes.
// Eight int16/uint16 lanes (one row of a block) and the columns an n-point IDCT uses.
typedef std::int16_t v8s __attribute__((vector_size(16)));
typedef std::uint16_t v8u __attribute__((vector_size(16)));

template <int N>
[[gnu::always_inline]] inline v8s columns() {
  v8s m{};
  for (int u = 0; u < N; ++u) m[u] = -1;
  return m;
}

// Stores the first N of eight floats (already within 0..255) as bytes.
template <int N>
[[gnu::always_inline]] inline void store_row(std::uint8_t* out, v8f o) {
#if defined(__SSE2__)
  alignas(32) float f[8];
  std::memcpy(f, &o, sizeof f);
  const __m128i w = _mm_packs_epi32(_mm_cvttps_epi32(_mm_load_ps(f)), _mm_cvttps_epi32(_mm_load_ps(f + 4)));
  const auto bytes = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(w, w)));
  std::memcpy(out, &bytes, N);  // little-endian: lane 0 first
#else
  v8i i = __builtin_convertvector(o, v8i);
  for (int x = 0; x < N; ++x) out[x] = static_cast<std::uint8_t>(i[x]);
#endif
}

template <int N>
[[gnu::always_inline]] inline void idct(const std::int16_t* coef, const std::uint16_t* quant, std::uint8_t* out,
                                        int stride) {
  const auto& m = kBasis[N];
  const auto& mt = kBasisT[N];
  // Dequantise the N rows in use, eight lanes at a time (exact in float for real coefficients),
  // and note whether any AC term is nonzero.
  alignas(32) float f[N][8];
  v8s any{};
  for (int v = 0; v < N; ++v) {
    v8s c;
    v8u q;
    std::memcpy(&c, coef + v * 8, sizeof c);
    std::memcpy(&q, quant + v * 8, sizeof q);
    v8f d = __builtin_convertvector(c, v8f) * __builtin_convertvector(q, v8f);
    std::memcpy(f[v], &d, sizeof d);
    if (v == 0) {
      v8s ac = c;
      ac[0] = 0;  // the DC term
      any |= ac & columns<N>();
    } else {
      any |= c & columns<N>();
    }
  }
  std::uint64_t lanes[2];
  std::memcpy(lanes, &any, sizeof lanes);
  if (!(lanes[0] | lanes[1])) {  // flat block: most of a smooth sky
    float s = f[0][0] * m[0][0] * m[0][0] + 128.5f;
    auto px = static_cast<std::uint8_t>(s < 0.f ? 0.f : s > 255.f ? 255.f : s);
    for (int y = 0; y < N; ++y) std::memset(out + y * stride, px, N);
    return;
  }
  v8f t[N];
  for (int v = 0; v < N; ++v) {
    t[v] = f[v][0] * load(mt[0]);
    for (int u = 1; u < N; ++u) t[v] += f[v][u] * load(mt[static_cast<std::size_t>(u)]);
  }
  for (int y = 0; y < N; ++y) {
    v8f o = v8f{} + 128.5f;
    for (int v = 0; v < N; ++v) o += m[static_cast<std::size_t>(y)][static_cast<std::size_t>(v)] * t[v];
    o = o < 0.f ? v8f{} : o;
    o = o > 255.f ? v8f{} + 255.f : o;
    store_row<N>(out + y * stride, o);
  }
}

}  // namespace

SY_VECTOR_CLONES void idct_scaled(const std::int16_t* coef, const std::uint16_t* quant, int n, std::uint8_t* out,
                                  int stride) {
  switch (n) {
    case 1:
      idct<1>(coef, quant, out, stride);
      break;
    case 2:
      idct<2>(coef, quant, out, stride);
      break;
    case 3:
      idct<3>(coef, quant, out, stride);
      break;
    case 4:
      idct<4>(coef, quant, out, stride);
      break;
    case 5:
      idct<5>(coef, quant, out, stride);
      break;
    case 6:
      idct<6>(coef, quant, out, stride);
      break;
    case 7:
      idct<7>(coef, quant, out, stride);
      break;
    default:
      idct<8>(coef, quant, out, stride);
      break;
  }
}

}  // namespace sy::imaging::detail
