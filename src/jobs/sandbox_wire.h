#pragma once
// The framed protocol between the sandbox parent and `schoolyard compress-child` (both the same
// build). Little-endian fixed-width integers and length-prefixed strings:
//   request  = "SYQ1" u32 n, n × i64 settings, bytes input
//   response = "SYR1" u8 ok, str reason, str detail, str source_type, i64 w, i64 h,
//              u32 n, n × (str name, str content_type, bytes, i64 w, i64 h), "END1"
// The parent treats the child's output as hostile too: every length is checked against what is
// left, and a response that does not parse is a crash.
#include <cstdint>
#include <optional>
#include <string>

#include "imaging/compressor.h"

namespace sy::jobs::sandbox::wire {

// The request is this header followed by the input's bytes (sent apart: no copy of a 25 MB upload).
std::string request_header(const imaging::Settings& s, std::size_t input_size);
// Parses a request in place: `input` receives the image bytes. false when malformed.
bool decode_request(const std::string& msg, imaging::Settings& s, std::string& input);

std::string encode_response(const imaging::Result& r);

// Parent → zygote, one datagram with the three pipe ends attached (SCM_RIGHTS); the zygote
// answers with the new child's pid as an int64 (or -errno).
struct ZygoteRequest {
  std::int64_t memory_bytes = 0;
  std::int32_t cpu_seconds = 0;
  std::int32_t max_files = 32;
  std::int32_t network_namespace = 1;
  std::int32_t reserved = 0;
};
std::optional<imaging::Result> decode_response(const std::string& msg);

}  // namespace sy::jobs::sandbox::wire
