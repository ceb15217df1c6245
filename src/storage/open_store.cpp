#include "core/config.h"
#include "storage/file_store.h"
#include "storage/s3_store.h"

namespace sy::storage {

std::unique_ptr<ObjectStore> open_store(const std::string& url) {
  if (url.starts_with("file://")) {
    std::string path = url.substr(7);
    if (path.empty()) throw ConfigError("SCHOOLYARD_STORAGE_URL: file:// needs a directory");
    return std::make_unique<FileStore>(path);
  }
  if (url.starts_with("s3://")) {
    S3Config config = parse_s3_url(url);
    config.credential_source = default_credentials();
    return std::make_unique<S3Store>(std::move(config));
  }
  throw ConfigError("SCHOOLYARD_STORAGE_URL: expected file://DIR or s3://BUCKET?..., got '" +
                    url.substr(0, url.find(':')) + ":...'");
}

}  // namespace sy::storage
