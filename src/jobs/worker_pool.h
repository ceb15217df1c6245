#pragma once
// In-process compression workers (serve, `schoolyard worker`): N threads that claim jobs from the
// database queue, plus one heartbeat thread keeping their leases alive. Uploads in this process
// wake idle workers at once (a shared Wakeup); jobs from other processes are found by polling.
// The pool takes only what it needs (database, store, wakeup), so jobs sits below services.
//
//   jobs::WorkerPool pool(*app->db, *app->store, app->wakeup, jobs::pool_options(app->config, n));
//   pool.start();  // 0 workers: metrics only, no threads
//   …
//   pool.stop();  // graceful: each worker finishes the job in hand, then the threads end
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "jobs/lease_keeper.h"
#include "jobs/processor.h"
#include "jobs/wakeup.h"

namespace sy::jobs {

struct PoolOptions {
  int workers = 1;
  std::int64_t poll_ms = 1000;  // how often idle workers look for jobs enqueued by other processes
  Options job;                  // lease, attempts, backoff, imaging settings
};

class WorkerPool {
 public:
  WorkerPool(db::Database& db, storage::ObjectStore& store, Wakeup& wakeup, PoolOptions options);
  ~WorkerPool();  // stops
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void start();
  // Asks the workers to stop, waits for the jobs in hand to finish (bounded by the job timeout)
  // and joins the threads. Safe to call twice.
  void stop();
  // For a hurried shutdown (a second SIGTERM): hands the leases of the jobs in progress back to
  // the queue at once, without using up an attempt, so another worker starts them right away.
  // The process is expected to exit next; the abandoned runs record nothing.
  int abandon();

  int workers() const { return options_.workers; }
  // Jobs finished by this pool (any outcome), for tests and logs.
  std::int64_t jobs_run() const { return jobs_run_.load(); }
  Processor& processor() { return processor_; }

 private:
  void loop(int index);
  void idle_wait();

  db::Database& db_;
  Wakeup& wakeup_;
  PoolOptions options_;
  Processor processor_;
  std::unique_ptr<LeaseKeeper> keeper_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> jobs_run_{0};
  bool started_ = false;
};

// Options for `workers` threads from the configuration (lease, attempts, imaging settings).
PoolOptions pool_options(const Config& config, int workers);

// "host:pid" — who holds a lease, for operators reading the jobs table.
std::string worker_identity();

}  // namespace sy::jobs
