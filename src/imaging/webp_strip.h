#pragma once
// libvips 8.14's webpsave writes an EXIF chunk even when asked to strip metadata, so WebP
// output is filtered here: EXIF, XMP and ICC chunks go, and VP8X stops announcing them.
#include <string>

namespace sy::imaging::detail {

// Returns the file without metadata chunks; "" if `webp` is not a well-formed RIFF/WEBP file.
std::string strip_webp_metadata(const std::string& webp);

}  // namespace sy::imaging::detail
