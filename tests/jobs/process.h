#pragma once
// Child processes for the tests that run the real binary (lambda, worker).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sy::test {

// Starts argv[0] with the current environment plus `env` (overriding). Returns the pid.
inline pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : all) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), envp.data()) != 0)
    throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

// Waits up to timeout_ms for the child; returns its exit status, or -1 when it is still running.
inline int wait_exit(pid_t pid, int timeout_ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() > until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

inline void stop(pid_t pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  kill(pid, sig);
  if (wait_exit(pid, 10000) == -1) {
    kill(pid, SIGKILL);
    wait_exit(pid, 5000);
  }
}

}  // namespace sy::test
