#pragma once
// Inverse DCT of one 8x8 JPEG block straight to n x n samples (n = 1..8): only the n x n
// lowest frequencies are used, which both scales and low-pass filters (libjpeg's scaled IDCTs do
// the same). Integer maths, so every machine gives the same bytes.
#include <cstdint>

namespace sy::imaging::detail {

// coef, quant: 64 entries in natural (row-major) order. out: n rows of n samples, stride apart.
void idct_scaled(const std::int16_t* coef, const std::uint16_t* quant, int n, std::uint8_t* out, int stride);

}  // namespace sy::imaging::detail
