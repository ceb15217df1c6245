#include "jobs/admin.h"

#include <algorithm>

#include "core/error.h"
#include "db/photos_repo.h"
#include "jobs/processor.h"

namespace sy::jobs {

std::vector<db::JobRow> list_jobs(db::Tx& t, const std::string& status, int limit) {
  std::optional<JobStatus> filter;
  if (!status.empty()) {
    filter = parse_job_status(status);
    if (!filter) bad_request("status must be queued, running, done or dead");
  }
  return db::jobs::list(t, filter, std::clamp(limit, 1, 1000), 0);
}

db::JobRow retry_job(db::Tx& t, std::int64_t id) {
  auto j = db::jobs::by_id(t, id, true);
  if (!j) not_found("no such job");
  std::int64_t now = now_ms();
  if (!db::jobs::retry(t, id, now))
    conflict("only dead-lettered jobs can be retried (this one is " + to_string(j->status) + ")");
  if (j->photo_id) db::photos::mark_processing(t, *j->photo_id, false, now / 1000);
  return *db::jobs::by_id(t, id);
}

}  // namespace sy::jobs
