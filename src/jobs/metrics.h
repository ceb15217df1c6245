#pragma once
// Job-queue metrics in the process registry (core/metrics.h), exposed on /metrics by serve.
#include <cstdint>
#include <string>

#include "db/database.h"

namespace sy::jobs::metrics {

// A finished job: result ready | rejected | superseded | photo_deleted. latency is upload → now.
void job_finished(const std::string& result, double latency_seconds, double processing_seconds, std::int64_t bytes_in,
                  std::int64_t bytes_out);
// A failed attempt: dead = it was dead-lettered, otherwise it will be retried.
void job_failed(bool dead);
// Queue depth (queued, running, dead) is read from this database when /metrics is scraped;
// nullptr stops it. The database must outlive the registration (unwatch before destroying it).
void watch_queue(db::Database* db);
void unwatch_queue(db::Database* db);

}  // namespace sy::jobs::metrics
