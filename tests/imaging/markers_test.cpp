// The one JPEG marker walker (imaging/jpeg/markers.h) on the shapes a header can take: fill
// bytes, markers without a length, truncated and lying lengths, junk between segments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imaging/jpeg/markers.h"

namespace jm = sy::imaging::jpeg;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Markers in order until the walker stops; `error` gets its reason ("" at a clean end).
std::vector<int> walk(const std::string& s, std::string& error, bool skip_junk = false) {
  jm::MarkerWalker w(s, 2, skip_junk);
  jm::Segment seg;
  std::vector<int> out;
  while (w.next(seg)) out.push_back(seg.marker);
  error = w.error() ? w.error() : "";
  return out;
}

}  // namespace

TEST(MarkerWalker, NamesMatchTheStandard) {
  EXPECT_TRUE(jm::is_sof(jm::marker::SOF0));
  EXPECT_TRUE(jm::is_sof(jm::marker::SOF2));
  EXPECT_TRUE(jm::is_sof(jm::marker::SOF15));
  EXPECT_FALSE(jm::is_sof(jm::marker::DHT));
  EXPECT_FALSE(jm::is_sof(jm::marker::JPG));
  EXPECT_FALSE(jm::is_sof(jm::marker::DAC));
  for (int m = 0xD0; m <= 0xD7; ++m) EXPECT_TRUE(jm::is_rst(m) && jm::is_standalone(m));
  EXPECT_TRUE(jm::is_standalone(jm::marker::TEM));
  EXPECT_FALSE(jm::is_standalone(jm::marker::SOS));
  EXPECT_TRUE(jm::is_app(jm::marker::APP1) && jm::is_app(jm::marker::APP15) && !jm::is_app(jm::marker::COM));
}

TEST(MarkerWalker, GivesEachSegmentsPayloadAndEnd) {
  // SOI, APP0 "JF" (length 4), COM "x" (length 3), EOI
  const std::string s = bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J', 'F', 0xFF, 0xFE, 0x00, 0x03, 'x', 0xFF, 0xD9});
  jm::MarkerWalker w(s);
  jm::Segment seg;
  ASSERT_TRUE(w.next(seg));
  EXPECT_EQ(seg.marker, jm::marker::APP0);
  EXPECT_EQ(seg.offset, 2u);
  EXPECT_EQ(seg.payload, "JF");
  EXPECT_EQ(seg.end, 8u);
  ASSERT_TRUE(w.next(seg));
  EXPECT_EQ(seg.marker, jm::marker::COM);
  EXPECT_EQ(seg.payload, "x");
  ASSERT_TRUE(w.next(seg));
  EXPECT_EQ(seg.marker, jm::marker::EOI);
  EXPECT_TRUE(seg.payload.empty());
  EXPECT_FALSE(w.next(seg));
  EXPECT_EQ(w.error(), nullptr);
}

TEST(MarkerWalker, SkipsFillBytesBeforeAMarker) {
  std::string err;
  auto m = walk(bytes({0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x02, 0xFF, 0xFF, 0xD9}), err);
  EXPECT_EQ(m, (std::vector<int>{0xFE, 0xD9}));
  EXPECT_EQ(err, "");
}

TEST(MarkerWalker, RestartAndOtherStandaloneMarkersHaveNoLength) {
  std::string err;
  // RST0, TEM, RST7, then a COM whose length bytes would be misread if RSTn had a length.
  auto m = walk(bytes({0xFF, 0xD8, 0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0xD7, 0xFF, 0xFE, 0x00, 0x02, 0xFF, 0xD9}), err);
  EXPECT_EQ(m, (std::vector<int>{0xD0, 0x01, 0xD7, 0xFE, 0xD9}));
  EXPECT_EQ(err, "");
}

TEST(MarkerWalker, TruncatedOrLyingLengthsStopWithAReason) {
  std::string err;
  // Length runs past the end.
  EXPECT_TRUE(walk(bytes({0xFF, 0xD8, 0xFF, 0xE1, 0x01, 0x00, 'a', 'b'}), err).empty());
  EXPECT_EQ(err, "bad marker length");
  // Length below 2 (it counts itself).
  EXPECT_TRUE(walk(bytes({0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9}), err).empty());
  EXPECT_EQ(err, "bad marker length");
  // Only one length byte left.
  EXPECT_TRUE(walk(bytes({0xFF, 0xD8, 0xFF, 0xDB, 0x00}), err).empty());
  EXPECT_EQ(err, "the file ends inside a marker");
  // A marker's 0xFF (and fill) as the last bytes.
  EXPECT_TRUE(walk(bytes({0xFF, 0xD8, 0xFF, 0xFF}), err).empty());
  EXPECT_EQ(err, "the file ends inside a marker");
  // A length exactly to the end is fine.
  EXPECT_EQ(walk(bytes({0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x03, 'z'}), err), std::vector<int>{0xE1});
  EXPECT_EQ(err, "");
  // After an error the walker stays stopped.
  const std::string zero_length = bytes({0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF, 0xD9});
  jm::MarkerWalker w(zero_length);
  jm::Segment seg;
  EXPECT_FALSE(w.next(seg));
  EXPECT_FALSE(w.next(seg));
  EXPECT_STREQ(w.error(), "bad marker length");
}

TEST(MarkerWalker, JunkBetweenSegmentsIsAnErrorUnlessSkipped) {
  const std::string s = bytes({0xFF, 0xD8, 'j', 'u', 'n', 'k', 0xFF, 0xFE, 0x00, 0x02, 0xFF, 0xD9});
  std::string err;
  EXPECT_TRUE(walk(s, err).empty());
  EXPECT_EQ(err, "no marker where one should start");
  EXPECT_EQ(walk(s, err, /*skip_junk=*/true), (std::vector<int>{0xFE, 0xD9}));
  EXPECT_EQ(err, "");
}

TEST(MarkerWalker, SeekContinuesAfterEntropyCodedData) {
  // SOS (length 2, no fields here), then "scan data" the caller decodes, then EOI.
  const std::string s = bytes({0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9});
  jm::MarkerWalker w(s);
  jm::Segment seg;
  ASSERT_TRUE(w.next(seg));
  EXPECT_EQ(seg.marker, jm::marker::SOS);
  w.seek(seg.end + 4);  // the caller consumed the scan, stuffed 0xFF00 included
  ASSERT_TRUE(w.next(seg));
  EXPECT_EQ(seg.marker, jm::marker::EOI);
}

TEST(MarkerWalker, NeverReadsOutsideItsBytes) {
  // Every prefix of a small header: the walker stops cleanly or with a reason, never crashes
  // (ASan and the fuzz build check the "never reads outside").
  const std::string s = bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J',  'F', 0xFF, 0xFF, 0xD0, 0xFF, 0xC0,
                               0x00, 0x0B, 8,    0x00, 0x10, 0x00, 0x20, 1,   1,    0x11, 0,    0xFF, 0xD9});
  for (std::size_t n = 2; n <= s.size(); ++n) {
    std::string err;
    auto m = walk(s.substr(0, n), err);
    EXPECT_LE(m.size(), 4u);
  }
}
