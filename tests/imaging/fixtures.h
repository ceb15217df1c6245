#pragma once
// Test images made at run time (nothing large is committed): a four-colour quadrant pattern in
// every accepted format, with EXIF orientation and GPS, ICC profiles, alpha, 16-bit, animation,
// and hostile variants built by editing real files' bytes.
#include <vips/vips8>

#include <array>
#include <string>
#include <vector>

namespace fixtures {

using Rgb = std::array<int, 3>;
inline constexpr Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255}, kYellow{255, 255, 0};

// Upright pattern w x h: top-left red, top-right green, bottom-left blue, bottom-right yellow.
vips::VImage quadrants(int w, int h);
// The stored pixels of an upright w x h pattern photographed with EXIF orientation `o` (1..8),
// spelled out from the EXIF definition, not derived with libvips' own autorot.
vips::VImage stored_for_orientation(int w, int h, int o);
vips::VImage solid(int w, int h, Rgb c);
vips::VImage noise(int w, int h);  // photo-like content that does not compress to nothing

// An EXIF block ("Exif\0\0" + TIFF) with Orientation, a GPS IFD (GPSMapDatum = kGpsMarker) and
// an ImageDescription; the markers let a test see that input had GPS and output has not.
inline constexpr const char* kGpsMarker = "SYGPSDATUM";
std::string exif_block(int orientation);

std::string jpeg(const vips::VImage& im, int quality = 90, bool progressive = false, bool strip = true);
std::string png(const vips::VImage& im, bool interlace = false);
std::string webp(const vips::VImage& im);
std::string heif(const vips::VImage& im, bool avif);
std::string gif(const std::vector<vips::VImage>& frames);

// Byte surgery.
std::string with_app1(const std::string& jpeg, const std::string& exif);     // EXIF after SOI
std::string with_comment(const std::string& jpeg, const std::string& text);  // COM after SOI
vips::VImage with_exif(const vips::VImage& im, const std::string& exif);     // png/webp/heif savers write it
std::string set_jpeg_size(std::string jpeg, int w, int h);                   // rewrite the SOF dimensions
std::string set_png_size(std::string png, int w, int h);                     // rewrite IHDR and fix its CRC
std::string set_gif_size(std::string gif, int w, int h);                     // screen and first frame
// HEIC with an irot/imir transform (libheif writes the boxes), pixels stored as for `o`.
std::string heic_with_orientation(const vips::VImage& stored, int o);

// Inspecting outputs.
vips::VImage decode(const std::string& bytes);
Rgb pixel(const vips::VImage& im, int x, int y);
std::vector<unsigned char> jpeg_markers(const std::string& jpeg);  // marker codes up to SOS
std::vector<std::string> webp_chunks(const std::string& webp);
bool contains(const std::string& haystack, const std::string& needle);

}  // namespace fixtures
