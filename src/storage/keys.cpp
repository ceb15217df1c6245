#include "storage/object_store.h"

namespace sy::storage {
namespace {

bool allowed_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '.' || c == '-';
}

// Shared rules; a prefix may end with "/" (its last segment is then empty).
bool valid_path(const std::string& s, bool allow_trailing_slash) {
  if (s.empty() || s.size() > 512 || s.front() == '/') return false;
  if (s.find("..") != std::string::npos || s.find("//") != std::string::npos) return false;
  if (!allow_trailing_slash && s.back() == '/') return false;
  char prev = '/';
  for (char c : s) {
    if (!allowed_char(c)) return false;
    if (prev == '/' && c == '.') return false;
    prev = c;
  }
  return true;
}

}  // namespace

bool valid_key(const std::string& key) { return valid_path(key, false); }

bool valid_prefix(const std::string& prefix) { return prefix.empty() || valid_path(prefix, true); }

}  // namespace sy::storage
