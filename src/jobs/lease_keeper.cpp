#include "jobs/lease_keeper.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace sy::jobs {

LeaseKeeper::LeaseKeeper(Processor& p) : processor_(p), thread_([this] { loop(); }) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LeaseKeeper::add(std::int64_t job_id, const std::string& token) {
  std::lock_guard lk(mu_);
  active_[job_id] = token;
  lost_.erase(job_id);
}

void LeaseKeeper::remove(std::int64_t job_id) {
  std::lock_guard lk(mu_);
  active_.erase(job_id);
  lost_.erase(job_id);
}

bool LeaseKeeper::lost(std::int64_t job_id) const {
  std::lock_guard lk(mu_);
  auto it = lost_.find(job_id);
  return it != lost_.end() && it->second;
}

std::map<std::int64_t, std::string> LeaseKeeper::active() const {
  std::lock_guard lk(mu_);
  return active_;
}

void LeaseKeeper::loop() {
  auto period = std::chrono::milliseconds(std::max<std::int64_t>(200, processor_.options().lease_ms / 3));
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, period, [&] { return stop_; });
    if (stop_) break;
    std::vector<std::pair<std::int64_t, std::string>> todo(active_.begin(), active_.end());
    lk.unlock();
    for (auto& [id, token] : todo) {
      bool ok = true;
      try {
        ok = processor_.heartbeat(id, token);
      } catch (const std::exception& e) {
        // The database may be briefly away; the lease is long enough to try again next round.
        spdlog::warn("jobs: heartbeat for job {} failed: {}", id, e.what());
        continue;
      }
      if (!ok) {
        spdlog::info("jobs: lease on job {} is no longer ours (just finished, or taken over after it expired)", id);
        std::lock_guard g(mu_);
        if (active_.count(id)) lost_[id] = true;
      }
    }
    lk.lock();
  }
}

}  // namespace sy::jobs
