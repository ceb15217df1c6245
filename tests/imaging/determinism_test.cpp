// The float DCTs (jpeg/idct.cpp, jpeg/fdct.cpp) promise the same bytes on every x86-64 machine,
// in both of their target_clones (AVX2 and SSE2) and from any build with our flags, because
// they are compiled with -ffp-contract=off (no fused multiply-add). These digests were taken
// from the code before it moved to src/imaging/jpeg/ and pin that promise: a change of compiler
// flags, of the maths or of the CPU the test runs on that changes one output byte fails here.
// (An intended change of the output updates the digests, and says so in its commit.)
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "imaging/compressor.h"
#include "imaging/jpeg/idct.h"
#include "imaging/jpeg/progressive_encoder.h"
#include "imaging/planes.h"

namespace d = sy::imaging::detail;
namespace im = sy::imaging;

namespace {

std::string sha256(const void* data, std::size_t n) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, static_cast<const unsigned char*>(data), n);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : h) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

// A fixed, platform-independent pseudo-random sequence (no <random> distributions).
struct Lcg {
  std::uint32_t s;
  std::uint32_t next() { return s = s * 1664525u + 1013904223u; }
};

// Smooth gradients, edges and noise, written by libjpeg (the same on every machine).
std::string input_jpeg(int w, int h, bool progressive) {
  Lcg r{42};
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = px.data() + (static_cast<std::size_t>(y) * w + x) * 3;
      const int edge = ((x / 97 + y / 61) % 2) * 60;
      p[0] = static_cast<std::uint8_t>((x * 200 / w + edge + (r.next() >> 28)) & 0xFF);
      p[1] = static_cast<std::uint8_t>((y * 180 / h + 30 + (r.next() >> 28)) & 0xFF);
      p[2] = static_cast<std::uint8_t>(((x + y) % 256 + edge) / 2);
    }
  jpeg_compress_struct ci;
  jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err);
  jpeg_create_compress(&ci);
  unsigned char* out = nullptr;
  unsigned long len = 0;
  jpeg_mem_dest(&ci, &out, &len);
  ci.image_width = static_cast<JDIMENSION>(w);
  ci.image_height = static_cast<JDIMENSION>(h);
  ci.input_components = 3;
  ci.in_color_space = JCS_RGB;
  jpeg_set_defaults(&ci);
  jpeg_set_quality(&ci, 92, TRUE);
  if (progressive) jpeg_simple_progression(&ci);
  jpeg_start_compress(&ci, TRUE);
  while (ci.next_scanline < ci.image_height) {
    JSAMPROW row = px.data() + static_cast<std::size_t>(ci.next_scanline) * w * 3;
    jpeg_write_scanlines(&ci, &row, 1);
  }
  jpeg_finish_compress(&ci);
  std::string s(reinterpret_cast<char*>(out), len);
  std::free(out);
  jpeg_destroy_compress(&ci);
  return s;
}

std::string main_jpeg_digest(const std::string& input) {
  im::init();
  im::Settings s;
  s.make_webp = false;  // libwebp's bytes are not ours to pin
  s.make_thumb = false;
  im::Result r = im::compress(input, s);
  EXPECT_TRUE(r.ok) << r.reason << ": " << r.detail;
  for (const auto& dv : r.derivatives)
    if (dv.name == "jpeg") return sha256(dv.bytes.data(), dv.bytes.size());
  return "no jpeg derivative";
}

}  // namespace

TEST(Determinism, ScaledIdctGivesTheStoredBytesForEveryScale) {
  Lcg r{7};
  std::uint16_t quant[64];
  for (int k = 0; k < 64; ++k) quant[k] = static_cast<std::uint16_t>(1 + k % 11);
  std::vector<std::uint8_t> all;
  for (int trial = 0; trial < 200; ++trial) {
    std::int16_t coef[64] = {};
    const int nonzero = trial % 5 == 0 ? 1 : 1 + static_cast<int>(r.next() >> 27);
    for (int i = 0; i < nonzero; ++i)
      coef[(r.next() >> 10) % 64] = static_cast<std::int16_t>(static_cast<int>((r.next() >> 10) % 301) - 150);
    for (int n = 1; n <= 8; ++n) {
      std::uint8_t out[64];
      d::idct_scaled(coef, quant, n, out, 8);
      for (int y = 0; y < n; ++y) all.insert(all.end(), out + y * 8, out + y * 8 + n);
    }
  }
  EXPECT_EQ(sha256(all.data(), all.size()), "238c3672ce858be3530ef5fe0f9dc21186daebbe043756551465e3117584a3b1");
}

TEST(Determinism, ProgressiveEncoderGivesTheStoredBytes) {
  Lcg r{9};
  const int w = 301, h = 203;
  d::Planes p{d::Plane(w, h), d::Plane((w + 1) / 2, (h + 1) / 2), d::Plane((w + 1) / 2, (h + 1) / 2)};
  for (std::size_t c = 0; c < 3; ++c)
    for (int y = 0; y < p[c].height; ++y)
      for (int x = 0; x < p[c].width; ++x)
        p[c].row(y)[x] = static_cast<std::uint8_t>(
            c == 0 ? (x * 3 + y * 2) % 200 + 20 + static_cast<int>(r.next() >> 28) : 128 + (x - y) % 40 - 20);
  const std::string q80 = d::encode_progressive_420(p, 80);
  EXPECT_EQ(sha256(q80.data(), q80.size()), "0768e62ed6b3074ede8ac8c77096296941ca21dad5fbd0b912f120f4ff66a391");
  const std::string q95 = d::encode_progressive_420(p, 95);
  EXPECT_EQ(sha256(q95.data(), q95.size()), "9d2bf6e3c3bdad88d9d52210a40f6af2e2f1129813b825c28ad4e9bdb0e60a12");
}

TEST(Determinism, CompressorGivesTheStoredBytesForProgressiveAndBaselineInput) {
  // Progressive input: our entropy decoder, the IDCT at 6/8, Lanczos, our encoder.
  EXPECT_EQ(main_jpeg_digest(input_jpeg(2600, 1700, true)),
            "14a16df87c33bd4ae36bf7ada42eece18d685f29095fc298e2d32a0714956bb1");
  // Baseline input: libjpeg's coefficients, the IDCT at 8/8, Lanczos, our encoder.
  EXPECT_EQ(main_jpeg_digest(input_jpeg(1900, 1270, false)),
            "f3479ae554edb31839fee60706d4234499c4421f9ea0eb0dbceb821def38d58e");
}
