#pragma once
// A progressive JPEG writer for our one script (DC; luma AC 1-2, 3-9, 10-63; Cb; Cr — spectral
// selection only, no successive approximation) from 4:2:0 planes. libjpeg-turbo's progressive
// encoder runs every scan twice (statistics, then output) through per-block calls; here each
// scan's symbols are computed once into a buffer, the optimal Huffman tables are built from
// their counts (the JPEG standard's Annex K.2 procedure, as libjpeg does), then the buffer is
// written out. The file has JFIF, quantisation and Huffman tables and the scans; nothing else.
#include <string>

#include "imaging/planes.h"

namespace sy::imaging::detail {

// planes: Y (w x h), Cb and Cr ((w+1)/2 x (h+1)/2). quality: 1-100, libjpeg's scaling of the
// standard tables (so quality 80 means what it means to libjpeg and Pillow).
std::string encode_progressive_420(const Planes& planes, int quality);

}  // namespace sy::imaging::detail
