// The JPEG fast path's pieces: plane transpose/orientation, Lanczos resize, scaled decoding
// (against libjpeg's own decoder) and the raw-plane encoder. The IDCT alone: idct_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "imaging/helpers.h"
#include "imaging/jpeg/jpeg_decoder.h"
#include "imaging/jpeg/jpeg_encoder.h"
#include "imaging/planes.h"

using namespace imtest;
using namespace fixtures;
using vips::VImage;
namespace d = sy::imaging::detail;

namespace {

class Planes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { im::init(); }
};

d::Plane random_plane(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  d::Plane p(w, h);
  for (auto& v : p.px) v = static_cast<std::uint8_t>(rng());
  return p;
}

d::Plane plane_of(const VImage& grey) {
  d::Plane p(grey.width(), grey.height());
  VImage m = grey.copy_memory();
  std::memcpy(p.px.data(), m.data(), p.px.size());
  return p;
}

int max_difference(const d::Plane& a, const VImage& b) {
  VImage m = b.extract_band(0).copy_memory();
  const auto* px = static_cast<const std::uint8_t*>(m.data());
  int worst = 0;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x) worst = std::max(worst, std::abs(a.row(y)[x] - px[y * m.width() + x]));
  return worst;
}

d::JpegImage decode_planes(const std::string& jpeg, int target_edge) {
  d::JpegLimits lim{target_edge, 1ll << 30, 1ll << 30, d::Deadline::after_ms(0), true};
  return d::decode_jpeg(jpeg, lim);
}

}  // namespace

TEST_F(Planes, TransposeMatchesDefinitionAtEverySizeAroundTheBlock) {
  for (auto [w, h] : {std::pair{1, 1}, {16, 16}, {17, 15}, {33, 64}, {64, 33}, {100, 7}, {3, 200}}) {
    d::Plane p = random_plane(w, h, static_cast<unsigned>(w * 1000 + h));
    d::Plane t = d::transpose(p);
    ASSERT_EQ(t.width, h);
    ASSERT_EQ(t.height, w);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) ASSERT_EQ(t.row(x)[y], p.row(y)[x]) << w << "x" << h << " at " << x << "," << y;
  }
}

TEST_F(Planes, OrientationMovesTheTopLeftCornerToTheRightPlace) {
  // Stored 3x2 with a marked pixel; after orientation o, where does stored (0,0) land?
  // EXIF: 1 top-left, 2 top-right, 3 bottom-right, 4 bottom-left, 5 top-left (transposed),
  // 6 top-right (rotated 90 cw), 7 bottom-right, 8 bottom-left.
  const std::pair<int, int> corner[9] = {{0, 0}, {0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}, {1, 0}, {1, 1}, {0, 1}};
  for (int o = 1; o <= 8; ++o) {
    d::Plane p(3, 2);
    std::fill(p.px.begin(), p.px.end(), std::uint8_t{0});
    p.row(0)[0] = 255;
    d::Plane out = d::orient(p, o);
    EXPECT_EQ(out.width, o >= 5 ? 2 : 3) << o;
    int x = corner[o].first ? out.width - 1 : 0, y = corner[o].second ? out.height - 1 : 0;
    EXPECT_EQ(out.row(y)[x], 255) << "orientation " << o;
  }
}

TEST_F(Planes, ResizeKeepsFlatAreasFlatAndHitsTheSize) {
  d::Plane flat(301, 199);
  std::fill(flat.px.begin(), flat.px.end(), std::uint8_t{77});
  for (auto [w, h] : {std::pair{160, 100}, {301, 50}, {20, 199}, {151, 100}, {302, 200}}) {
    d::Plane r = d::resize(flat, w, h);
    ASSERT_EQ(r.width, w);
    ASSERT_EQ(r.height, h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) ASSERT_EQ(r.row(y)[x], 77) << w << "x" << h;
  }
}

TEST_F(Planes, ResizeMatchesLibvipsLanczos) {
  VImage src = noise(640, 480).colourspace(VIPS_INTERPRETATION_B_W).gaussblur(1.2).cast(VIPS_FORMAT_UCHAR);
  d::Plane r = d::resize(plane_of(src), 400, 300);
  VImage ref = src.resize(400.0 / 640, VImage::option()->set("kernel", VIPS_KERNEL_LANCZOS3));
  EXPECT_LE(max_difference(r, ref), 6);
}

