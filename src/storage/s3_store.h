#pragma once
// s3:// store: S3 and S3-compatible servers over libcurl with SigV4 (see sigv4.h).
// Every request is retried with exponential backoff and jitter on connection errors, timeouts,
// 5xx, 429 and SlowDown; after the last attempt a StorageError(permanent=false) is thrown.
// Other 4xx answers throw StorageError(permanent=true) at once. Objects carry their SHA-256 as
// x-amz-meta-sha256 (returned by head(), checked by get()); the body is also signed with its
// real SHA-256, so S3 rejects a body damaged in transit.
#include <atomic>
#include <functional>
#include <memory>

#include "storage/credentials.h"
#include "storage/http_client.h"
#include "storage/object_store.h"
#include "storage/sigv4.h"

namespace sy::storage {

struct S3Config {
  std::string bucket;
  std::string scheme = "https";
  std::string endpoint_host;  // host[:port] of the service, without the bucket
  std::string region = "us-east-1";
  bool path_style = false;                              // https://host/bucket/key instead of https://bucket.host/key
  sigv4::Credentials credentials;                       // fixed credentials, or
  std::shared_ptr<CredentialSource> credential_source;  // when set: asked before every request
  int max_attempts = 4;
  long connect_timeout_ms = 5000;
  long timeout_ms = 120000;
  long backoff_base_ms = 100;  // first retry waits 50-100 ms, then doubling, capped at 5 s
  int list_page_size = 1000;   // ListObjectsV2 max-keys (smaller only to exercise paging in tests)
};

// Parses "s3://bucket?endpoint=URL&region=R&path_style=1&timeout=S&connect_timeout=S&max_attempts=N"
// (credentials are not part of it). Throws sy::ConfigError.
S3Config parse_s3_url(const std::string& url);
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (required) / AWS_SESSION_TOKEN. Throws sy::ConfigError.
// open_store() uses the wider default_credentials() chain (credentials.h).
sigv4::Credentials credentials_from_env();

// The request URL for a key ("" = the bucket itself) and an already encoded query string.
std::string s3_url(const S3Config& config, const std::string& key, const std::string& query = "");

class S3Store : public ObjectStore {
 public:
  explicit S3Store(S3Config config);

  ObjectInfo put(const std::string& key, const std::string& bytes, const std::string& content_type) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<ObjectInfo> head(const std::string& key) override;
  void remove(const std::string& key) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  std::string bucket() const override { return config_.bucket; }
  bool ping() override;

  const S3Config& config() const { return config_; }

 private:
  struct Call {
    std::string method;
    std::string key;    // "" for bucket-level requests
    std::string query;  // encoded
    std::string_view body;
    sigv4::Headers headers;
    std::string payload_sha256;
    int max_attempts = 0;  // 0 = config
    long timeout_ms = 0;   // 0 = config
    // Extra check on a 2xx answer; a non-empty result is treated as a retryable failure.
    std::function<std::string(const HttpResponse&)> validate;
  };
  // Returns 2xx and 404 answers; throws StorageError for everything else (after retries).
  HttpResponse execute(const Call& call);
  std::string describe(const Call& call) const;

  S3Config config_;
  HttpClient http_;
  std::atomic<std::int64_t> clock_skew_{0};  // server time - our time, learnt from RequestTimeTooSkewed
};

}  // namespace sy::storage
