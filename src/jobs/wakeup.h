#pragma once
// How an upload in this process wakes idle in-process workers at once (workers in other processes
// find new jobs by polling). Owned by whoever owns the workers' process state (services::App).
#include <condition_variable>
#include <mutex>

namespace sy::jobs {

struct Wakeup {
  std::mutex mu;
  std::condition_variable cv;
  void notify() { cv.notify_all(); }
};

}  // namespace sy::jobs
