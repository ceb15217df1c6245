#pragma once
// One page of a list: every list route takes ?limit=&offset= (or page=) and answers the total.
#include <cstdint>
#include <vector>

namespace sy::services {

struct Page {
  int limit = 50;  // 1–200 (clamped by clamp_page)
  int offset = 0;  // ≥ 0
};

// Limits a caller's page to sane bounds instead of refusing it.
inline Page clamp_page(Page p) {
  if (p.limit < 1) p.limit = 50;
  if (p.limit > 200) p.limit = 200;
  if (p.offset < 0) p.offset = 0;
  return p;
}

template <class T>
struct Paged {
  std::vector<T> items;
  std::int64_t total = 0;
  Page page;
};

}  // namespace sy::services
