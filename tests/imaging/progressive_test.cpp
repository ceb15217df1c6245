// Our progressive entropy decoder against libjpeg's, coefficient for coefficient, over files
// libjpeg itself writes with every sampling, restart intervals and both scan scripts.
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdio>
#include <random>

#include <jpeglib.h>

#include "imaging/helpers.h"
#include "imaging/jpeg/progressive_decoder.h"

using namespace imtest;
namespace d = sy::imaging::detail;

namespace {

struct Options {
  int components = 3;
  int h = 2, v = 2;  // luma sampling
  int restart_interval = 0;
  bool spectral_only = false;  // a script without successive approximation
  int quality = 90;
};

// Smooth gradients plus noise: real runs of zeros and nonzeros in every band.
std::string write_progressive(int w, int h, const Options& o, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w) * h * o.components);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < o.components; ++c)
        px[(static_cast<std::size_t>(y) * w + x) * o.components + c] =
            static_cast<std::uint8_t>((x * (c + 1) + y * 2) / 3 + static_cast<int>(rng() % 24));
  jpeg_compress_struct ci;
  jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err);
  jpeg_create_compress(&ci);
  unsigned char* out = nullptr;
  unsigned long len = 0;
  jpeg_mem_dest(&ci, &out, &len);
  ci.image_width = static_cast<JDIMENSION>(w);
  ci.image_height = static_cast<JDIMENSION>(h);
  ci.input_components = o.components;
  ci.in_color_space = o.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&ci);
  jpeg_set_quality(&ci, o.quality, TRUE);
  if (o.components == 3) {
    ci.comp_info[0].h_samp_factor = o.h;
    ci.comp_info[0].v_samp_factor = o.v;
  }
  ci.restart_interval = static_cast<unsigned>(o.restart_interval);
  static const jpeg_scan_info spectral[] = {{3, {0, 1, 2}, 0, 0, 0, 0},
                                            {1, {0}, 1, 5, 0, 0},
                                            {1, {0}, 6, 63, 0, 0},
                                            {1, {1}, 1, 63, 0, 0},
                                            {1, {2}, 1, 63, 0, 0}};
  if (o.spectral_only && o.components == 3) {
    ci.scan_info = spectral;
    ci.num_scans = 5;
  } else {
    jpeg_simple_progression(&ci);
  }
  jpeg_start_compress(&ci, TRUE);
  while (ci.next_scanline < ci.image_height) {
    JSAMPROW row = px.data() + static_cast<std::size_t>(ci.next_scanline) * w * o.components;
    jpeg_write_scanlines(&ci, &row, 1);
  }
  jpeg_finish_compress(&ci);
  std::string s(reinterpret_cast<char*>(out), len);
  std::free(out);
  jpeg_destroy_compress(&ci);
  return s;
}

// libjpeg's coefficients and ours; fails the test on the first difference.
void expect_same_coefficients(const std::string& jpeg) {
  jpeg_decompress_struct ci;
  jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err);
  jpeg_create_decompress(&ci);
  jpeg_mem_src(&ci, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size());
  jpeg_read_header(&ci, TRUE);
  d::ProgressiveFrame frame{static_cast<int>(ci.image_width), static_cast<int>(ci.image_height), {}};
  for (int c = 0; c < ci.num_components; ++c)
    frame.components.push_back({ci.comp_info[c].component_id, ci.comp_info[c].h_samp_factor,
                                ci.comp_info[c].v_samp_factor, ci.comp_info[c].quant_tbl_no});
  d::ProgressiveResult ours = d::decode_progressive(jpeg, frame, 500, d::Deadline{});
  ASSERT_EQ(ours.status, d::ProgressiveStatus::ok) << ours.detail;
  // The budget is checked against the plan: it must cover everything the decoder then held.
  d::ScanPlan plan = d::plan_scans(jpeg, frame, 500);
  ASSERT_TRUE(plan.ok) << plan.detail;
  EXPECT_GT(ours.allocated, 0);
  EXPECT_GE(plan.memory, ours.allocated);
  jvirt_barray_ptr* coefs = jpeg_read_coefficients(&ci);
  for (int c = 0; c < ci.num_components; ++c) {
    const jpeg_component_info& cp = ci.comp_info[c];
    const d::ComponentCoefficients& cc = ours.components[static_cast<std::size_t>(c)];
    ASSERT_EQ(cc.blocks_w, static_cast<int>(cp.width_in_blocks));
    ASSERT_EQ(cc.blocks_h, static_cast<int>(cp.height_in_blocks));
    for (int k = 0; k < 64; ++k) ASSERT_EQ(cc.quant[static_cast<std::size_t>(k)], cp.quant_table->quantval[k]);
    for (JDIMENSION by = 0; by < cp.height_in_blocks; ++by) {
      JBLOCKARRAY row = (*ci.mem->access_virt_barray)(reinterpret_cast<j_common_ptr>(&ci), coefs[c], by, 1, FALSE);
      for (JDIMENSION bx = 0; bx < cp.width_in_blocks; ++bx) {
        std::int16_t ours_block[64];
        cc.copy_block(static_cast<int>(bx), static_cast<int>(by), ours_block);
        ASSERT_EQ(std::memcmp(row[0][bx], ours_block, 128), 0) << "component " << c << " block " << bx << "," << by;
      }
    }
  }
  jpeg_destroy_decompress(&ci);
}

}  // namespace

