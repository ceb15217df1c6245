#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "core/clock.h"
#include "core/random.h"
#include "db/accounts_repo.h"
#include "http/server.h"
#include "jobs/metrics.h"
#include "jobs/worker_pool.h"
#include "services/auth.h"
#include "services/backup.h"
#include "services/users.h"
#include "web/app_router.h"

namespace sy::cli {

namespace {

// Drops expired sessions and old login failures now and then (any instance may do it).
class Housekeeping {
 public:
  explicit Housekeeping(services::App& app) : app_(app), thread_([this] { loop(); }) {}
  ~Housekeeping() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lk(mu_);
    while (!stop_) {
      lk.unlock();
      try {
        auto now = now_unix();
        app_.db->tx(
            [&](db::Tx& t) {
              db::sessions::purge(t, now - services::kSessionIdleSeconds, now);
              db::auth_failures::purge(t, now - 24 * 3600);
            },
            db::Idempotent::yes);
      } catch (const std::exception& e) {
        spdlog::warn("housekeeping: {}", e.what());
      }
      lk.lock();
      cv_.wait_for(lk, std::chrono::minutes(10), [this] { return stop_; });
    }
  }
  services::App& app_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// SCHOOLYARD_BACKUP_EVERY: every instance checks once a minute; the database lease lets one of
// them take the period's backup (and prune to SCHOOLYARD_BACKUP_KEEP).
class BackupScheduler {
 public:
  explicit BackupScheduler(services::App& app) : app_(app), holder_(make_holder()), thread_([this] { loop(); }) {}
  ~BackupScheduler() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  static std::string make_holder() {
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    return std::string(host).substr(0, 64) + ":" + std::to_string(getpid()) + ":" + random_token(6);
  }
  void loop() {
    std::unique_lock lk(mu_);
    while (!stop_) {
      lk.unlock();
      try {
        auto id = services::run_scheduled_backup(app_, holder_);
        if (!id.empty()) spdlog::info("scheduled backup {} done", id);
      } catch (const std::exception& e) {
        spdlog::warn("scheduled backup: {}", e.what());
      }
      lk.lock();
      cv_.wait_for(lk, std::chrono::seconds(std::min<std::int64_t>(60, app_.config.backup_every_seconds)),
                   [this] { return stop_; });
    }
  }
  services::App& app_;
  std::string holder_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

void add_serve(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("serve", "Run the web app and API (and in-process compression workers)");
  auto host = std::make_shared<std::string>();
  auto port = std::make_shared<int>(0);
  cmd->add_option("--host", *host, "listen address (default SCHOOLYARD_HOST or 127.0.0.1)");
  cmd->add_option("--port", *port, "listen port (default SCHOOLYARD_PORT or 8080)")->check(CLI::Range(1, 65535));
  cmd->callback([&common, &action, host, port] {
    action = [&common, host, port] {
      Config cfg = load_config(common);
      if (!host->empty()) cfg.host = *host;
      if (*port) cfg.port = *port;
      auto app = open_app(cfg, cfg.auto_migrate);

      if (auto created = services::bootstrap_admin(*app)) {
        // The only time this password exists in clear: on the operator's terminal.
        std::cout << "\nFirst start: created the administrator account.\n"
                  << "  username: " << created->user.username << "\n"
                  << "  password: " << created->generated_password << "\n"
                  << "Keep it safe; it is not shown again. Change it after logging in.\n\n"
                  << std::flush;
      }

      http::Router router;
      web::build_router(router, *app);

      http::ServerOptions opts;
      opts.host = cfg.host;
      opts.port = cfg.port;
      opts.threads = cfg.http_threads;
      // Bodies stay small (ServerOptions::max_body_bytes) except on the upload routes, which
      // register the upload limit with the router (Router::limit_body).
      opts.trusted_proxies = cfg.trusted_proxies;
      opts.header_timeout = std::chrono::seconds(cfg.http_header_timeout_seconds);
      opts.body_timeout = std::chrono::seconds(cfg.http_body_timeout_seconds);
      opts.min_body_rate = static_cast<std::uint64_t>(cfg.http_min_body_rate_kb) * 1024;
      opts.max_connections_per_address = static_cast<std::size_t>(cfg.http_max_connections_per_ip);
      opts.streams.max_total = static_cast<std::size_t>(cfg.sse_max_streams);
      opts.streams.max_per_user = static_cast<std::size_t>(cfg.sse_max_streams_per_user);
      opts.streams.heartbeat = std::chrono::seconds(cfg.sse_heartbeat_seconds);
      opts.shutdown_deadline = std::chrono::seconds(cfg.drain_seconds);
      http::Server server(router, opts);
      jobs::metrics::watch_queue(app->db.get());
      std::unique_ptr<jobs::WorkerPool> workers;
      if (cfg.workers > 0) {
        workers = services::make_workers(*app, cfg.workers);
        workers->start();
      }
      server.start();
      Housekeeping housekeeping(*app);
      std::unique_ptr<BackupScheduler> backups;
      if (cfg.backup_every_seconds > 0) backups = std::make_unique<BackupScheduler>(*app);
      spdlog::info("serving on http://{}:{} (database {}, storage {}, {} compression workers)", cfg.host, server.port(),
                   app->db->url_for_logs(), cfg.storage_url.substr(0, cfg.storage_url.find('?')), cfg.workers);
      server.run_until_signal();
      if (workers) workers->stop();  // finish the jobs in hand (bounded by the job timeout)
      jobs::metrics::unwatch_queue(app->db.get());
      spdlog::info("stopped");
      return 0;
    };
  });
}

}  // namespace sy::cli
