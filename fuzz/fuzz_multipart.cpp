// libFuzzer: the multipart/form-data parser (src/http/multipart.cpp). The first line of the input
// is the Content-Type's boundary, the rest the body. Any outcome but parts within the limits or
// AppError 400/415 is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "http/multipart.h"
#include "http/types.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string boundary = nl == std::string::npos ? in : in.substr(0, nl);
  std::string body = nl == std::string::npos ? "" : in.substr(nl + 1);
  sy::http::MultipartLimits limits;
  limits.max_parts = 8;
  limits.max_header_bytes = 512;
  try {
    auto parts = sy::http::parse_multipart("multipart/form-data; boundary=" + boundary, body, limits);
    if (parts.size() > limits.max_parts) __builtin_trap();
    std::size_t total = 0;
    for (const auto& p : parts) total += p.data.size() + p.name.size();
    if (total > body.size()) __builtin_trap();  // nothing is invented
    sy::http::find_part(parts, "photo");
  } catch (const sy::AppError& e) {
    int st = sy::http::status_of(e.kind);
    if (st != 400 && st != 413 && st != 415) __builtin_trap();  // 413: a part or field cap
  }
  return 0;
}
