#pragma once
// Everything a service needs, built once per process (serve, worker, lambda, CLI).
#include <memory>

#include "core/config.h"
#include "db/database.h"
#include "jobs/wakeup.h"
#include "storage/object_store.h"

namespace sy::jobs {
class WorkerPool;
}

namespace sy::services {

struct App {
  Config config;
  std::unique_ptr<db::Database> db;       // primary (writes, fresh reads)
  std::unique_ptr<db::Database> replica;  // optional read replica (SCHOOLYARD_DB_READ_URL)
  std::unique_ptr<storage::ObjectStore> store;

  // Reads that tolerate replica lag (listings); falls back to the primary.
  db::Database& reader() { return replica ? *replica : *db; }

  // In-process workers wait here; enqueueing a job notifies (other processes poll).
  jobs::Wakeup wakeup;
  void wake_workers() { wakeup.notify(); }

  // The device-cookie HMAC key, loaded once from the database (services/login_throttle.cpp).
  std::mutex secrets_mu;
  std::string device_cookie_key;

  // Opens the database (and migrates when config.auto_migrate or `migrate` is true) and the store.
  static std::unique_ptr<App> open(const Config& c, bool migrate);
};

// Readiness: the database and the object store both answer.
bool ready(App& app);

// `workers` in-process compression workers on this App's database, store and wakeup (not started;
// 0 workers: queue metrics only, no threads).
std::unique_ptr<jobs::WorkerPool> make_workers(App& app, int workers);

}  // namespace sy::services
