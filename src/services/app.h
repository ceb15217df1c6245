#pragma once
// Everything a service needs, built once per process (serve, worker, lambda, CLI).
#include <condition_variable>
#include <memory>
#include <mutex>

#include "core/config.h"
#include "db/database.h"
#include "storage/object_store.h"

namespace sy::services {

struct App {
  Config config;
  std::unique_ptr<db::Database> db;       // primary (writes, fresh reads)
  std::unique_ptr<db::Database> replica;  // optional read replica (SCHOOLYARD_DB_READ_URL)
  std::unique_ptr<storage::ObjectStore> store;

  // Reads that tolerate replica lag (listings); falls back to the primary.
  db::Database& reader() { return replica ? *replica : *db; }

  // In-process workers wait here; enqueueing a job notifies (other processes poll).
  std::mutex wake_mu;
  std::condition_variable wake_cv;
  void wake_workers() { wake_cv.notify_all(); }

  // The device-cookie HMAC key, loaded once from the database (services/login_throttle.cpp).
  std::mutex secrets_mu;
  std::string device_cookie_key;

  // Opens the database (and migrates when config.auto_migrate or `migrate` is true) and the store.
  static std::unique_ptr<App> open(const Config& c, bool migrate);
};

}  // namespace sy::services
