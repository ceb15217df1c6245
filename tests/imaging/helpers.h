#pragma once
// Shared checks for compressor tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "imaging/compressor.h"
#include "imaging/fixtures.h"

namespace imtest {

namespace im = sy::imaging;

inline const im::Derivative* find(const im::Result& r, const std::string& name) {
  for (const auto& d : r.derivatives)
    if (d.name == name) return &d;
  return nullptr;
}

inline ::testing::AssertionResult near(fixtures::Rgb got, fixtures::Rgb want, int tol) {
  for (int b = 0; b < 3; ++b)
    if (std::abs(got[b] - want[b]) > tol)
      return ::testing::AssertionFailure() << "got (" << got[0] << "," << got[1] << "," << got[2] << ") want ("
                                           << want[0] << "," << want[1] << "," << want[2] << ") ±" << tol;
  return ::testing::AssertionSuccess();
}

// No metadata of any kind in any derivative, and nothing after the image data.
inline void expect_no_metadata(const im::Result& r) {
  for (const auto& d : r.derivatives) {
    SCOPED_TRACE(d.name);
    EXPECT_FALSE(fixtures::contains(d.bytes, fixtures::kGpsMarker));
    EXPECT_FALSE(fixtures::contains(d.bytes, "Exif"));
    EXPECT_FALSE(fixtures::contains(d.bytes, "<x:xmpmeta"));
    if (d.content_type == "image/jpeg") {
      for (unsigned char m : fixtures::jpeg_markers(d.bytes)) {
        EXPECT_NE(m, 0xE1) << "APP1 (EXIF/XMP)";
        EXPECT_NE(m, 0xE2) << "APP2 (ICC)";
        EXPECT_NE(m, 0xED) << "APP13 (IPTC)";
        EXPECT_NE(m, 0xFE) << "COM";
      }
      ASSERT_GE(d.bytes.size(), 2u);
      EXPECT_EQ(d.bytes.substr(d.bytes.size() - 2), "\xFF\xD9") << "bytes after EOI";
    } else if (d.content_type == "image/webp") {
      for (const auto& c : fixtures::webp_chunks(d.bytes)) {
        EXPECT_NE(c, "EXIF");
        EXPECT_NE(c, "XMP ");
        EXPECT_NE(c, "ICCP");
      }
    }
  }
}

// The four quadrant colours of an upright pattern, sampled away from the edges.
inline void expect_upright_quadrants(const vips::VImage& out, int tol) {
  int w = out.width(), h = out.height();
  EXPECT_TRUE(near(fixtures::pixel(out, w / 4, h / 4), fixtures::kRed, tol)) << "top left";
  EXPECT_TRUE(near(fixtures::pixel(out, 3 * w / 4, h / 4), fixtures::kGreen, tol)) << "top right";
  EXPECT_TRUE(near(fixtures::pixel(out, w / 4, 3 * h / 4), fixtures::kBlue, tol)) << "bottom left";
  EXPECT_TRUE(near(fixtures::pixel(out, 3 * w / 4, 3 * h / 4), fixtures::kYellow, tol)) << "bottom right";
}

}  // namespace imtest
