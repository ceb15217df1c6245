#include "services/app.h"

#include <spdlog/spdlog.h>

#include "db/migrations.h"
#include "jobs/worker_pool.h"
#include "services/results.h"
#include "services/yearbook_export.h"

namespace sy::services {

std::unique_ptr<App> App::open(const Config& c, bool migrate) {
  auto app = std::make_unique<App>();
  app->config = c;
  try {
    app->db = db::Database::open(c.db_url, static_cast<std::size_t>(c.db_pool_size));
    if (!c.db_read_url.empty())
      app->replica = db::Database::open(c.db_read_url, static_cast<std::size_t>(c.db_pool_size));
    if (app->replica) app->replica->set_fallback(app->db.get());
  } catch (const std::exception& e) {
    throw ConfigError(std::string("SCHOOLYARD_DB_URL: cannot open the database: ") + e.what());
  }
  if (migrate) {
    int n = db::migrate(*app->db);
    if (n) spdlog::info("migrations applied: {}", n);
  }
  try {
    app->store = storage::open_store(c.storage_url);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("SCHOOLYARD_STORAGE_URL: ") + e.what());
  }
  return app;
}

bool ready(App& app) { return app.db->ping(/*writable=*/true) && app.store->ping(); }

std::unique_ptr<jobs::WorkerPool> make_workers(App& app, int workers) {
  auto pool =
      std::make_unique<jobs::WorkerPool>(*app.db, *app.store, app.wakeup, jobs::pool_options(app.config, workers));
  // Job kinds whose work needs the services (jobs sits below them).
  pool->processor().handle_kind(kYearbookPdfJob,
                                [&app](const db::JobRow& job) { return run_yearbook_pdf_job(app, job); });
  pool->processor().handle_kind(kResultsBuildJob,
                                [&app](const db::JobRow& job) { return run_results_build_job(app, job); });
  return pool;
}

}  // namespace sy::services
