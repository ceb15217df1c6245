// The canonical-Huffman helper (imaging/jpeg/huffman.h) shared by decoder and encoder: codes as
// T.81 C.2 defines them, and optimal tables that never need a code longer than 16 bits (K.3).
#include <gtest/gtest.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <jpeglib.h>

#include "imaging/jpeg/huffman.h"

namespace jm = sy::imaging::jpeg;

namespace {

// Kraft sum of a table in units of 2^-16: below 65536 means a prefix code with a spare code point.
long kraft(const jm::HuffmanTable& t) {
  long sum = 0;
  for (int l = 1; l <= 16; ++l) sum += static_cast<long>(t.bits[static_cast<std::size_t>(l)]) << (16 - l);
  return sum;
}

// Encodes a noisy picture with libjpeg using `t` as its AC table, then decodes it
// with libjpeg treating any warning as an error. True when both sides accept the table.
bool libjpeg_round_trip(const jm::HuffmanTable& t) {
  struct Err {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
  };
  const int w = 64, h = 48;
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w) * h);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>((i * 7919) % 251);
  unsigned char* out = nullptr;
  unsigned long len = 0;
  {
    Err err;
    jpeg_compress_struct ci;
    ci.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = [](j_common_ptr c) { std::longjmp(reinterpret_cast<Err*>(c->err)->jump, 1); };
    if (setjmp(err.jump)) {
      jpeg_destroy_compress(&ci);
      std::free(out);
      return false;
    }
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &out, &len);
    ci.image_width = w;
    ci.image_height = h;
    ci.input_components = 1;
    ci.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 95, TRUE);
    ci.optimize_coding = FALSE;
    for (JHUFF_TBL** slot : {&ci.ac_huff_tbl_ptrs[0]}) {  // DC tables may only hold symbols 0-15
      if (!*slot) *slot = jpeg_alloc_huff_table(reinterpret_cast<j_common_ptr>(&ci));
      std::memcpy((*slot)->bits, t.bits.data(), 17);
      std::memset((*slot)->huffval, 0, sizeof((*slot)->huffval));
      std::memcpy((*slot)->huffval, t.values.data(), t.values.size());
      (*slot)->sent_table = FALSE;
    }
    jpeg_start_compress(&ci, TRUE);
    while (ci.next_scanline < ci.image_height) {
      JSAMPROW row = px.data() + static_cast<std::size_t>(ci.next_scanline) * w;
      jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
  }
  Err err;
  jpeg_decompress_struct di;
  di.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = [](j_common_ptr c) { std::longjmp(reinterpret_cast<Err*>(c->err)->jump, 1); };
  err.pub.emit_message = [](j_common_ptr c, int level) {
    if (level < 0) std::longjmp(reinterpret_cast<Err*>(c->err)->jump, 1);
  };
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&di);
    std::free(out);
    return false;
  }
  jpeg_create_decompress(&di);
  jpeg_mem_src(&di, out, len);
  jpeg_read_header(&di, TRUE);
  jpeg_start_decompress(&di);
  std::vector<std::uint8_t> back(static_cast<std::size_t>(w) * h);
  while (di.output_scanline < di.output_height) {
    JSAMPROW row = back.data() + static_cast<std::size_t>(di.output_scanline) * w;
    jpeg_read_scanlines(&di, &row, 1);
  }
  jpeg_finish_decompress(&di);
  jpeg_destroy_decompress(&di);
  std::free(out);
  long diff = 0;
  for (std::size_t i = 0; i < px.size(); ++i) diff += std::abs(px[i] - back[i]);
  return diff / static_cast<long>(px.size()) < 20;  // the picture came back (q95)
}

}  // namespace

TEST(Huffman, CanonicalCodesFollowTheStandard) {
  // Two codes of length 2, three of length 3: 00 01 100 101 110 (111 stays unused).
  const std::uint8_t counts[16] = {0, 2, 3};
  std::uint16_t codes[5];
  std::uint8_t lengths[5];
  ASSERT_TRUE(jm::canonical_codes(counts, codes, lengths));
  EXPECT_EQ(std::vector<int>(codes, codes + 5), (std::vector<int>{0b00, 0b01, 0b100, 0b101, 0b110}));
  EXPECT_EQ(std::vector<int>(lengths, lengths + 5), (std::vector<int>{2, 2, 3, 3, 3}));
  // Four codes of length 2 would use the all-ones code; three of length 1 cannot exist.
  const std::uint8_t full[16] = {0, 4};
  const std::uint8_t over[16] = {3};
  EXPECT_FALSE(jm::canonical_codes(full, codes, lengths));
  EXPECT_FALSE(jm::canonical_codes(over, codes, lengths));
}

TEST(Huffman, OptimalTableLimitsCodesTo16BitsAndLibjpegAcceptsIt) {
  // Fibonacci counts make the most lopsided Huffman tree: 40 such symbols want codes up to 39
  // bits long. All 256 symbols are present so any symbol libjpeg needs can be coded.
  std::array<long, 257> freq{};
  long a = 1, b = 1;
  for (int s = 0; s < 256; ++s) {
    if (s < 40) {
      freq[static_cast<std::size_t>(s)] = b;
      const long next = a + b;
      a = b;
      b = next;
    } else {
      freq[static_cast<std::size_t>(s)] = 1;
    }
  }
  const jm::HuffmanTable t = jm::optimal_table(freq);
  int codes = 0;
  for (int l = 1; l <= 16; ++l) codes += t.bits[static_cast<std::size_t>(l)];
  EXPECT_EQ(codes, 256);
  EXPECT_EQ(t.values.size(), 256u);
  EXPECT_LT(kraft(t), 65536) << "not a prefix code with the all-ones code spare";
  std::vector<bool> seen(256);
  for (auto v : t.values) seen[v] = true;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 256);
  std::uint16_t c[256];
  std::uint8_t len[256];
  ASSERT_TRUE(jm::canonical_codes(t.bits.data() + 1, c, len));
  // The most frequent symbol still has a shortest code, the rarest ones the 16-bit codes.
  int len_of[256] = {};
  for (std::size_t k = 0; k < t.values.size(); ++k) len_of[t.values[k]] = len[k];
  EXPECT_EQ(len_of[39], len[0]);
  EXPECT_EQ(len_of[255], 16);
  EXPECT_GT(t.bits[16], 0);
  EXPECT_TRUE(libjpeg_round_trip(t));
}

TEST(Huffman, OptimalTableForAFewSymbolsIsWhatLibjpegBuilds) {
  // Counts 8, 4, 2, 1 (+ the reserved point): lengths 1, 2, 3, 4 and the spare 4-bit code.
  std::array<long, 257> freq{};
  freq[10] = 8;
  freq[20] = 4;
  freq[30] = 2;
  freq[40] = 1;
  const jm::HuffmanTable t = jm::optimal_table(freq);
  EXPECT_EQ(t.bits[1], 1);
  EXPECT_EQ(t.bits[2], 1);
  EXPECT_EQ(t.bits[3], 1);
  EXPECT_EQ(t.bits[4], 1);
  EXPECT_EQ(t.values, (std::vector<std::uint8_t>{10, 20, 30, 40}));
}
