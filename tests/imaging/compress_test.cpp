// What happens to every accepted input: upright, sRGB, sized, stripped, deterministic.
#include <gtest/gtest.h>

#include "imaging/helpers.h"

using namespace imtest;
using namespace fixtures;
using vips::VImage;

namespace {

struct Encoded {
  std::string type;
  std::string bytes;
};

std::vector<Encoded> every_format(const VImage& im) {
  return {{"jpeg", jpeg(im)},        {"png", png(im)},         {"webp", webp(im)},
          {"heif", heif(im, false)}, {"avif", heif(im, true)}, {"gif", gif({im})}};
}

class Compressor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { im::init(); }
};

}  // namespace

TEST_F(Compressor, EveryAcceptedFormatGivesThreeUprightDerivatives) {
  for (const auto& e : every_format(quadrants(400, 300))) {
    SCOPED_TRACE(e.type);
    im::Result r = im::compress(e.bytes, {});
    ASSERT_TRUE(r.ok) << r.reason << ": " << r.detail;
    EXPECT_EQ(r.source_type, e.type);
    EXPECT_EQ(r.source_width, 400);
    EXPECT_EQ(r.source_height, 300);
    ASSERT_EQ(r.derivatives.size(), 3u);
    const im::Derivative* j = find(r, "jpeg");
    const im::Derivative* w = find(r, "webp");
    const im::Derivative* t = find(r, "thumb");
    ASSERT_TRUE(j && w && t);
    EXPECT_EQ(j->content_type, "image/jpeg");
    EXPECT_EQ(w->content_type, "image/webp");
    EXPECT_EQ(t->content_type, "image/jpeg");
    // Smaller than 1600: never upscaled. The thumbnail is 320 on its long edge.
    EXPECT_EQ(j->width, 400);
    EXPECT_EQ(j->height, 300);
    EXPECT_EQ(w->width, 400);
    EXPECT_EQ(t->width, 320);
    EXPECT_EQ(t->height, 240);
    for (const auto* d : {j, w, t}) {
      VImage out = decode(d->bytes);
      EXPECT_EQ(out.width(), d->width);
      EXPECT_EQ(out.height(), d->height);
      EXPECT_EQ(out.bands(), 3);
      expect_upright_quadrants(out, 40);
    }
    expect_no_metadata(r);
  }
}

TEST_F(Compressor, LongEdgeIsCappedAndThumbnailFollows) {
  im::Result r = im::compress(jpeg(noise(3000, 2000)), {});
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(find(r, "jpeg")->width, 1600);
  EXPECT_EQ(find(r, "jpeg")->height, 1067);
  EXPECT_EQ(find(r, "webp")->width, 1600);
  EXPECT_EQ(find(r, "thumb")->width, 320);
  EXPECT_EQ(find(r, "thumb")->height, 213);
  VImage out = decode(find(r, "jpeg")->bytes);
  EXPECT_EQ(out.width(), 1600);
  EXPECT_EQ(out.height(), 1067);

  r = im::compress(png(noise(900, 2500)), {});  // portrait, through libvips rather than libjpeg
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(find(r, "jpeg")->width, 576);
  EXPECT_EQ(find(r, "jpeg")->height, 1600);
  EXPECT_EQ(find(r, "thumb")->height, 320);
}

