// The scaled IDCT (imaging/jpeg/idct.h) against its double-precision definition. Its bytes across
// builds and CPUs: determinism_test.cpp; against libjpeg's scaled decoding: planes_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "imaging/jpeg/idct.h"

namespace d = sy::imaging::detail;

TEST(Idct, MatchesTheDefinitionForSparseAndDenseBlocks) {
  // out(x,y) = 128 + sum_{u,v<n} c(u)c(v)/4 F(v,u) cos((2x+1)u pi/2n) cos((2y+1)v pi/2n), in doubles.
  std::mt19937 rng(11);
  std::uint16_t quant[64];
  for (int k = 0; k < 64; ++k) quant[k] = static_cast<std::uint16_t>(1 + k % 7);
  for (int trial = 0; trial < 400; ++trial) {
    std::int16_t coef[64] = {};
    const int nonzero = trial % 4 == 0 ? 1 : 1 + static_cast<int>(rng() % 20);  // incl. one-term blocks
    for (int i = 0; i < nonzero; ++i) coef[rng() % 64] = static_cast<std::int16_t>(static_cast<int>(rng() % 161) - 80);
    for (int n = 1; n <= 8; ++n) {
      std::uint8_t out[8 * 8];
      d::idct_scaled(coef, quant, n, out, 8);
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          double sum = 0;
          for (int v = 0; v < n; ++v)
            for (int u = 0; u < n; ++u) {
              double cu = u ? 1.0 : std::sqrt(0.5), cv = v ? 1.0 : std::sqrt(0.5);
              sum += cu * cv / 4 * coef[v * 8 + u] * quant[v * 8 + u] * std::cos((2 * x + 1) * u * M_PI / (2 * n)) *
                     std::cos((2 * y + 1) * v * M_PI / (2 * n));
            }
          const double want = std::clamp(sum + 128.0, 0.0, 255.0);
          ASSERT_LE(std::abs(out[y * 8 + x] - want), 1.0) << "trial " << trial << " n " << n << " at " << x << "," << y;
        }
    }
  }
}
