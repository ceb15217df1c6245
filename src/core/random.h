#pragma once
// Randomness and hashing via libsodium (CSPRNG; SHA-256).
#include <cstdint>
#include <string>
#include <string_view>

namespace sy {

void crypto_init();                                // sodium_init once; safe to call many times
std::string random_token(std::size_t bytes = 32);  // URL-safe base64, no padding
std::string sha256_hex(std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sy
