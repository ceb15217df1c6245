// `schoolyard worker`: compression workers only, for scale-out on any number of machines. They
// share nothing but the database queue and the object store.
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "jobs/worker_pool.h"

namespace sy::cli {

void add_worker(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("worker", "Run compression workers only (no web server)");
  auto workers = std::make_shared<int>(0);
  cmd->add_option("--workers", *workers, "worker threads (default SCHOOLYARD_WORKERS, at least 1)")
      ->check(CLI::Range(1, 256));
  cmd->callback([&common, &action, workers] {
    action = [&common, workers] {
      Config cfg = load_config(common);
      int n = *workers ? *workers : std::max(1, cfg.workers);
      // Signals are taken by sigwait below, never by a worker thread (they inherit this mask).
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);

      auto app = open_app(cfg, cfg.auto_migrate);
      auto pool = services::make_workers(*app, n);
      pool->start();
      spdlog::info("worker: {} thread(s) on {} — SIGTERM finishes the jobs in hand, a second one hands them back", n,
                   app->db->url_for_logs());

      int sig = 0;
      sigwait(&set, &sig);
      spdlog::info("worker: signal {}: finishing the jobs in hand", sig);
      std::atomic<bool> stopped{false};
      std::thread stopper([&] {
        pool->stop();
        stopped = true;
      });
      // Past SCHOOLYARD_DRAIN_SECONDS the jobs in hand go back to the queue, as on a second signal.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cfg.drain_seconds);
      while (!stopped) {
        timespec wait{0, 200 * 1000 * 1000};
        bool again = sigtimedwait(&set, nullptr, &wait) > 0;
        if (again || std::chrono::steady_clock::now() >= deadline) {
          int n_released = pool->abandon();
          spdlog::warn("worker: {}: released {} job(s) back to the queue", again ? "second signal" : "drain deadline",
                       n_released);
          std::fflush(nullptr);
          std::_Exit(1);
        }
      }
      stopper.join();
      return 0;
    };
  });
}

}  // namespace sy::cli
