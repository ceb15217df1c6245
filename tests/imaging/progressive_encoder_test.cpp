// Our progressive JPEG writer (imaging/jpeg/progressive_encoder.h): libjpeg reads every file it
// writes without a warning and gets the picture back, close to libjpeg's own encoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <jpeglib.h>

#include "imaging/jpeg/jpeg_encoder.h"
#include "imaging/jpeg/progressive_encoder.h"

namespace d = sy::imaging::detail;

namespace {

// Decodes with libjpeg, treating any warning as a failure; returns RGB at full size.
bool strict_decode(const std::string& jpeg, std::vector<std::uint8_t>& rgb, int& w, int& h) {
  struct Err {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
  } err;
  jpeg_decompress_struct ci;
  ci.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = [](j_common_ptr c) { std::longjmp(reinterpret_cast<Err*>(c->err)->jump, 1); };
  err.pub.emit_message = [](j_common_ptr c, int level) {
    if (level < 0) std::longjmp(reinterpret_cast<Err*>(c->err)->jump, 1);
  };
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&ci);
    return false;
  }
  jpeg_create_decompress(&ci);
  jpeg_mem_src(&ci, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size());
  jpeg_read_header(&ci, TRUE);
  ci.out_color_space = JCS_RGB;
  jpeg_start_decompress(&ci);
  w = static_cast<int>(ci.output_width);
  h = static_cast<int>(ci.output_height);
  rgb.assign(static_cast<std::size_t>(w) * h * 3, 0);
  while (ci.output_scanline < ci.output_height) {
    JSAMPROW row = rgb.data() + static_cast<std::size_t>(ci.output_scanline) * w * 3;
    jpeg_read_scanlines(&ci, &row, 1);
  }
  jpeg_finish_decompress(&ci);
  jpeg_destroy_decompress(&ci);
  return true;
}

}  // namespace

TEST(ProgressiveEncoder, LibjpegReadsItWithoutWarningsAndGetsThePictureBack) {
  std::mt19937 rng(5);
  for (auto [w, h] : {std::pair{1, 1}, {17, 9}, {33, 65}, {640, 480}, {1600, 1067}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    // Smooth content plus noise, as Y/Cb/Cr planes of the output's 4:2:0 sizes.
    d::Planes p{d::Plane(w, h), d::Plane((w + 1) / 2, (h + 1) / 2), d::Plane((w + 1) / 2, (h + 1) / 2)};
    for (std::size_t c = 0; c < 3; ++c)
      for (int y = 0; y < p[c].height; ++y)
        for (int x = 0; x < p[c].width; ++x)
          p[c].row(y)[x] = static_cast<std::uint8_t>(c == 0 ? (x * 3 + y * 2) % 200 + 20 + static_cast<int>(rng() % 16)
                                                            : 128 + (x - y) % 40 - 20);
    for (int quality : {50, 80, 95, 100}) {
      std::string ours = d::encode_progressive_420(p, quality);
      std::string ref = d::encode_jpeg_planes(p, quality, false);  // libjpeg, baseline
      std::vector<std::uint8_t> a, b;
      int aw = 0, ah = 0, bw = 0, bh = 0;
      ASSERT_TRUE(strict_decode(ours, a, aw, ah)) << "quality " << quality;
      ASSERT_TRUE(strict_decode(ref, b, bw, bh));
      ASSERT_EQ(aw, w);
      ASSERT_EQ(ah, h);
      double total = 0;
      int worst = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const int d = std::abs(a[i] - b[i]);
        worst = std::max(worst, d);
        total += d;
      }
      // Same quantisation tables; only the forward DCT's rounding differs (float vs libjpeg's
      // integer one), so the pictures agree closely. The sizes are within a few per cent.
      EXPECT_LE(total / static_cast<double>(a.size()), 1.0) << "quality " << quality;
      EXPECT_LE(worst, 40) << "quality " << quality;
      if (w * h > 10000) EXPECT_LT(ours.size(), ref.size() * 103 / 100) << "quality " << quality;
    }
  }
}
