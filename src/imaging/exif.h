#pragma once
// The one EXIF tag the compressor needs from JPEG input: Orientation. Everything else in EXIF
// (GPS included) is dropped with the rest of the metadata.
#include <cstddef>

namespace sy::imaging::detail {

// `data` is an APP1 payload ("Exif\0\0" + TIFF) or a bare TIFF block. Returns 1..8; 1 when the
// tag is absent or the block is malformed (bounds-checked, never reads outside `data`).
int exif_orientation(const unsigned char* data, std::size_t size);

}  // namespace sy::imaging::detail
