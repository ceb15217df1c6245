#pragma once
// Inverse DCT of one 8x8 JPEG block straight to n x n samples (n = 1..8): only the n x n
// lowest frequencies are used, which both scales and low-pass filters (libjpeg's scaled IDCTs do
// the same). Float maths, eight lanes wide, built twice on x86-64 (AVX2 and SSE2 clones, simd.h).
// What makes every machine give the same bytes is the compile flag, not the maths: idct.cpp is
// compiled with -ffp-contract=off (src/imaging/CMakeLists.txt), so no multiply and add are
// fused into an FMA and each lane rounds the same IEEE single-precision steps in the same order
// in either clone. tests/imaging/determinism_test.cpp pins the output bytes with a digest.
#include <cstdint>

namespace sy::imaging::detail {

// coef, quant: 64 entries in natural (row-major) order. out: n rows of n samples, stride apart.
void idct_scaled(const std::int16_t* coef, const std::uint16_t* quant, int n, std::uint8_t* out, int stride);

}  // namespace sy::imaging::detail
