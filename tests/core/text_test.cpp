#include "core/text.h"

#include <gtest/gtest.h>

using namespace sy::text;
using namespace std::string_literals;

TEST(Text, TrimTakesOnlyTheGivenCharactersFromBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(" \t \n"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" a\n", kSpaceTab), "a\n");
  EXPECT_EQ(trim_copy("\tx "), "x");
}

TEST(Text, CaseIsAsciiOnly) {
  EXPECT_EQ(to_lower("AbC-Ä"), "abc-Ä");
  EXPECT_EQ(to_upper("abc-ä"), "ABC-ä");
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_FALSE(iequals("a", "ab"));
  EXPECT_FALSE(iequals("\xC3\x84", "\xC3\xA4"));  // Ä vs ä: not ASCII, not folded
}

TEST(Text, HexBothWays) {
  EXPECT_EQ(hex("\x00\x7f\xff\x10"s), "007fff10");
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
  EXPECT_EQ(hex_value('g'), -1);
  EXPECT_EQ(hex_value('%'), -1);
}

TEST(Text, PercentEncodingRoundTrips) {
  EXPECT_EQ(percent_encode("a b/ü~._-"), "a%20b%2F%C3%BC~._-");
  for (std::string s : {""s, "plain"s, "a b&c=d%"s, "\x00\xff"s, "ü/+"s})
    EXPECT_EQ(percent_decode(percent_encode(s)), s) << s;
}

TEST(Text, PercentDecodingLenientAndStrict) {
  EXPECT_EQ(percent_decode("a+b%41"), "a+bA");
  EXPECT_EQ(percent_decode("a+b%41", true), "a bA");
  EXPECT_EQ(percent_decode("100%"), "100%");  // a stray % stays
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%zz"), "%zz");
  EXPECT_EQ(percent_decode_strict("a%2Fb"), "a/b");
  EXPECT_FALSE(percent_decode_strict("100%"));
  EXPECT_FALSE(percent_decode_strict("%4"));
  EXPECT_FALSE(percent_decode_strict("%g0"));
}

TEST(Text, Utf8ValidatorIsStrict) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("ascii"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9"));           // é
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));       // €
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));   // 😀
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_TRUE(valid_utf8("a\0b"s));              // NUL is valid UTF-8; callers refuse it where they must
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong, three bytes
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\xAF"));  // overlong, four bytes
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\x80"));              // lone continuation
  EXPECT_FALSE(valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_EQ(invalid_utf8_at("ab\xC3\xA9\xC0\xAF"), 4u);
}

TEST(Text, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), 3u);
}

TEST(Text, FixedWidthReaders) {
  std::string b = "\x01\x02\x03\x04\xff"s;
  EXPECT_EQ(be16(b, 0), 0x0102u);
  EXPECT_EQ(be32(b, 0), 0x01020304u);
  EXPECT_EQ(le16(b, 0), 0x0201u);
  EXPECT_EQ(le24(b, 0), 0x030201u);
  EXPECT_EQ(le32(b, 1), 0xff040302u);
  EXPECT_EQ(be16(b, 3), 0x04ffu);  // high bytes are not sign-extended
}
