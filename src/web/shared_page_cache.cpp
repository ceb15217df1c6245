#include "web/shared_page_cache.h"

namespace sy::web {

std::shared_ptr<const SharedBody> SharedPageCache::find(const std::string& key, std::int64_t version) {
  std::lock_guard lk(mu_);
  auto it = map_.find(key);
  if (it == map_.end() || it->second.version != version) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.body;
}

void SharedPageCache::put(const std::string& key, std::int64_t version, std::shared_ptr<const SharedBody> body) {
  std::lock_guard lk(mu_);
  auto it = map_.find(key);
  if (it != map_.end()) {
    // Two renders racing: the newer version wins whichever finishes last.
    if (it->second.version > version) return;
    it->second.version = version;
    it->second.body = std::move(body);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  lru_.push_front(key);
  map_.emplace(key, Entry{version, std::move(body), lru_.begin()});
  while (map_.size() > max_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
}

std::size_t SharedPageCache::size() {
  std::lock_guard lk(mu_);
  return map_.size();
}

void SharedPageCache::clear() {
  std::lock_guard lk(mu_);
  map_.clear();
  lru_.clear();
}

}  // namespace sy::web
