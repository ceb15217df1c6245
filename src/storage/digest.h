#pragma once
// Hashes the stores need (OpenSSL): SHA-256 for checksums and SigV4, HMAC-SHA256 for SigV4.
#include <string>
#include <string_view>

namespace sy::storage {

std::string sha256_raw(std::string_view data);                         // 32 bytes
std::string sha256_hex(std::string_view data);                         // 64 lower-case hex digits
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 bytes
bool is_sha256_hex(std::string_view s);

}  // namespace sy::storage