TEST_F(Planes, ScaledIdctMatchesLibjpeg) {
  // Our IDCT at n/8 against libjpeg's own scaled decode (libvips' shrink-on-load: 1, 1/2, 1/4,
  // 1/8). They agree on photo-like content; on pure noise they differ by design: libjpeg's 4x4
  // and 2x2 fold some of the dropped high frequencies back in, ours drops them all.
  VImage src = noise(512, 384).colourspace(VIPS_INTERPRETATION_B_W).gaussblur(2.0).cast(VIPS_FORMAT_UCHAR);
  for (bool progressive : {false, true}) {
    std::string in = jpeg(src, 92, progressive);
    for (int shrink : {1, 2, 4, 8}) {
      SCOPED_TRACE("shrink " + std::to_string(shrink) + (progressive ? " progressive" : " baseline"));
      d::JpegImage j = decode_planes(in, 512 / shrink);
      ASSERT_EQ(j.status, d::JpegStatus::ok);
      ASSERT_EQ(j.planes.size(), 1u);
      ASSERT_EQ(j.planes[0].width, 512 / shrink);
      VipsBlob* blob = vips_blob_new(nullptr, in.data(), in.size());
      VImage ref = VImage::jpegload_buffer(blob, VImage::option()->set("shrink", shrink)).copy_memory();
      vips_area_unref(VIPS_AREA(blob));
      EXPECT_LE(max_difference(j.planes[0], ref), shrink == 1 ? 2 : 6);
    }
  }
}

TEST_F(Planes, ChromaStaysAtItsOwnResolution) {
  std::string sub = jpeg(noise(800, 600), 80);  // libvips writes 4:2:0 below Q90
  d::JpegImage j = decode_planes(sub, 500);     // 5/8 of 800
  ASSERT_EQ(j.planes.size(), 3u);
  EXPECT_EQ(j.planes[0].width, 500);
  EXPECT_EQ(j.planes[1].width, 250);
  EXPECT_EQ(j.planes[1].height, 188);  // ceil(300 * 5 / 8)

  // 4:4:4 (libvips at Q90): chroma needs only half the luma size, so it is decoded at 3/8.
  d::JpegImage full = decode_planes(jpeg(noise(800, 600), 90), 500);
  ASSERT_EQ(full.planes.size(), 3u);
  EXPECT_EQ(full.planes[0].width, 500);
  EXPECT_EQ(full.planes[1].width, 300);
  EXPECT_EQ(full.planes[2].height, 225);
}

TEST_F(Planes, EncoderPadsOddSizesAndRoundTrips) {
  for (auto [w, h] : {std::pair{1, 1}, {33, 17}, {17, 33}, {160, 120}}) {
    d::Planes p{d::Plane(w, h), d::Plane((w + 1) / 2, (h + 1) / 2), d::Plane((w + 1) / 2, (h + 1) / 2)};
    std::fill(p[0].px.begin(), p[0].px.end(), std::uint8_t{150});
    std::fill(p[1].px.begin(), p[1].px.end(), std::uint8_t{128});
    std::fill(p[2].px.begin(), p[2].px.end(), std::uint8_t{200});  // reddish
    std::string out = d::encode_jpeg_planes(p, 85, w > 100);
    VImage back = decode(out);
    ASSERT_EQ(back.width(), w);
    ASSERT_EQ(back.height(), h);
    // Y 150, Cb 128, Cr 200: R = 150 + 1.402 * 72 = 251, G = 150 - 0.714 * 72 = 99, B = 150.
    EXPECT_TRUE(near(pixel(back, w - 1, h - 1), {251, 99, 150}, 4)) << w << "x" << h;
  }
}

TEST_F(Planes, LargeBaselineStreamsThroughLibjpegAndStillComesOutRight) {
  // 25 MP at 4:4:4 would need 150 MB of coefficients: decoded row by row instead.
  VImage big = quadrants(5000, 5000);
  d::JpegImage j = decode_planes(jpeg(big, 90), 1600);
  ASSERT_EQ(j.status, d::JpegStatus::ok);
  ASSERT_EQ(j.planes.size(), 3u);
  EXPECT_EQ(j.planes[1].width, j.planes[0].width);  // 4:4:4 chroma, as stored
  im::Result r = im::compress(jpeg(big, 90), {});
  ASSERT_TRUE(r.ok) << r.reason;
  expect_upright_quadrants(decode(find(r, "jpeg")->bytes), 12);
}
