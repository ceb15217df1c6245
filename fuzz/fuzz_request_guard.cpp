// libFuzzer: the request guard in front of RESTinio (src/http/request_guard.cpp), fed the input in
// pieces whose sizes come from the input itself. It must never throw, never hand on more than it
// was given plus one synthetic refusal, and stop passing bytes after a refusal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  sy::http::detail::GuardLimits limits;
  limits.max_body = 4096;
  limits.max_header_bytes = 1024;
  limits.max_url = 256;
  limits.max_fields = 16;
  sy::http::detail::RequestGuard g(limits, "fuzzsecret");
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t step = 1 + data[0] % 64, fed = 0, passed = 0;
  bool was_refused = false;
  while (fed < in.size()) {
    auto piece = in.substr(fed, step);
    fed += piece.size();
    g.feed(piece);
    auto p = g.pending();
    passed += p.size();
    g.consume(p.size());
    if (was_refused && !p.empty()) __builtin_trap();  // nothing after the refusal was handed on
    if (g.refused()) was_refused = true;
    if (passed > fed + 512) __builtin_trap();
    step = 1 + (step * 31 + 7) % 97;
  }
  sy::http::detail::parse_refusal_marker(in, "fuzzsecret");
  return 0;
}
