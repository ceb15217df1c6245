#pragma once
// Where the s3:// store gets its AWS credentials, in the SDKs' order:
//   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (also what Lambda provides);
//   2. the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]);
//   3. the EC2 instance profile via IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT overrides the
//      address; AWS_EC2_METADATA_DISABLED=true turns it off).
// Temporary credentials from 2 and 3 are refreshed five minutes before they expire.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/sigv4.h"

namespace sy::storage {

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // Current credentials; throws StorageError (retryable) when they cannot be fetched.
  virtual sigv4::Credentials get() = 0;
  // The service said the credentials expired or are unknown: fetch new ones next time.
  virtual void invalidate() {}
  virtual std::string describe() const = 0;  // for messages: "environment", "EC2 instance profile", ...
};

std::shared_ptr<CredentialSource> static_credentials(sigv4::Credentials credentials);

// A source that fetches temporary credentials over HTTP (containers, EC2) and caches them.
class FetchedCredentials : public CredentialSource {
 public:
  struct Fetched {
    sigv4::Credentials credentials;
    std::int64_t expires_at = 0;  // unix seconds; 0 = never
  };
  sigv4::Credentials get() override;
  void invalidate() override;

 protected:
  virtual Fetched fetch() = 0;  // throws StorageError

 private:
  std::mutex mu_;
  Fetched current_;
  bool have_ = false;
};

// The chain above. Throws sy::ConfigError when no source applies (no variables set and the
// instance metadata service does not answer).
std::shared_ptr<CredentialSource> default_credentials();

// Parses the JSON both metadata services answer with; throws StorageError.
FetchedCredentials::Fetched parse_credentials_json(const std::string& body);

}  // namespace sy::storage