TEST(Progressive, SameCoefficientsAsLibjpeg) {
  const Options cases[] = {
      {3, 2, 2, 0, false, 90}, {3, 2, 1, 0, false, 95},  {3, 1, 1, 0, false, 75}, {1, 1, 1, 0, false, 90},
      {3, 2, 2, 7, false, 90}, {3, 1, 2, 3, false, 85},  {3, 2, 2, 0, true, 90},  {3, 2, 2, 1, true, 50},
      {1, 1, 1, 5, false, 98}, {3, 2, 2, 0, false, 100},
  };
  unsigned seed = 1;
  for (const auto& o : cases)
    for (auto [w, h] : {std::pair{1, 1}, {17, 9}, {131, 77}, {400, 300}}) {
      SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + " comps " + std::to_string(o.components) + " " +
                   std::to_string(o.h) + "x" + std::to_string(o.v) + " restart " + std::to_string(o.restart_interval) +
                   (o.spectral_only ? " spectral" : " successive") + " q" + std::to_string(o.quality));
      expect_same_coefficients(write_progressive(w, h, o, seed++));
    }
}

TEST(Progressive, TruncatedOrDamagedDataIsCorruptNotACrash) {
  std::string good = write_progressive(200, 150, {}, 7);
  d::ProgressiveFrame frame{200, 150, {{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}};
  for (std::size_t cut : {good.size() - 2, good.size() / 2, good.size() / 3, std::size_t{700}}) {
    auto r = d::decode_progressive(good.substr(0, cut), frame, 500, d::Deadline{});
    EXPECT_EQ(r.status, d::ProgressiveStatus::corrupt) << "cut at " << cut;
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {  // random byte damage: any outcome but a crash
    std::string bad = good;
    for (int k = 0; k < 4; ++k) bad[200 + rng() % (bad.size() - 200)] = static_cast<char>(rng());
    (void)d::decode_progressive(bad, frame, 500, d::Deadline{});
  }
}

// Every block costs at least one bit in its component's first DC scan: a frame declared far
// larger than its scans is incomplete, refused by the plan before anything is allocated.
TEST(Progressive, PlanRefusesScansThatCannotFillTheFrame) {
  std::string small = write_progressive(64, 64, {}, 11);
  d::ProgressiveFrame frame{64, 64, {{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}};
  d::ScanPlan ok = d::plan_scans(small, frame, 500);
  ASSERT_TRUE(ok.ok) << ok.detail;
  EXPECT_EQ(ok.blocks, 64 + 16 + 16);
  d::ProgressiveFrame huge{8000, 8000, frame.components};
  d::ScanPlan refused = d::plan_scans(small, huge, 500);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.detail.find("too little data"), std::string::npos) << refused.detail;
  // A component that never gets a DC scan: incomplete too.
  d::ProgressiveFrame extra{64, 64, {{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}, {4, 1, 1, 1}}};
  EXPECT_FALSE(d::plan_scans(small, extra, 500).ok);
  // The scan limit applies to the plan as well.
  EXPECT_FALSE(d::plan_scans(small, frame, 3).ok);
}

TEST(Progressive, OverfullHuffmanTableIsRejectedBeforeItIsBuilt) {
  // Three 1-bit codes cannot exist; building their lookup entries would write past the table
  // (found by the fuzzer). SOI, DHT (DC 0: counts 3,0,...; symbols 0,0,0), EOI.
  std::string jpeg = "\xFF\xD8\xFF\xC4";
  jpeg += std::string("\x00\x16\x00\x03", 4) + std::string(15, '\0') + std::string(3, '\0') + "\xFF\xD9";
  d::ProgressiveFrame frame{8, 8, {{1, 1, 1, 0}}};
  auto r = d::decode_progressive(jpeg, frame, 500, d::Deadline{});
  EXPECT_EQ(r.status, d::ProgressiveStatus::corrupt);
  EXPECT_EQ(r.detail, "bad Huffman table");
}
