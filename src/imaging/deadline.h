#pragma once
// A per-job time limit that decoders poll (cheap: one steady-clock read).
#include <chrono>

namespace sy::imaging::detail {

struct Deadline {
  std::chrono::steady_clock::time_point at{};
  bool limited = false;

  static Deadline after_ms(int ms) {
    Deadline d;
    if (ms > 0) {
      d.limited = true;
      d.at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    }
    return d;
  }
  bool passed() const { return limited && std::chrono::steady_clock::now() >= at; }
};

}  // namespace sy::imaging::detail
