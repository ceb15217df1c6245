#pragma once
// Hashes the stores need (OpenSSL): SHA-256 for checksums and SigV4, HMAC-SHA256 for SigV4.
#include <string>
#include <string_view>

namespace sy::storage {

std::string sha256_raw(std::string_view data);                         // 32 bytes
std::string sha256_hex(std::string_view data);                         // 64 lower-case hex digits
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 bytes
std::string to_hex(std::string_view bytes);
bool is_sha256_hex(std::string_view s);

// SHA-256 over data that arrives in pieces (backup dumps too big to hold in memory).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  std::string hex();  // finishes; call once

 private:
  void* ctx_;  // EVP_MD_CTX
};

}  // namespace sy::storage
