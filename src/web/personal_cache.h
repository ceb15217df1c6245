#pragma once
// Values kept per user (or per other integer key) at a version of the personal lists
// (services/personal_lists.h), each right until an instant: a request that reads the current
// version finds its value here only while that version is current and the clock has not reached
// `valid_until`, so a change committed through any instance shows on the next request.
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace sy::web {

template <class V>
class PersonalCache {
 public:
  explicit PersonalCache(std::size_t max_entries = 8192) : max_(max_entries) {}

  std::shared_ptr<const V> find(std::int64_t key, std::int64_t version, std::int64_t now) {
    std::lock_guard lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end() || it->second.version != version || now >= it->second.valid_until) return nullptr;
    return it->second.value;
  }

  // Never replaces a value read at a newer version with an older one.
  void put(std::int64_t key, std::int64_t version, std::int64_t valid_until, std::shared_ptr<const V> value) {
    std::lock_guard lk(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      if (it->second.version > version) return;
      it->second = Entry{version, valid_until, std::move(value)};
      return;
    }
    if (map_.size() >= max_) map_.clear();  // bounded; users come back and refill it
    map_.emplace(key, Entry{version, valid_until, std::move(value)});
  }

 private:
  struct Entry {
    std::int64_t version = 0;
    std::int64_t valid_until = std::numeric_limits<std::int64_t>::max();
    std::shared_ptr<const V> value;
  };
  std::mutex mu_;
  std::size_t max_;
  std::unordered_map<std::int64_t, Entry> map_;
};

}  // namespace sy::web
