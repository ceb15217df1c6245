#pragma once
// JPEG encoding straight from planes with libjpeg-turbo's raw-data API: the planes already are
// the file's YCbCr 4:2:0 (or grey) samples, so no colour conversion or chroma downsampling runs.
// Writes no metadata at all: only JFIF, quantisation/Huffman tables and the scans.
#include <string>

#include "imaging/planes.h"

namespace sy::imaging::detail {

// planes: one grey plane, or Y (w x h) + Cb + Cr of (w+1)/2 x (h+1)/2. Progressive YCbCr goes
// to our own writer (progressive_encoder.h); the rest to libjpeg. Throws std::bad_alloc when
// libjpeg runs out of memory, std::runtime_error on anything else.
std::string encode_jpeg_planes(const Planes& planes, int quality, bool progressive);

}  // namespace sy::imaging::detail