TEST_F(Compressor, SettingsAreHonoured) {
  std::string in = jpeg(noise(2000, 1500));
  im::Settings s;
  s.max_edge = 1000;
  s.thumb_edge = 100;
  s.make_webp = false;
  im::Result small = im::compress(in, s);
  ASSERT_TRUE(small.ok);
  ASSERT_EQ(small.derivatives.size(), 2u);
  EXPECT_EQ(find(small, "jpeg")->width, 1000);
  EXPECT_EQ(find(small, "thumb")->width, 100);
  EXPECT_EQ(find(small, "webp"), nullptr);

  s.make_thumb = false;
  s.quality = 40;
  im::Result low = im::compress(in, s);
  s.quality = 95;
  im::Result high = im::compress(in, s);
  ASSERT_TRUE(low.ok && high.ok);
  EXPECT_EQ(low.derivatives.size(), 1u);
  EXPECT_LT(low.derivatives[0].bytes.size() * 2, high.derivatives[0].bytes.size());

  s.main_format = im::Format::webp;
  im::Result w = im::compress(in, s);
  ASSERT_TRUE(w.ok);
  ASSERT_EQ(w.derivatives.size(), 1u);
  EXPECT_EQ(w.derivatives[0].name, "webp");
  EXPECT_EQ(w.derivatives[0].bytes.substr(8, 4), "WEBP");

  s.main_format = im::Format::avif;
  im::Result a = im::compress(jpeg(quadrants(200, 100)), s);
  ASSERT_TRUE(a.ok) << a.reason;
  EXPECT_EQ(a.derivatives[0].name, "avif");
  EXPECT_EQ(im::sniff(a.derivatives[0].bytes), "avif");
  expect_upright_quadrants(decode(a.derivatives[0].bytes), 40);
  expect_no_metadata(a);
}

class Orientation : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() { im::init(); }
};

TEST_P(Orientation, JpegExifIsApplied) {
  int o = GetParam();
  std::string in = with_app1(jpeg(stored_for_orientation(80, 60, o)), exif_block(o));
  ASSERT_TRUE(contains(in, kGpsMarker));
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok) << r.reason;
  for (const auto& d : r.derivatives) {
    SCOPED_TRACE(d.name);
    VImage out = decode(d.bytes);
    EXPECT_EQ(out.width() * 3, out.height() * 4) << "landscape again";
    expect_upright_quadrants(out, 40);
  }
  expect_no_metadata(r);
}

TEST_P(Orientation, PngAndWebpExifIsApplied) {
  int o = GetParam();
  VImage stored = with_exif(stored_for_orientation(80, 60, o), exif_block(o));
  for (const std::string& in : {png(stored), webp(stored)}) {
    ASSERT_TRUE(contains(in, kGpsMarker)) << "fixture lost its EXIF";
    im::Result r = im::compress(in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    expect_upright_quadrants(decode(find(r, "jpeg")->bytes), 40);
    expect_no_metadata(r);
  }
}

TEST_P(Orientation, HeifIrotImirIsApplied) {
  int o = GetParam();
  std::string in = heic_with_orientation(stored_for_orientation(80, 60, o), o);
  ASSERT_EQ(im::sniff(in), "heif");
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok) << r.reason << " " << r.detail;
  VImage out = decode(find(r, "jpeg")->bytes);
  EXPECT_EQ(out.width(), 80);
  EXPECT_EQ(out.height(), 60);
  expect_upright_quadrants(out, 40);
}

INSTANTIATE_TEST_SUITE_P(AllEight, Orientation, ::testing::Range(1, 9));

