#pragma once
// multipart/form-data (RFC 7578) bodies, parsed strictly and within limits: anything malformed —
// a bad boundary, a missing final delimiter, a part without Content-Disposition: form-data; name,
// too many parts or oversized part headers — is AppError 400. A filename is kept for information
// only: never use it in a storage path (ASVS 12.3.1).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace sy::http {

struct Part {
  std::string name;
  std::optional<std::string> filename;  // present for file fields
  std::string content_type;             // as sent; "text/plain" when absent
  std::string data;
};

// Over a limit: AppError 413 with code too_many_parts, part_headers_too_large, field_name_too_long,
// too_many_fields or field_value_too_long (fields are the parts without a filename).
struct MultipartLimits {
  std::size_t max_parts = 32;
  std::size_t max_header_bytes = 8 * 1024;  // per part
  std::size_t max_name = 256;               // bytes of a part's name
  std::size_t max_fields = 16;
  std::size_t max_field_value = 64 * 1024;
};

// The boundary parameter of a multipart/form-data Content-Type; AppError 415 for another media
// type, 400 for a missing or invalid boundary.
std::string multipart_boundary(std::string_view content_type);

std::vector<Part> parse_multipart(std::string_view content_type, std::string_view body,
                                  const MultipartLimits& limits = {});
// The request's Content-Type and body.
std::vector<Part> parse_multipart(const Request& req, const MultipartLimits& limits = {});

// The first part with that name, or nullptr.
const Part* find_part(const std::vector<Part>& parts, std::string_view name);

}  // namespace sy::http
