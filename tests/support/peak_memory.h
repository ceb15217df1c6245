#pragma once
// Bounded-resource guards for the request-bomb regression tests: how long a step took and how far
// the process's peak resident set grew while it ran (Linux: /proc/self/status VmHWM, reset through
// /proc/self/clear_refs). A bound of seconds or tens of MB is a regression guard against a bomb,
// not a benchmark (those live in bench/).
#include <chrono>
#include <fstream>
#include <functional>
#include <string>

namespace sy::test {

// kB of a /proc/self/status line ("VmHWM", "VmRSS"); 0 when absent.
inline long proc_status_kb(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return 0;
}

struct Cost {
  double seconds = 0;
  double peak_growth_mb = 0;  // peak RSS during the step minus RSS before it
};

inline Cost measure(const std::function<void()>& step) {
  { std::ofstream("/proc/self/clear_refs") << "5"; }  // peak := current
  long before = proc_status_kb("VmRSS");
  auto t0 = std::chrono::steady_clock::now();
  step();
  Cost c;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.peak_growth_mb = static_cast<double>(proc_status_kb("VmHWM") - before) / 1024.0;
  return c;
}

}  // namespace sy::test
