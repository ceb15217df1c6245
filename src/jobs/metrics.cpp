#include "jobs/metrics.h"

#include <mutex>
#include <stdexcept>

#include "core/metrics.h"
#include "db/jobs_repo.h"

namespace sy::jobs::metrics {

namespace {

std::mutex g_mu;
db::Database* g_db = nullptr;

std::vector<double> latency_buckets() { return {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600}; }

double depth(JobStatus status) {
  std::lock_guard lk(g_mu);
  if (!g_db) throw std::runtime_error("no database watched");
  std::int64_t n = 0;
  g_db->read([&](db::Tx& t) { n = db::jobs::open_counts(t)[status]; });
  return static_cast<double>(n);
}

}  // namespace

void job_finished(const std::string& result, double latency_seconds, double processing_seconds, std::int64_t bytes_in,
                  std::int64_t bytes_out) {
  auto& r = sy::metrics::registry();
  r.counter("schoolyard_jobs_processed_total", "Jobs finished, by result", {{"result", result}}).inc();
  if (result != "ready") return;
  r.histogram("schoolyard_photo_latency_seconds", "Time from upload to ready", {}, latency_buckets())
      .observe(latency_seconds);
  r.histogram("schoolyard_job_processing_seconds", "Time one worker spent on a successful job", {}, latency_buckets())
      .observe(processing_seconds);
  r.counter("schoolyard_photo_bytes_in_total", "Bytes of originals processed").inc(static_cast<double>(bytes_in));
  r.counter("schoolyard_photo_bytes_out_total", "Bytes of main (jpeg) derivatives written")
      .inc(static_cast<double>(bytes_out));
  if (bytes_in > bytes_out)
    r.counter("schoolyard_photo_bytes_saved_total", "Original bytes minus main derivative bytes")
        .inc(static_cast<double>(bytes_in - bytes_out));
}

void job_failed(bool dead) {
  sy::metrics::registry()
      .counter("schoolyard_job_failures_total", "Failed job attempts (retried or dead-lettered)",
               {{"outcome", dead ? "dead" : "retry"}})
      .inc();
}

void watch_queue(db::Database* db) {
  {
    std::lock_guard lk(g_mu);
    g_db = db;
  }
  // Register every series up front so dashboards see zeros rather than gaps.
  auto& r = sy::metrics::registry();
  for (const char* res : {"ready", "rejected", "superseded", "photo_deleted"})
    r.counter("schoolyard_jobs_processed_total", "Jobs finished, by result", {{"result", res}});
  for (const char* o : {"retry", "dead"})
    r.counter("schoolyard_job_failures_total", "Failed job attempts (retried or dead-lettered)", {{"outcome", o}});
  r.histogram("schoolyard_photo_latency_seconds", "Time from upload to ready", {}, latency_buckets());
  r.histogram("schoolyard_job_processing_seconds", "Time one worker spent on a successful job", {}, latency_buckets());
  r.counter("schoolyard_photo_bytes_saved_total", "Original bytes minus main derivative bytes");
  for (JobStatus s : {JobStatus::queued, JobStatus::running, JobStatus::dead})
    sy::metrics::registry().gauge_fn("schoolyard_job_queue_depth", "Jobs by state (from the database)",
                                     {{"status", to_string(s)}}, [s] { return depth(s); });
}

void unwatch_queue(db::Database* db) {
  std::lock_guard lk(g_mu);
  if (g_db == db) g_db = nullptr;
}

}  // namespace sy::jobs::metrics
