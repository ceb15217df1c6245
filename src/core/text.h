#pragma once
// Small text helpers used across the layers, each written once: trimming, ASCII case, hex,
// percent-encoding, one strict UTF-8 validator, and fixed-width integer readers. Bytes are bytes:
// nothing here looks at the locale.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sy::text {

inline constexpr std::string_view kWhitespace = " \t\r\n";
inline constexpr std::string_view kSpaceTab = " \t";  // HTTP's optional whitespace; CSV cell padding

// `s` without leading and trailing characters from `chars`.
std::string_view trim(std::string_view s, std::string_view chars = kWhitespace);
inline std::string trim_copy(std::string_view s, std::string_view chars = kWhitespace) {
  return std::string(trim(s, chars));
}

// ASCII only; other bytes (UTF-8 included) pass through unchanged.
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Lower-case hex of every byte; hex_value is 0–15 for a hex digit of either case, else -1.
std::string hex(std::string_view bytes);
int hex_value(char c);

// %XX for every byte but the unreserved A-Z a-z 0-9 - . _ ~ (RFC 3986), upper-case digits.
std::string percent_encode(std::string_view s);
// Lenient, as browsers are: a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view s, bool plus_as_space = false);
// Strict: nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode_strict(std::string_view s);

// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF.
// invalid_utf8_at: offset of the first byte that breaks it, or npos.
std::size_t invalid_utf8_at(std::string_view s);
inline bool valid_utf8(std::string_view s) { return invalid_utf8_at(s) == std::string_view::npos; }
// Code points in valid UTF-8 (call valid_utf8 first: invalid input is counted by lead bytes).
std::size_t utf8_length(std::string_view s);

// Unsigned integers stored at s[at…]; the caller checks the bounds.
inline std::uint32_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 8 | static_cast<unsigned char>(s[at + 1]);
}
inline std::uint32_t be32(std::string_view s, std::size_t at) { return be16(s, at) << 16 | be16(s, at + 2); }
inline std::uint32_t le16(std::string_view s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 | static_cast<unsigned char>(s[at]);
}
inline std::uint32_t le24(std::string_view s, std::size_t at) {
  return le16(s, at) | static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16;
}
inline std::uint32_t le32(std::string_view s, std::size_t at) { return le16(s, at) | le16(s, at + 2) << 16; }

}  // namespace sy::text
