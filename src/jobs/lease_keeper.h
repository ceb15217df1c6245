#pragma once
// Heartbeats: renews the leases of jobs in progress every lease/3 from one background thread,
// so a long compression never loses its job while a crashed worker's job comes back quickly.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "jobs/processor.h"

namespace sy::jobs {

class LeaseKeeper {
 public:
  explicit LeaseKeeper(Processor& p);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  void add(std::int64_t job_id, const std::string& token);
  void remove(std::int64_t job_id);
  // Leases the database no longer recognises (taken over by another worker).
  bool lost(std::int64_t job_id) const;
  // The leases held right now (job id → token).
  std::map<std::int64_t, std::string> active() const;

 private:
  void loop();
  Processor& processor_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::int64_t, std::string> active_;
  std::map<std::int64_t, bool> lost_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sy::jobs
