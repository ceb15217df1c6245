#pragma once
// Forward DCT and quantisation of one 8x8 block, the encoder's half of idct.h. Floats eight lanes
// wide, compiled with -ffp-contract=off (src/imaging/CMakeLists.txt) so no multiply-add is fused:
// the AVX2 and SSE2 clones, and any x86-64 build with these flags, give the same coefficients.
#include <cstdint>

namespace sy::imaging::detail {

// px: 8 rows of 8 samples, `stride` apart. reciprocal: 1/Q for the 64 quantisation steps in
// natural (row-major) order, 32-byte aligned. out: 64 coefficients in zigzag order, rounded half
// away from zero like libjpeg. Returns the mask of nonzero zigzag positions (bit k = out[k] != 0).
// (Defined with SY_VECTOR_CLONES in fdct.cpp: callers reach the AVX2 or SSE2 clone through its ifunc.)
std::uint64_t fdct_quantise(const std::uint8_t* px, int stride, const float* reciprocal, std::int16_t* out);

}  // namespace sy::imaging::detail
