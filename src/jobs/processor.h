#pragma once
// The one idempotent processing function shared by in-process workers, `schoolyard worker` and
// `schoolyard lambda`: claim a job (lease), compress the original, write compressed/<photo_id>/…,
// record the result — only while still holding the lease — or schedule a retry / dead-letter it.
//
// Idempotence: derivative keys are deterministic and compression is byte-deterministic, so a job
// run twice (lease expired, duplicate event) writes the same objects; the database result is
// recorded once, by the lease holder.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/config.h"
#include "db/database.h"
#include "db/jobs_repo.h"
#include "imaging/compressor.h"
#include "jobs/event.h"
#include "jobs/mail.h"
#include "jobs/sandbox.h"
#include "storage/object_store.h"

namespace sy::jobs {

struct Options {
  std::int64_t lease_ms = 120000;
  int max_attempts = 5;
  std::int64_t backoff_base_ms = 1000;  // 1 s, 2 s, 4 s … with ±20 % jitter
  std::int64_t backoff_max_ms = 300000;
  imaging::Settings imaging;
  sandbox::Limits sandbox;  // decode in a sandboxed child (enabled by default)
  // mail.send jobs: an SMTP server that is down for a while is normal, so they back off longer
  // (30 s, 1 min, 2 min … capped at 1 h) and try more often before they are dead-lettered.
  MailSettings mail;
  int mail_max_attempts = 10;
  std::int64_t mail_backoff_base_ms = 30000;
  std::int64_t mail_backoff_max_ms = 3600000;
};
Options options_from(const Config& c);
imaging::Settings imaging_settings(const Config& c);

// Job kinds (jobs.kind): workers dispatch on it; an unknown kind is dead-lettered untouched.
inline constexpr const char* kKindPhoto = "photo.compress";
inline constexpr const char* kKindMail = "mail.send";

std::int64_t now_ms();
std::int64_t backoff_ms(const Options& o, int attempts);  // delay before attempt attempts+1

// What happened to one job run.
enum class Outcome {
  ready,          // derivatives written, photo ready
  rejected,       // the image is invalid: photo failed (invalid_image), job done
  superseded,     // a newer upload replaced this photo before it was processed
  photo_deleted,  // the photo row is gone
  retry,          // failed; queued again after a backoff
  dead,           // failed for the last time; dead-lettered
  lost_lease,     // another worker took the job over; nothing recorded
  sent,           // mail.send: the SMTP server accepted the message
};
const char* outcome_name(Outcome o);

// Upload outbox: the job row announcing a new original (call inside the upload transaction).
std::int64_t enqueue_upload(db::Tx& t, std::int64_t photo_id, const std::string& bucket,
                            const storage::ObjectInfo& original, std::int64_t now_ms);

// A job kind other than photo compression (e.g. "yearbook.pdf"), run by the layer that knows it
// (services registers its handlers when it builds the pool; jobs sits below services). Returns
// the result recorded on the job ("ready"); throws for a failure, which is retried with backoff
// and dead-lettered after max_attempts like any job.
using KindHandler = std::function<std::string(const db::JobRow& job)>;
// Mail outbox: the mail.send job delivering outbox row `outbox_id` (call inside the transaction
// that wrote the row). Its object_key is "mail/<outbox_id>", its bucket empty (never an S3 key).
std::int64_t enqueue_mail(db::Tx& t, std::int64_t outbox_id, std::int64_t now_ms);

class Processor {
 public:
  Processor(db::Database& db, storage::ObjectStore& store, Options options, std::string owner);

  // Register before the workers start; jobs of a kind nobody handles fail (and are retried).
  void handle_kind(const std::string& kind, KindHandler handler) { handlers_[kind] = std::move(handler); }

  // Leases the next visible job; dead-letters jobs whose leases expired too often on the way.
  std::optional<db::JobRow> claim_next();
  // Runs a job this processor has leased (job.lease_token). Never throws for job failures.
  Outcome run(const db::JobRow& job);
  // Extends the lease; false when it was lost.
  bool heartbeat(std::int64_t job_id, const std::string& token);
  // Gives the lease back without using up an attempt.
  void release(std::int64_t job_id, const std::string& token);

  // Handles one S3 event record (the Lambda path). Returns a short description of what was done
  // ("ready", "duplicate", "skipped: …"); throws std::runtime_error when the event must be
  // delivered again (photo row not yet visible, job busy elsewhere, processing failed).
  std::string handle_event(const ObjectEvent& e, std::int64_t deadline_ms);

  // Deletes the objects of the student's older uploads once the current one is ready.
  void purge_superseded(std::int64_t student_id);

  const Options& options() const { return options_; }

 private:
  Outcome process(const db::JobRow& job, std::string& timings);
  Outcome process_other(const db::JobRow& job);
  Outcome send_mail(const db::JobRow& job);  // jobs/mail_job.cpp
  Outcome mail_failed(const db::JobRow& job, const std::string& error, bool permanent, const char* reason);
  Outcome fail(const db::JobRow& job, const std::string& error);
  // The decoder crashed or ran out of memory on this file: retrying would crash again.
  Outcome dead_letter(const db::JobRow& job, std::int64_t photo_id, const imaging::Result& r);
  void delete_objects(const std::string& original_key, std::int64_t photo_id);

  db::Database& db_;
  storage::ObjectStore& store_;
  Options options_;
  std::string owner_;
  std::map<std::string, KindHandler> handlers_;
};

}  // namespace sy::jobs
