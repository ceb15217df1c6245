#pragma once
// file:// store: one file per object under a root directory (the key is the relative path).
// put writes a temp file, fsyncs it, renames it over the key and fsyncs the directory, so readers
// see the old or the new object, never a torn one. The SHA-256, size, content type and the data
// file's inode live in a sidecar under <root>/.sy-meta/<key>; the inode ties the sidecar to one
// version of the data, so a sidecar left stale by a crash or a copied tree is noticed (and
// rewritten) instead of trusted. ETag = the quoted hex SHA-256.
#include <filesystem>

#include "storage/object_store.h"

namespace sy::storage {

class FileStore : public ObjectStore {
 public:
  explicit FileStore(std::filesystem::path root);  // creates the root directory if missing

  ObjectInfo put(const std::string& key, const std::string& bytes, const std::string& content_type) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<ObjectInfo> head(const std::string& key) override;
  void remove(const std::string& key) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  std::string bucket() const override { return "local"; }
  bool ping() override;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path data_path(const std::string& key) const;
  std::filesystem::path meta_path(const std::string& key) const;

  std::filesystem::path root_;
};

// Shared by both stores: Content-Type values end up in HTTP headers and sidecars.
bool valid_content_type(const std::string& content_type);

}  // namespace sy::storage