TEST_F(Compressor, GpsInEveryInputFormatIsAbsentFromEveryOutput) {
  VImage tagged = with_exif(quadrants(120, 90), exif_block(1));
  std::vector<std::string> inputs = {with_app1(jpeg(quadrants(120, 90)), exif_block(1)), png(tagged), webp(tagged),
                                     heif(tagged, false), heif(tagged, true)};
  for (const auto& in : inputs) {
    SCOPED_TRACE(im::sniff(in));
    ASSERT_TRUE(contains(in, kGpsMarker)) << "fixture lost its GPS block";
    im::Result r = im::compress(in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    expect_no_metadata(r);
  }
}

TEST_F(Compressor, CmykComesOutSrgb) {
  Rgb want{200, 40, 40};
  // Small (kept as is) and large (scaled on decode, then resized) CMYK files.
  for (int w : {64, 2400}) {
    VImage cmyk = solid(w, w / 2, want).icc_export(VImage::option()->set("output_profile", "cmyk"));
    ASSERT_EQ(cmyk.bands(), 4);
    std::string with_profile = jpeg(cmyk, 95, false, false);
    std::string without_profile = jpeg(cmyk, 95, false, true);
    for (const auto& in : {with_profile, without_profile}) {
      im::Result r = im::compress(in, {});
      ASSERT_TRUE(r.ok) << r.reason;
      VImage out = decode(find(r, "jpeg")->bytes);
      EXPECT_EQ(out.bands(), 3);
      EXPECT_EQ(out.width(), std::min(w, 1600));
      EXPECT_TRUE(near(pixel(out, out.width() / 2, out.height() / 2), want, 25)) << w;
      expect_no_metadata(r);
    }
  }
}

TEST_F(Compressor, DisplayP3ComesOutSrgb) {
  Rgb want = kRed;
  VImage p3 = solid(64, 64, want).icc_transform("p3");
  ASSERT_FALSE(near(pixel(p3, 1, 1), want, 12)) << "P3 numbers differ from sRGB ones";
  VImage big_p3 = solid(2400, 1200, want).icc_transform("p3");  // scaled and resized on the way
  for (const auto& in : {png(p3), jpeg(p3, 95, false, false), heif(p3, false), jpeg(big_p3, 95, false, false)}) {
    SCOPED_TRACE(im::sniff(in));
    im::Result r = im::compress(in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    for (const auto& d : r.derivatives) EXPECT_TRUE(near(pixel(decode(d.bytes), 10, 10), want, 14)) << d.name;
  }
}

TEST_F(Compressor, BrokenIccProfileIsIgnoredNotFatal) {
  VImage im = quadrants(80, 60).copy();
  std::string junk(400, 'x');
  vips_image_set_blob_copy(im.get_image(), VIPS_META_ICC_NAME, junk.data(), junk.size());
  for (const auto& in : {png(im), jpeg(im, 90, false, false)}) {
    im::Result r = im::compress(in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    expect_upright_quadrants(decode(find(r, "jpeg")->bytes), 40);
  }
}

TEST_F(Compressor, GreyBecomesSrgb) {
  VImage grey = (VImage::black(64, 64) + 128).cast(VIPS_FORMAT_UCHAR);
  VImage big_grey = (VImage::black(2400, 1000) + 128).cast(VIPS_FORMAT_UCHAR);
  for (const auto& in : {jpeg(grey), png(grey), jpeg(big_grey)}) {
    im::Result r = im::compress(in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    VImage out = decode(find(r, "jpeg")->bytes);
    EXPECT_EQ(out.bands(), 3);
    EXPECT_TRUE(near(pixel(out, 5, 5), {128, 128, 128}, 3));
  }
}

TEST_F(Compressor, SixteenBitPngBecomesEightBit) {
  VImage rgb16 = (VImage::black(64, 64, VImage::option()->set("bands", 3)) + std::vector<double>{65535, 32896, 0})
                     .cast(VIPS_FORMAT_USHORT)
                     .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  std::string in = png(rgb16);
  ASSERT_EQ(decode(in).format(), VIPS_FORMAT_USHORT);
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok) << r.reason;
  for (const auto& d : r.derivatives) EXPECT_TRUE(near(pixel(decode(d.bytes), 30, 30), {255, 128, 0}, 4)) << d.name;
}

TEST_F(Compressor, AlphaIsFlattenedOnWhiteForJpegAndKeptInWebp) {
  // Left half fully transparent (black underneath), right half opaque red.
  VImage rgb = VImage::black(100, 50, VImage::option()->set("bands", 3));
  VImage red = (rgb + std::vector<double>{255, 0, 0}).cast(VIPS_FORMAT_UCHAR);
  VImage alpha = (VImage::xyz(100, 50)[0] >= 50).cast(VIPS_FORMAT_UCHAR);  // 0 or 255
  VImage rgba = alpha.ifthenelse(red, rgb)
                    .cast(VIPS_FORMAT_UCHAR)
                    .bandjoin(alpha)
                    .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  im::Result r = im::compress(png(rgba), {});
  ASSERT_TRUE(r.ok) << r.reason;
  for (const char* name : {"jpeg", "thumb"}) {
    VImage out = decode(find(r, name)->bytes);
    EXPECT_EQ(out.bands(), 3);
    EXPECT_TRUE(near(pixel(out, out.width() / 5, out.height() / 2), {255, 255, 255}, 6)) << name;
    EXPECT_TRUE(near(pixel(out, out.width() * 4 / 5, out.height() / 2), kRed, 30)) << name;
  }
  VImage w = decode(find(r, "webp")->bytes);
  ASSERT_EQ(w.bands(), 4);
  EXPECT_LT(w.getpoint(10, 25)[3], 5);
  EXPECT_GT(w.getpoint(90, 25)[3], 250);
}

TEST_F(Compressor, AnimatedGifGivesItsFirstFrame) {
  std::string in = gif({solid(64, 48, kRed), solid(64, 48, kBlue), solid(64, 48, kGreen)});
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.source_width, 64);
  EXPECT_EQ(r.source_height, 48);
  VImage out = decode(find(r, "jpeg")->bytes);
  EXPECT_EQ(out.height(), 48);
  EXPECT_TRUE(near(pixel(out, 32, 24), kRed, 20));
}

TEST_F(Compressor, TinyAndExtremeAspectRatios) {
  struct Case {
    std::string in;
    int w, h;
  };
  std::vector<Case> cases = {
      {png(solid(1, 1, kBlue)), 1, 1},          {jpeg(solid(1, 1, kBlue)), 1, 1},
      {png(solid(20000, 10, kBlue)), 1600, 1},  {png(solid(10, 20000, kBlue)), 1, 1600},
      {jpeg(solid(12000, 50, kBlue)), 1600, 7}, {jpeg(solid(50, 12000, kBlue)), 7, 1600},
  };
  for (const auto& c : cases) {
    im::Result r = im::compress(c.in, {});
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(find(r, "jpeg")->width, c.w);
    EXPECT_EQ(find(r, "jpeg")->height, c.h);
    VImage out = decode(find(r, "jpeg")->bytes);
    EXPECT_EQ(out.width(), c.w);
    EXPECT_EQ(out.height(), c.h);
    EXPECT_TRUE(near(pixel(out, 0, 0), kBlue, 40));
    EXPECT_GE(find(r, "thumb")->width, 1);
    EXPECT_GE(find(r, "thumb")->height, 1);
  }
}

TEST_F(Compressor, SameInputSameBytes) {
  for (const auto& in : {jpeg(noise(2000, 1500)), jpeg(noise(1700, 900), 85, true), png(noise(800, 600)),
                         heif(noise(300, 200), false)}) {
    im::Result a = im::compress(in, {});
    im::Result b = im::compress(in, {});
    ASSERT_TRUE(a.ok && b.ok);
    ASSERT_EQ(a.derivatives.size(), b.derivatives.size());
    for (std::size_t i = 0; i < a.derivatives.size(); ++i)
      EXPECT_TRUE(a.derivatives[i].bytes == b.derivatives[i].bytes) << a.derivatives[i].name;
  }
}

TEST_F(Compressor, OutputsAreSmallerThanLargeInputs) {
  std::string in = jpeg(noise(3000, 2000), 95);
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok);
  EXPECT_LT(find(r, "jpeg")->bytes.size(), in.size());
  EXPECT_LT(find(r, "thumb")->bytes.size(), find(r, "jpeg")->bytes.size());
  // 4:2:0: the SOF names three components, luma sampled 2x2. The main JPEG is progressive
  // (SOF2), the thumbnail baseline (SOF0).
  for (const auto& [name, sof_marker] : {std::pair{"jpeg", "\xFF\xC2"}, std::pair{"thumb", "\xFF\xC0"}}) {
    const std::string& j = find(r, name)->bytes;
    std::size_t sof = j.find(sof_marker);
    ASSERT_NE(sof, std::string::npos) << name;
    EXPECT_EQ(static_cast<unsigned char>(j[sof + 9]), 3) << name;
    EXPECT_EQ(static_cast<unsigned char>(j[sof + 11]), 0x22) << name;
  }
  im::Settings baseline;
  baseline.progressive = false;
  EXPECT_NE(im::compress(in, baseline).derivatives[0].bytes.find("\xFF\xC0"), std::string::npos);
}
