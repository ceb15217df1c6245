#pragma once
// Rendered bodies of shared pages (a class yearbook, ...), kept in process under their content
// version (services/content_version.h). A request reads the current version from the database,
// so a body is served only while its version is current: a change committed through any instance
// bumps the version in the same transaction and the next request renders afresh.
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sy::web {

struct SharedBody {
  std::string title;  // the page title (in the layout, outside the body)
  std::string html;   // the rendered template, without the layout
};

class SharedPageCache {
 public:
  explicit SharedPageCache(std::size_t max_entries = 512) : max_(max_entries) {}

  // The body of `key` at `version`, or nullptr.
  std::shared_ptr<const SharedBody> find(const std::string& key, std::int64_t version);
  // Keeps `body` as `key` at `version` (replacing an older version; never a newer one).
  void put(const std::string& key, std::int64_t version, std::shared_ptr<const SharedBody> body);

  std::size_t size();
  void clear();

 private:
  struct Entry {
    std::int64_t version;
    std::shared_ptr<const SharedBody> body;
    std::list<std::string>::iterator lru;
  };
  std::mutex mu_;
  std::size_t max_;
  std::unordered_map<std::string, Entry> map_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace sy::web
