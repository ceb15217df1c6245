#include "jobs/worker_pool.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "jobs/metrics.h"

namespace sy::jobs {

std::string worker_identity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host[0] ? host : "unknown") + ":" + std::to_string(getpid());
}

PoolOptions pool_options(const Config& config, int workers) {
  PoolOptions o;
  o.workers = std::max(0, workers);
  o.job = options_from(config);
  return o;
}

WorkerPool::WorkerPool(db::Database& db, storage::ObjectStore& store, Wakeup& wakeup, PoolOptions options)
    : db_(db), wakeup_(wakeup), options_(std::move(options)), processor_(db, store, options_.job, worker_identity()) {
  metrics::watch_queue(&db_);
}

WorkerPool::~WorkerPool() {
  stop();
  metrics::unwatch_queue(&db_);
}

void WorkerPool::start() {
  if (started_ || options_.workers == 0) return;
  started_ = true;
  stopping_ = false;
  imaging::init();
  keeper_ = std::make_unique<LeaseKeeper>(processor_);
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { loop(i); });
  spdlog::info("jobs: {} compression worker(s) started (lease {} s, {} attempts)", options_.workers,
               options_.job.lease_ms / 1000, options_.job.max_attempts);
}

void WorkerPool::stop() {
  if (!started_) return;
  stopping_ = true;
  { std::lock_guard lk(wakeup_.mu); }
  wakeup_.notify();
  for (auto& t : threads_) t.join();
  threads_.clear();
  keeper_.reset();
  started_ = false;
  spdlog::info("jobs: workers stopped");
}

int WorkerPool::abandon() {
  stopping_ = true;
  if (!keeper_) return 0;
  int n = 0;
  for (const auto& [id, token] : keeper_->active()) {
    try {
      processor_.release(id, token);
      ++n;
    } catch (const std::exception& e) {
      spdlog::warn("jobs: could not release job {}: {} (its lease will expire)", id, e.what());
    }
  }
  return n;
}

void WorkerPool::idle_wait() {
  std::unique_lock lk(wakeup_.mu);
  if (stopping_) return;
  wakeup_.cv.wait_for(lk, std::chrono::milliseconds(options_.poll_ms));
}

void WorkerPool::loop(int index) {
  std::int64_t error_delay = 0;
  while (!stopping_) {
    std::optional<db::JobRow> job;
    try {
      job = processor_.claim_next();
      error_delay = 0;
    } catch (const std::exception& e) {
      // Database away (restart, failover): back off and keep trying; leases protect the jobs.
      error_delay = std::min<std::int64_t>(error_delay ? error_delay * 2 : 250, 5000);
      spdlog::warn("jobs: worker {} cannot claim jobs: {} (retrying in {} ms)", index, e.what(), error_delay);
      std::unique_lock lk(wakeup_.mu);
      wakeup_.cv.wait_for(lk, std::chrono::milliseconds(error_delay), [&] { return stopping_.load(); });
      continue;
    }
    if (!job) {
      idle_wait();
      continue;
    }
    keeper_->add(job->id, job->lease_token);
    processor_.run(*job);
    keeper_->remove(job->id);
    ++jobs_run_;
  }
  imaging::release_thread();
}

}  // namespace sy::jobs
