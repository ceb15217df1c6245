#include "imaging/jpeg/fdct.h"

#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#include "imaging/jpeg/zigzag.h"
#include "imaging/simd.h"

namespace sy::imaging::detail {
namespace {

typedef float v8f __attribute__((vector_size(32)));

// a[u][x] = c(u)/2 cos((2x+1)u pi/16), transposed for row-vector use: at[x] holds a[0..7][x].
struct Basis {
  std::array<std::array<float, 8>, 8> a{}, at{};
  Basis() {
    for (int u = 0; u < 8; ++u)
      for (int x = 0; x < 8; ++x) {
        double c = (u == 0 ? std::numbers::sqrt2 / 2 : 1.0) / 2.0;
        a[static_cast<std::size_t>(u)][static_cast<std::size_t>(x)] =
            static_cast<float>(c * std::cos((2 * x + 1) * u * std::numbers::pi / 16.0));
      }
    for (std::size_t u = 0; u < 8; ++u)
      for (std::size_t x = 0; x < 8; ++x) at[x][u] = a[u][x];
  }
};
const Basis kBasis;

typedef std::int32_t v8i __attribute__((vector_size(32)));

}  // namespace

SY_VECTOR_CLONES std::uint64_t fdct_quantise(const std::uint8_t* px, int stride, const float* reciprocal,
                                             std::int16_t* out) {
  alignas(32) float p[64];
  for (int y = 0; y < 8; ++y) {  // a row of pixels to floats, eight at a time
    v8i i;
    for (int x = 0; x < 8; ++x) i[x] = px[y * stride + x];
    v8f f = __builtin_convertvector(i, v8f) - 128.f;
    std::memcpy(p + y * 8, &f, sizeof f);
  }
  v8f at[8];  // (no helper returning a vector: clang rejects that in the non-AVX clone)
  for (std::size_t x = 0; x < 8; ++x) std::memcpy(&at[x], kBasis.at[x].data(), sizeof at[x]);
  v8f r[8];
  for (int y = 0; y < 8; ++y) {  // r[y][u] = sum_x a[u][x] p[y][x]
    r[y] = p[y * 8] * at[0];
    for (int x = 1; x < 8; ++x) r[y] += p[y * 8 + x] * at[x];
  }
  alignas(32) float f[64];
  for (int v = 0; v < 8; ++v) {  // F[v][u] = sum_y a[v][y] r[y][u], then / Q
    v8f acc = kBasis.a[static_cast<std::size_t>(v)][0] * r[0];
    for (int y = 1; y < 8; ++y) acc += kBasis.a[static_cast<std::size_t>(v)][static_cast<std::size_t>(y)] * r[y];
    v8f rq;
    std::memcpy(&rq, reciprocal + v * 8, sizeof rq);
    acc *= rq;
    acc += acc < 0.f ? v8f{} - 0.5f : v8f{} + 0.5f;
    std::memcpy(f + v * 8, &acc, sizeof acc);
  }
  std::uint64_t nonzero = 0;
  for (int k = 0; k < 64; ++k) {
    out[k] = static_cast<std::int16_t>(f[kZigzagToNatural[k]]);  // truncates toward zero
    nonzero |= static_cast<std::uint64_t>(out[k] != 0) << k;
  }
  return nonzero;
}

}  // namespace sy::imaging::detail
