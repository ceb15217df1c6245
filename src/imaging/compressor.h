#pragma once
// The compressor: bytes in → derivatives out, or a typed rejection. A leaf library (libvips and
// libjpeg-turbo only) shared by the in-process workers, `schoolyard worker`, `schoolyard lambda`
// and `schoolyard compress`. Thread-safe; call imaging::init() once per process first.
#include <cstdint>
#include <string>
#include <vector>

namespace sy::imaging {

enum class Format { jpeg, webp, avif };

struct Settings {
  int max_edge = 1600;      // long edge of the main derivatives; never upscaled
  int quality = 80;         // JPEG quality
  bool progressive = true;  // main JPEG progressive (smaller); thumbnails are baseline
  int webp_quality = 75;
  int thumb_edge = 320;
  int thumb_quality = 75;
  std::int64_t max_pixels = 120000000;  // width*height from the header, checked before decoding
  int timeout_ms = 60000;               // per job; <= 0 means no limit
  // Memory one decode may need for whole-frame buffers (progressive JPEG coefficients, interlaced
  // PNG, GIF/WebP/HEIF frames), estimated from the header and refused above this, before decoding.
  std::int64_t max_decode_bytes = 256ll * 1024 * 1024;
  int avif_quality = 50;
  bool make_webp = true;
  bool make_thumb = true;
  Format main_format = Format::jpeg;  // for `schoolyard compress --format`
};

struct Derivative {
  std::string name;          // "jpeg" | "webp" | "thumb" (or "avif")
  std::string content_type;  // "image/jpeg" …
  std::string bytes;
  int width = 0;
  int height = 0;
};

struct Result {
  bool ok = false;
  // When !ok: unsupported_type | too_many_pixels | corrupt_image | timeout | internal. (The CLI's
  // `too_large` is its own: it refuses a file over 256 MiB before reading it, never calling here.)
  std::string reason;
  std::string detail;       // human-readable, safe to show
  std::string source_type;  // sniffed: jpeg | png | webp | heif | avif | gif
  int source_width = 0;
  int source_height = 0;
  std::vector<Derivative> derivatives;
};

void init();                                  // start libvips, block untrusted loaders; idempotent
std::string sniff(const std::string& bytes);  // "" if not an accepted type
Result compress(const std::string& bytes, const Settings& s);
void release_thread();  // call before a thread that used compress() exits (frees libvips' per-thread buffers)

// File extension (no dot) and MIME type of an output format: "jpg"/"image/jpeg", …
const char* extension(Format f);
const char* content_type(Format f);

}  // namespace sy::imaging
