#pragma once
// Helpers shared by the storage test binaries (test_storage, test_storage_s3).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

namespace sy::storage::testing {

inline std::string env_or(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

// Sets (or unsets, with nullptr) an environment variable for one scope.
struct EnvVar {
  std::string name;
  std::optional<std::string> old;
  EnvVar(const char* n, const char* value) : name(n) {
    if (const char* v = std::getenv(n)) old = v;
    if (value)
      ::setenv(n, value, 1);
    else
      ::unsetenv(n);
  }
  ~EnvVar() {
    if (old)
      ::setenv(name.c_str(), old->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

// SY_TEST_MODE=quick: tests needing servers or test-only packages skip. Anything else (full, or
// unset when a binary is run by hand) makes their absence a failure.
inline bool quick_mode() { return env_or("SY_TEST_MODE") == "quick"; }

// Lower-case hex, valid inside object keys.
inline std::string random_id(std::size_t n = 12) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(digits[rng() % 16]);
  return s;
}

// A fresh directory under SY_TEST_TMP (or the system temp dir), removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::filesystem::path base = env_or("SY_TEST_TMP", std::filesystem::temp_directory_path().string());
    path = base / ("sy-storage-" + std::to_string(::getpid()) + "-" + random_id(8));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string binary_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

}  // namespace sy::storage::testing
