// libFuzzer: configuration and URL parsing: SCHOOLYARD_DB_URL (db::parse_url), the S3 storage
// URL (storage::parse_s3_url), trusted proxies (http::TrustedProxies) and the TOML file of
// `--config` (Config::load). Bad input must be a clear exception, never a crash or a hang.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/config.h"
#include "db/url.h"
#include "http/proxy.h"
#include "storage/s3_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  try {
    auto c = sy::db::parse_url(s);
    if (c.redacted.find(c.password) != std::string::npos && c.password.size() > 3) __builtin_trap();
  } catch (const std::invalid_argument&) {}
  try {
    sy::storage::parse_s3_url(s);
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {}
  try {
    std::vector<std::string> entries;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i)
      if (i == s.size() || s[i] == ',') {
        entries.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    sy::http::TrustedProxies tp(entries);
    tp.contains("127.0.0.1");
    tp.contains("::1");
  } catch (const std::invalid_argument&) {}
  static const std::string path = "/tmp/sy-fuzz-config-" + std::to_string(getpid()) + ".toml";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(s.data(), 1, s.size(), f);
    std::fclose(f);
    try {
      sy::Config::load(path);
    } catch (const sy::ConfigError&) {}
  }
  return 0;
}
