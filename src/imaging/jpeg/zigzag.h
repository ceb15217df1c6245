#pragma once
// JPEG's coefficient order: kZigzagToNatural[k] is the row-major index of the k-th coefficient a
// file stores. The 16 extra entries catch runs that overshoot coefficient 63 in corrupt data (as
// libjpeg's table does), so a decoder's write never leaves the block.
namespace sy::imaging::detail {

inline constexpr int kZigzagToNatural[64 + 16] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13,
    6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
    39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63};

}  // namespace sy::imaging::detail
