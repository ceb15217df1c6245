#pragma once
// Runtime configuration: environment variables (SCHOOLYARD_*), optionally a TOML file with the
// same keys in lower case without the prefix (e.g. `port = 8080`). The environment wins.
// Invalid values fail fast with one line that names the variable (ConfigError).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sy {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string data_dir = "./data";
  std::string db_url;       // default sqlite://<data_dir>/schoolyard.db
  std::string db_read_url;  // optional replica
  std::string storage_url;  // default file://<data_dir>/objects
  std::string host = "127.0.0.1";
  int port = 8080;
  int workers = 0;       // default: number of cores
  int http_threads = 0;  // default: 2 x cores
  std::int64_t max_upload_bytes = 25ll * 1024 * 1024;
  std::int64_t max_pixels = 120000000;
  bool auto_migrate = true;
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};
  std::string metrics_token;  // bearer token for /metrics; empty: loopback and trusted proxies only
  std::string log_level = "info";
  int db_pool_size = 0;  // default: http_threads + workers + 2

  // Slow and greedy HTTP clients (see http::ServerOptions).
  int http_header_timeout_seconds = 10;
  int http_body_timeout_seconds = 10;
  int http_min_body_rate_kb = 8;
  int http_max_connections_per_ip = 200;
  // Server-sent event streams (live status and yearbook; see http::ServerOptions::Streams).
  int sse_max_streams = 1000;
  int sse_max_streams_per_user = 4;
  int sse_heartbeat_seconds = 15;

  // Image derivatives.
  int jpeg_max_edge = 1600;
  int jpeg_quality = 80;
  int webp_quality = 75;
  int thumb_max_edge = 320;
  int job_timeout_seconds = 60;

  // Job queue.
  int job_lease_seconds = 120;
  int job_max_attempts = 5;

  // SIGTERM: /readyz turns red, then in-flight requests get this long to finish.
  int drain_seconds = 30;

  // Scheduled backups from `serve` (0 = off) and how many backups retention keeps.
  std::int64_t backup_every_seconds = 0;
  int backup_keep = 14;
  // Decoding uploads in a sandboxed child process (jobs/sandbox.h): on/off and the child's
  // address-space limit.
  bool decode_sandbox = true;
  int decode_memory_mb = 1024;

  // Email (jobs/mail.h): off while smtp_url is empty. smtp:// uses STARTTLS when the server offers
  // it (`?tls=required` insists on it), smtps:// is TLS from the start; user:password@ in the URL
  // logs in. smtp_ca_file trusts a private CA. public_url is the site's address as users reach it,
  // for links in emails (never taken from a request's Host header).
  std::string smtp_url;
  std::string mail_from;
  std::string smtp_ca_file;
  std::string public_url;

  static Config load(const std::string& toml_path = "");
};

}  // namespace sy
