#pragma once
// AWS Signature Version 4 for S3 requests, as a pure function (no clock, no environment, no I/O)
// so it can be checked against an independent implementation (tests/storage: botocore).
// Follows botocore's S3SigV4Auth: the URL path is used as given (S3 does not re-encode it), every
// header except User-Agent/Expect/X-Amzn-Trace-Id is signed, values are whitespace-collapsed.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::storage::sigv4 {

inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as X-Amz-Security-Token
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;          // GET, PUT, HEAD, DELETE, POST
  std::string url;             // absolute; path and query already encoded with uri_encode()
  Headers headers;             // sent and signed; Host is derived from the URL when absent
  std::string payload_sha256;  // hex SHA-256 of the body (of "" when empty) or kUnsignedPayload
};

struct Signed {
  Headers headers;  // the request's headers plus Host, X-Amz-Date, X-Amz-Content-SHA256,
                    // X-Amz-Security-Token (with a session token) and Authorization
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header value
};

Signed sign(const Request& request, const Credentials& credentials, const std::string& region, std::int64_t unix_time,
            const std::string& service = "s3");

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and "/" when
// !encode_slash) becomes %XX with upper-case hex.
std::string uri_encode(std::string_view s, bool encode_slash);

// "key=value&..." with both sides uri_encode()d, in the order given.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

std::string amz_date(std::int64_t unix_time);  // 20130524T000000Z

}  // namespace sy::storage::sigv4
