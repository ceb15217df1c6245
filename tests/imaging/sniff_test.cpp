// Type detection is a pure function of the first bytes; names and Content-Type never matter.
#include <gtest/gtest.h>

#include <string>

#include "imaging/compressor.h"
#include "imaging/exif.h"
#include "imaging/icc.h"

using sy::imaging::sniff;

namespace {

std::string ftyp(const std::string& major, const std::string& compat) {
  std::string box = std::string("\0\0\0", 3);
  box.push_back(static_cast<char>(16 + compat.size()));
  return box + "ftyp" + major + std::string("\0\0\0\0", 4) + compat + std::string(64, '\0');
}

}  // namespace

TEST(Sniff, AcceptsTheSixTypesByMagic) {
  EXPECT_EQ(sniff(std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10)), "jpeg");
  EXPECT_EQ(sniff(std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16) + std::string(13, '\0')), "png");
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "webp");
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WEBPVP8L", 16)), "webp");
  EXPECT_EQ(sniff(std::string("GIF89a\x01\0\x01\0\0\0\0", 13)), "gif");
  EXPECT_EQ(sniff(std::string("GIF87a\x01\0\x01\0\0\0\0", 13)), "gif");
  EXPECT_EQ(sniff(ftyp("heic", "mif1heic")), "heif");
  EXPECT_EQ(sniff(ftyp("mif1", "mif1heic")), "heif");
  EXPECT_EQ(sniff(ftyp("avif", "mif1avif")), "avif");
  EXPECT_EQ(sniff(ftyp("mif1", "mif1miafavif")), "avif");
  EXPECT_EQ(sniff(ftyp("avis", "avismsf1")), "avif");
}

TEST(Sniff, RejectsEverythingElse) {
  for (std::string s :
       {std::string(""), std::string("\xFF\xD8"), std::string("<html><body>hi</body></html>"),
        std::string("<?php system($_GET['c']); ?>"), std::string("<?xml version=\"1.0\"?><svg/>"),
        std::string("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), std::string("%PDF-1.7\n%\xE2\xE3"),
        std::string("%!PS-Adobe-3.0\n"), std::string("push graphic-context\nviewbox 0 0 1 1\n"),
        std::string("PK\x03\x04\x14\0\0\0", 8), std::string("II*\0\x08\0\0\0", 8), std::string("MM\0*\0\0\0\x08", 8),
        std::string("BM\x36\0\0\0\0\0", 8), std::string("RIFF\x10\0\0\0WAVEfmt ", 16),
        std::string("#!/bin/sh\nrm -rf /\n"), std::string("GIF89a"), std::string("\x89PNG\r\n\x1A\n", 8)})
    EXPECT_EQ(sniff(s), "") << s;
  EXPECT_EQ(sniff(ftyp("mp42", "isommp42")), "");  // video
  EXPECT_EQ(sniff(ftyp("jp2 ", "jp2 ")), "");      // JPEG 2000
  EXPECT_EQ(sniff(ftyp("mif1", "mif1")), "");      // no codec brand
  EXPECT_EQ(sniff(ftyp("crx ", "crx heic")), "");  // raw camera file that mentions heic
  std::string bad_size = ftyp("heic", "mif1heic");
  bad_size[3] = 0x0F;  // not a multiple of 4
  EXPECT_EQ(sniff(bad_size), "");
  std::string huge = ftyp("heic", "mif1heic");
  huge[1] = 0x10;  // box larger than the file
  EXPECT_EQ(sniff(huge), "");
}

TEST(Sniff, IgnoresWhatFollowsTheMagic) {
  // A polyglot starts like a GIF: it is a GIF (and gets re-encoded, which drops the payload).
  EXPECT_EQ(sniff("GIF89a/*<script>alert(1)</script>*/"), "gif");
}

TEST(Exif, ReadsOrientationInBothByteOrders) {
  using sy::imaging::detail::exif_orientation;
  // Little-endian TIFF, one IFD0 entry: Orientation = 6.
  std::string le = std::string("Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0", 32);
  EXPECT_EQ(exif_orientation(reinterpret_cast<const unsigned char*>(le.data()), le.size()), 6);
  std::string be = std::string("MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0", 26);
  EXPECT_EQ(exif_orientation(reinterpret_cast<const unsigned char*>(be.data()), be.size()), 8);
}

TEST(Exif, MalformedBlocksMeanUpright) {
  using sy::imaging::detail::exif_orientation;
  auto o = [](const std::string& s) {
    return exif_orientation(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  EXPECT_EQ(o(""), 1);
  EXPECT_EQ(o(std::string("Exif\0\0", 6)), 1);
  EXPECT_EQ(o(std::string("II*\0\xFF\xFF\xFF\x7F", 8)), 1);     // IFD offset past the end
  EXPECT_EQ(o(std::string("II*\0\x08\0\0\0\xFF\xFF", 10)), 1);  // 65535 entries, none present
  EXPECT_EQ(o(std::string("II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x09\0\0\0", 22)), 1);  // value out of range
  EXPECT_EQ(o(std::string("II*\0\x08\0\0\0\x01\0\x12\x01\x04\0\x01\0\0\0\x06\0\0\0", 22)), 1);  // wrong type
  EXPECT_EQ(o(std::string("XX*\0\x08\0\0\0", 8)), 1);
}

TEST(Icc, RecognisesSrgbByItsDescription) {
  using sy::imaging::detail::is_srgb_profile;
  std::string p(200, '\0');
  p.replace(16, 4, "RGB ");
  p.replace(128, 4, std::string("\0\0\0\x01", 4));
  p.replace(132, 12, std::string("desc\0\0\0\xA0\0\0\0\x20", 12));
  p.replace(160, 32, std::string("desc\0\0\0\0\0\0\0\x12sRGB IEC61966-2.1", 30));
  EXPECT_TRUE(is_srgb_profile(p));
  std::string p3 = p;
  p3.replace(172, 17, "Display P3 xxxxxx");
  EXPECT_FALSE(is_srgb_profile(p3));
  std::string cmyk = p;
  cmyk.replace(16, 4, "CMYK");
  EXPECT_FALSE(is_srgb_profile(cmyk));
  std::string lying = p;
  lying.replace(136, 4, std::string("\x7F\0\0\0", 4));  // tag offset outside the profile
  EXPECT_FALSE(is_srgb_profile(lying));
  EXPECT_FALSE(is_srgb_profile(p.substr(0, 100)));
}

TEST(Formats, ExtensionsAndTypes) {
  using sy::imaging::Format;
  EXPECT_STREQ(sy::imaging::extension(Format::jpeg), "jpg");
  EXPECT_STREQ(sy::imaging::extension(Format::webp), "webp");
  EXPECT_STREQ(sy::imaging::extension(Format::avif), "avif");
  EXPECT_STREQ(sy::imaging::content_type(Format::jpeg), "image/jpeg");
  EXPECT_STREQ(sy::imaging::content_type(Format::webp), "image/webp");
  EXPECT_STREQ(sy::imaging::content_type(Format::avif), "image/avif");
}
