#pragma once
// Operator actions on the queue, shared by the admin API and `schoolyard jobs`.
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/jobs_repo.h"

namespace sy::jobs {

// status: "" (all) | queued | running | done | dead. Newest first. AppError 400 for another status.
std::vector<db::JobRow> list_jobs(db::Tx& t, const std::string& status, int limit);
// A dead-lettered job goes back to the queue with a fresh attempt count and its photo back to
// processing. AppError 404 when there is no such job, 409 when it is not dead.
db::JobRow retry_job(db::Tx& t, std::int64_t id);

}  // namespace sy::jobs
