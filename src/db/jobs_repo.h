#pragma once
// The job queue: one row per uploaded object, shaped like the S3 ObjectCreated record that
// announces it (bucket, key, size, eTag, sequencer). Times here are milliseconds since the epoch.
//
// States: queued → running (leased until visible_at_ms) → done | queued again (backoff) | dead.
// A running job whose lease expired is visible again and may be claimed by another worker.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct JobRow {
  std::int64_t id = 0;
  std::string kind = "photo.compress";
  std::optional<std::int64_t> photo_id;
  std::string event_name = "ObjectCreated:Put";
  std::string bucket;
  std::string object_key;
  std::int64_t size = 0;
  std::string etag;
  std::string sequencer;
  JobStatus status = JobStatus::queued;
  int attempts = 0;
  std::int64_t visible_at_ms = 0;
  std::string lease_owner;
  std::string lease_token;
  std::string last_error;
  std::string result;  // when done: ready | rejected | superseded | photo_deleted; when dead: "" or
                       // the dead-letter reason (decoder_crashed | decoder_out_of_memory)
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> finished_at_ms;
};

namespace jobs {

// visible_at_ms of finished jobs: never visible to claims again.
constexpr std::int64_t kNever = 4102444800000;  // 2100-01-01

std::int64_t insert(Tx& t, const JobRow& j);
std::optional<JobRow> by_id(Tx& t, std::int64_t id, bool for_update = false);
std::optional<JobRow> by_object(Tx& t, const std::string& bucket, const std::string& key, bool for_update = false);
std::optional<JobRow> latest_for_photo(Tx& t, std::int64_t photo_id);

// Leases the next visible job (queued past its backoff, or running with an expired lease) to
// `token`: MySQL SELECT … FOR UPDATE SKIP LOCKED, SQLite one conditional UPDATE. attempts += 1.
std::optional<JobRow> claim_next(Tx& t, const std::string& owner, const std::string& token, std::int64_t now_ms,
                                 std::int64_t lease_until_ms);
// Leases one given job when it is visible (the Lambda path). false when someone else holds it or
// it is finished.
bool claim(Tx& t, std::int64_t id, const std::string& owner, const std::string& token, std::int64_t now_ms,
           std::int64_t lease_until_ms);
// Extends a lease still held by `token`; false when it was lost.
bool heartbeat(Tx& t, std::int64_t id, const std::string& token, std::int64_t lease_until_ms, std::int64_t now_ms);
// Gives a lease back without counting the attempt (graceful shutdown).
bool release(Tx& t, std::int64_t id, const std::string& token, std::int64_t now_ms);
// Results are recorded only by the current lease holder: a worker whose lease expired and was
// taken over (or voided by a newer version) finds these return false and drops its work.
// running (held by token) → done with a result.
bool complete(Tx& t, std::int64_t id, const std::string& token, const std::string& result, std::int64_t now_ms);
// running (held by token) → queued, visible again at visible_at_ms.
bool reschedule(Tx& t, std::int64_t id, const std::string& token, const std::string& error, std::int64_t visible_at_ms,
                std::int64_t now_ms);
// running (held by token) → dead with its error (a dead letter); `reason`, when given, goes to
// `result` (e.g. decoder_crashed) so dead letters can be told apart without parsing the error.
bool bury(Tx& t, std::int64_t id, const std::string& token, const std::string& error, std::int64_t now_ms,
          const std::string& reason = "");
// dead → queued with a fresh attempt count (the admin's retry).
bool retry(Tx& t, std::int64_t id, std::int64_t now_ms);
// A newer version of the object was announced: record its event and queue it again.
void requeue_version(Tx& t, std::int64_t id, const std::string& event_name, std::int64_t size, const std::string& etag,
                     const std::string& sequencer, std::int64_t now_ms);

// Newest first; no status = all.
std::vector<JobRow> list(Tx& t, std::optional<JobStatus> status, int limit, int offset);
// Rows per status for queued, running and dead (done is not counted: it only grows).
std::map<JobStatus, std::int64_t> open_counts(Tx& t);

}  // namespace jobs

}  // namespace sy::db
