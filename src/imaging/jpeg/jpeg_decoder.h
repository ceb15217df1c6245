#pragma once
// JPEG decoding with libjpeg-turbo's own API rather than libvips' loader, for three things the
// loader cannot do: decode straight to any M/8 scale (libvips only shrinks by 2, 4, 8), stop at a
// deadline mid-decode, and refuse before allocating when a progressive file's coefficient buffer
// would exceed the memory budget.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "imaging/deadline.h"
#include "imaging/planes.h"

namespace sy::imaging::detail {

struct JpegLimits {
  int target_edge = 0;  // decode at the smallest M/8 scale whose long edge is still >= this
  std::int64_t max_pixels = 0;
  std::int64_t max_decode_bytes = 0;
  Deadline deadline;
  // YCbCr and grey files come back as planes (no colour conversion, chroma at its own
  // resolution) instead of interleaved pixels; CMYK, YCCK and RGB files always as pixels.
  bool allow_planes = false;
};

enum class JpegStatus { ok, too_many_pixels, corrupt, timeout, internal };

struct FreeDeleter {
  void operator()(unsigned char* p) const { std::free(p); }
};

struct JpegImage {
  JpegStatus status = JpegStatus::internal;
  std::string detail;
  int source_width = 0;  // from the header
  int source_height = 0;
  int width = 0;  // decoded (scaled)
  int height = 0;
  int bands = 0;  // 1 grey, 3 RGB, 4 CMYK
  bool cmyk = false;
  int orientation = 1;
  std::string icc;                                     // embedded ICC profile, if any
  std::unique_ptr<unsigned char, FreeDeleter> pixels;  // width*height*bands, malloc'd
  Planes planes;  // instead of pixels: Y, Cb, Cr (or one grey plane), each at its decoded size
};

JpegImage decode_jpeg(const std::string& bytes, const JpegLimits& limits);

}  // namespace sy::imaging::detail
