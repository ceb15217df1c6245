#pragma once
// Building SQL text inside the repositories (never with user input: values go through use()).
#include <initializer_list>
#include <string>
#include <string_view>

namespace sy::db {

// Joins SQL fragments (operator+ on literals trips GCC 12's -Warray-bounds false positive).
inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace sy::db
