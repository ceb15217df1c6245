#include "jobs/processor.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "core/log.h"
#include "core/random.h"
#include "db/photos_repo.h"
#include "jobs/lease_keeper.h"
#include "jobs/metrics.h"

namespace sy::jobs {

namespace {

std::int64_t secs(std::int64_t ms) { return ms / 1000; }

std::string ext_for(const std::string& content_type) {
  if (content_type == "image/jpeg") return "jpg";
  if (content_type == "image/webp") return "webp";
  if (content_type == "image/avif") return "avif";
  if (content_type == "image/png") return "png";
  return "bin";
}

bool stored_variant(const std::string& name) { return name == "jpeg" || name == "webp" || name == "thumb"; }

// Errors land in VARCHAR(1000) columns; cut at a UTF-8 boundary.
std::string clip(const std::string& s, std::size_t max = 900) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::string new_token() { return random_token(18); }

// Inside a claim transaction: a job leased more often than allowed has crashed its workers (or
// outlived its lease) every time — stop trying and keep it for an administrator.
bool bury_if_exhausted(db::Tx& t, const db::JobRow& job, const Options& o, std::int64_t now) {
  int limit = job.kind == kKindMail ? o.mail_max_attempts : o.max_attempts;
  if (job.attempts <= limit) return false;
  std::string err = "gave up after " + std::to_string(limit) +
                    " attempts: the lease expired without a result (worker crashed or the job outlived its lease)";
  if (!job.last_error.empty()) err += "; last error: " + job.last_error;
  db::jobs::bury(t, job.id, job.lease_token, clip(err), now);
  if (job.photo_id)
    db::photos::mark_failed(t, *job.photo_id, "processing_failed", "processing failed; an administrator can retry it",
                            secs(now));
  return true;
}

}  // namespace

imaging::Settings imaging_settings(const Config& c) {
  imaging::Settings s;
  s.max_edge = c.jpeg_max_edge;
  s.quality = c.jpeg_quality;
  s.webp_quality = c.webp_quality;
  s.thumb_edge = c.thumb_max_edge;
  s.max_pixels = c.max_pixels;
  s.timeout_ms = c.job_timeout_seconds * 1000;
  return s;
}

Options options_from(const Config& c) {
  Options o;
  o.lease_ms = static_cast<std::int64_t>(c.job_lease_seconds) * 1000;
  o.max_attempts = c.job_max_attempts;
  o.imaging = imaging_settings(c);
  o.sandbox = sandbox::limits_from(c);
  o.mail.smtp_url = c.smtp_url;
  o.mail.from = c.mail_from;
  o.mail.ca_file = c.smtp_ca_file;
  return o;
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t backoff_ms(const Options& o, int attempts) {
  std::int64_t d = o.backoff_base_ms;
  for (int i = 1; i < attempts && d < o.backoff_max_ms; ++i) d *= 2;
  d = std::min(d, o.backoff_max_ms);
  // Jitter spreads retries of jobs that failed together (a storage outage) over time.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return static_cast<std::int64_t>(static_cast<double>(d) * jitter(rng));
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::ready:
      return "ready";
    case Outcome::rejected:
      return "rejected";
    case Outcome::superseded:
      return "superseded";
    case Outcome::photo_deleted:
      return "photo_deleted";
    case Outcome::retry:
      return "retry";
    case Outcome::dead:
      return "dead";
    case Outcome::lost_lease:
      return "lost_lease";
    case Outcome::sent:
      return "sent";
  }
  return "unknown";
}

std::int64_t enqueue_upload(db::Tx& t, std::int64_t photo_id, const std::string& bucket,
                            const storage::ObjectInfo& original, std::int64_t now) {
  db::JobRow j;
  j.photo_id = photo_id;
  j.event_name = "ObjectCreated:Put";
  j.bucket = bucket;
  j.object_key = original.key;
  j.size = original.size;
  j.etag = normalize_etag(original.etag);
  j.sequencer = new_sequencer();
  j.status = JobStatus::queued;
  j.visible_at_ms = now;
  j.created_at_ms = j.updated_at_ms = now;
  return db::jobs::insert(t, j);
}

Processor::Processor(db::Database& db, storage::ObjectStore& store, Options options, std::string owner)
    : db_(db), store_(store), options_(std::move(options)), owner_(std::move(owner)) {}

std::optional<db::JobRow> Processor::claim_next() {
  for (int round = 0; round < 50; ++round) {
    std::optional<db::JobRow> job;
    bool buried = false;
    std::string token = new_token();
    std::int64_t now = now_ms();
    db_.tx([&](db::Tx& t) {
      buried = false;
      job = db::jobs::claim_next(t, owner_, token, now, now + options_.lease_ms);
      if (job) buried = bury_if_exhausted(t, *job, options_, now);
    });
    if (!job) return std::nullopt;
    if (!buried) return job;
    metrics::job_failed(true);
    spdlog::error("jobs: job {} ({}) dead-lettered: its lease expired {} times", job->id, job->object_key,
                  job->attempts - 1);
  }
  return std::nullopt;
}

bool Processor::heartbeat(std::int64_t job_id, const std::string& token) {
  bool ok = false;
  std::int64_t now = now_ms();
  db_.tx([&](db::Tx& t) { ok = db::jobs::heartbeat(t, job_id, token, now + options_.lease_ms, now); });
  return ok;
}

void Processor::release(std::int64_t job_id, const std::string& token) {
  std::int64_t now = now_ms();
  db_.tx([&](db::Tx& t) { db::jobs::release(t, job_id, token, now); });
}

Outcome Processor::run(const db::JobRow& job) {
  std::int64_t started = now_ms();
  Outcome o;
  std::string timings;
  if (job.kind == kKindMail || (job.kind != kKindPhoto && !handlers_.count(job.kind))) {
    try {
      o = job.kind == kKindMail ? send_mail(job)
                                : mail_failed(job, "unknown job kind '" + job.kind + "'", true, "unknown_kind");
    } catch (const std::exception& e) {
      o = mail_failed(job, e.what(), false, "");
    }
    spdlog::info("jobs: job {} ({}) attempt {} → {} in {} ms", job.id, job.kind, job.attempts, outcome_name(o),
                 now_ms() - started);
    return o;
  }
  try {
    o = job.kind == kKindPhoto ? process(job, timings) : process_other(job);
  } catch (const std::exception& e) {
    o = fail(job, e.what());
  } catch (...) {
    o = fail(job, "unknown error");
  }
  spdlog::info("jobs: job {} photo {} attempt {} → {} in {} ms{}", job.id, job.photo_id.value_or(0), job.attempts,
               outcome_name(o), now_ms() - started, timings);
  return o;
}

Outcome Processor::process_other(const db::JobRow& job) {
  auto h = handlers_.find(job.kind);
  if (h == handlers_.end()) throw std::runtime_error("no handler for job kind " + job.kind);
  const std::string result = h->second(job);
  bool recorded = false;
  db_.tx([&](db::Tx& t) { recorded = db::jobs::complete(t, job.id, job.lease_token, result, now_ms()); });
  return recorded ? Outcome::ready : Outcome::lost_lease;
}

Outcome Processor::process(const db::JobRow& job, std::string& timings) {
  std::int64_t started = now_ms();
  std::optional<db::PhotoRow> photo;
  db_.read([&](db::Tx& t) {
    photo = job.photo_id ? db::photos::by_id(t, *job.photo_id) : db::photos::by_original_key(t, job.object_key);
  });

  if (!photo || !photo->is_current) {
    // Nothing to compress: the photo was erased or replaced by a newer upload before we got here.
    bool recorded = false;
    std::int64_t now = now_ms();
    db_.tx([&](db::Tx& t) {
      recorded = db::jobs::complete(t, job.id, job.lease_token, photo ? "superseded" : "photo_deleted", now);
      if (recorded && photo)
        db::photos::mark_failed(t, photo->id, "superseded", "replaced by a newer upload", secs(now));
    });
    if (!recorded) return Outcome::lost_lease;
    metrics::job_finished(photo ? "superseded" : "photo_deleted", 0, 0, 0, 0);
    if (photo) purge_superseded(photo->student_id);
    return photo ? Outcome::superseded : Outcome::photo_deleted;
  }

  std::int64_t t_get = now_ms();
  auto original = store_.get(photo->original_key);
  if (!original) throw std::runtime_error("original " + photo->original_key + " is missing from storage");
  std::int64_t t_compress = now_ms();
  imaging::Result r = options_.sandbox.enabled ? sandbox::compress(*original, options_.imaging, options_.sandbox)
                                               : imaging::compress(*original, options_.imaging);
  std::int64_t t_put = now_ms();
  if (sandbox::is_decoder_failure(r.reason)) return dead_letter(job, photo->id, r);

  if (!r.ok && r.reason != "internal") {
    bool recorded = false;
    std::int64_t now = now_ms();
    std::string detail = r.reason + (r.detail.empty() ? "" : ": " + r.detail);
    db_.tx([&](db::Tx& t) {
      recorded = db::jobs::complete(t, job.id, job.lease_token, "rejected", now);
      if (recorded) db::photos::mark_failed(t, photo->id, "invalid_image", clip(detail), secs(now));
    });
    if (!recorded) return Outcome::lost_lease;
    metrics::job_finished("rejected", 0, 0, 0, 0);
    return Outcome::rejected;
  }
  if (!r.ok) throw std::runtime_error("compression failed: " + r.detail);

  std::vector<db::PhotoVariantRow> rows;
  std::int64_t main_size = 0;
  for (const auto& d : r.derivatives) {
    if (!stored_variant(d.name)) continue;
    db::PhotoVariantRow v;
    v.photo_id = photo->id;
    v.variant = d.name;
    v.object_key = "compressed/" + std::to_string(photo->id) + "/" + d.name + "." + ext_for(d.content_type);
    v.sha256 = sha256_hex(d.bytes);
    v.size = static_cast<std::int64_t>(d.bytes.size());
    v.width = d.width;
    v.height = d.height;
    v.content_type = d.content_type;
    store_.put(v.object_key, d.bytes, d.content_type);
    if (d.name == "jpeg") main_size = v.size;
    rows.push_back(std::move(v));
  }
  if (main_size == 0) throw std::runtime_error("the compressor produced no jpeg derivative");
  std::int64_t t_record = now_ms();

  std::string sha = sha256_hex(*original);
  std::int64_t size = static_cast<std::int64_t>(original->size());
  bool recorded = false, erased = false;
  std::string result;
  std::int64_t now = now_ms();
  db_.tx([&](db::Tx& t) {
    auto p = db::photos::by_id(t, photo->id);
    erased = !p;
    result = !p ? "photo_deleted" : (p->is_current ? "ready" : "superseded");
    recorded = db::jobs::complete(t, job.id, job.lease_token, result, now);
    if (!recorded || !p) return;
    if (result == "superseded") {
      db::photos::mark_failed(t, p->id, "superseded", "replaced by a newer upload", secs(now));
      return;
    }
    // The original may have been overwritten out of band (a newer S3 event requeued the job).
    if (p->original_sha256 != sha || p->original_size != size) db::photos::set_original(t, p->id, sha, size, secs(now));
    db::photos::mark_ready(t, p->id, r.source_type, main_size, secs(now));
    db::photos::replace_variants(t, p->id, rows);
  });
  // Erased while we compressed (services/erasure.h deletes the row and its job): what we just
  // wrote must not outlive it.
  if (erased) delete_objects(photo->original_key, photo->id);
  if (!recorded) return Outcome::lost_lease;
  timings = " (read " + std::to_string(t_compress - t_get) + ", compress " + std::to_string(t_put - t_compress) +
            ", write " + std::to_string(t_record - t_put) + ", record " + std::to_string(now_ms() - t_record) + ")";
  metrics::job_finished(result, static_cast<double>(now - job.created_at_ms) / 1000.0,
                        static_cast<double>(now - started) / 1000.0, size, main_size);
  purge_superseded(photo->student_id);
  if (result == "ready") return Outcome::ready;
  return result == "superseded" ? Outcome::superseded : Outcome::photo_deleted;
}

Outcome Processor::fail(const db::JobRow& job, const std::string& error) {
  bool dead = false, recorded = false;
  std::int64_t now = now_ms();
  std::string err = clip(error);
  try {
    db_.tx([&](db::Tx& t) {
      dead = recorded = false;
      if (job.attempts >= options_.max_attempts) {
        recorded = dead = db::jobs::bury(t, job.id, job.lease_token, err, now);
        if (dead && job.photo_id)
          db::photos::mark_failed(t, *job.photo_id, "processing_failed",
                                  "processing failed; an administrator can retry it", secs(now));
      } else {
        recorded = db::jobs::reschedule(t, job.id, job.lease_token, err, now + backoff_ms(options_, job.attempts), now);
      }
    });
  } catch (const std::exception& e) {
    // The lease runs out and another worker picks the job up again.
    spdlog::error("jobs: could not record the failure of job {}: {} (original error: {})", job.id, e.what(),
                  log_safe(err));
    return Outcome::retry;
  }
  if (!recorded) return Outcome::lost_lease;
  metrics::job_failed(dead);
  if (dead)
    spdlog::error("jobs: job {} ({}) dead-lettered after {} attempts: {}", job.id, job.object_key, job.attempts,
                  log_safe(err));
  else
    spdlog::warn("jobs: job {} attempt {} failed, will retry: {}", job.id, job.attempts, log_safe(err));
  return dead ? Outcome::dead : Outcome::retry;
}

Outcome Processor::dead_letter(const db::JobRow& job, std::int64_t photo_id, const imaging::Result& r) {
  bool recorded = false;
  std::int64_t now = now_ms();
  // What the student reads (photo.error); the signal and such stay in the job's last_error.
  std::string message = r.reason == sandbox::kOutOfMemory
                            ? "this photo needs more memory to open than the server allows."
                            : "this photo could not be opened safely (the file may be damaged).";
  db_.tx([&](db::Tx& t) {
    recorded = db::jobs::bury(t, job.id, job.lease_token, clip(r.reason + ": " + r.detail), now, r.reason);
    if (recorded) db::photos::mark_failed(t, photo_id, r.reason, message, secs(now));
  });
  if (!recorded) return Outcome::lost_lease;
  metrics::job_failed(true);
  spdlog::error("jobs: job {} ({}) dead-lettered after one attempt: {}: {}", job.id, job.object_key, r.reason,
                log_safe(r.detail));
  return Outcome::dead;
}

void Processor::delete_objects(const std::string& original_key, std::int64_t photo_id) {
  for (const auto& o : store_.list("compressed/" + std::to_string(photo_id) + "/")) store_.remove(o.key);
  store_.remove(original_key);
}

void Processor::purge_superseded(std::int64_t student_id) {
  std::vector<db::PhotoRow> old;
  try {
    db_.read([&](db::Tx& t) {
      old.clear();
      auto cur = db::photos::current_photo(t, student_id);
      if (cur && cur->status == PhotoStatus::ready) old = db::photos::purgeable(t, student_id);
    });
    for (const auto& p : old) {
      delete_objects(p.original_key, p.id);
      db_.tx([&](db::Tx& t) { db::photos::mark_purged(t, p.id, secs(now_ms())); });
    }
  } catch (const std::exception& e) {
    // Best effort: the next ready photo of this student tries again.
    spdlog::warn("jobs: could not delete superseded photos of student {}: {}", student_id, e.what());
  }
}

std::string Processor::handle_event(const ObjectEvent& e, std::int64_t deadline_ms) {
  if (!e.source.empty() && e.source != "aws:s3") return "skipped: not an S3 event";
  if (e.event_name.rfind("ObjectCreated:", 0) != 0) return "skipped: " + e.event_name + " is not ObjectCreated";
  if (e.key.rfind("uploads/", 0) != 0) return "skipped: not under uploads/";
  if (!storage::valid_key(e.key)) return "skipped: not a key this application writes";
  if (e.bucket != store_.bucket()) return "skipped: bucket " + e.bucket + " is not " + store_.bucket();

  std::optional<db::JobRow> job;
  EventOrder seen = EventOrder::new_key;
  while (true) {
    std::int64_t now = now_ms();
    db_.tx([&](db::Tx& t) {
      job = db::jobs::by_object(t, e.bucket, e.key, true);
      if (!job) {
        auto p = db::photos::by_original_key(t, e.key);
        if (!p) return;
        db::JobRow j;
        j.photo_id = p->id;
        j.event_name = e.event_name;
        j.bucket = e.bucket;
        j.object_key = e.key;
        j.size = e.size;
        j.etag = normalize_etag(e.etag);
        j.sequencer = e.sequencer;
        j.visible_at_ms = j.created_at_ms = j.updated_at_ms = now;
        j.created_at_ms = p->created_at * 1000;
        j.id = db::jobs::insert(t, j);
        job = db::jobs::by_id(t, j.id);
        seen = EventOrder::new_key;
        return;
      }
      seen = order_against(e, job->etag, job->sequencer);
      if (seen == EventOrder::newer) {
        db::jobs::requeue_version(t, job->id, e.event_name, e.size, normalize_etag(e.etag), e.sequencer, now);
        if (job->photo_id) db::photos::mark_processing(t, *job->photo_id, true, secs(now));
        job = db::jobs::by_id(t, job->id);
      }
    });
    if (job) break;
    // No photo row yet: the upload transaction may still be committing — or it failed and took
    // the object back out.
    if (!store_.head(e.key)) return "skipped: no photo references this key and the object is gone";
    if (now_ms() + 500 > deadline_ms) throw std::runtime_error("no photo references " + e.key + " yet");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  spdlog::debug("jobs: event for {} is {}", log_safe(e.key), to_string(seen));
  if (seen == EventOrder::stale) return "stale: a newer event for this key was recorded already";
  if (job->status == JobStatus::done) return "duplicate: already processed (" + job->result + ")";
  if (job->status == JobStatus::dead) return "dead-lettered earlier: " + job->last_error;

  std::string token = new_token();
  bool got = false, buried = false;
  std::int64_t now = now_ms();
  db_.tx([&](db::Tx& t) {
    buried = false;
    got = db::jobs::claim(t, job->id, owner_, token, now, now + options_.lease_ms);
    if (!got) {
      job = db::jobs::by_id(t, job->id);
      return;
    }
    job = db::jobs::by_id(t, job->id);
    buried = bury_if_exhausted(t, *job, options_, now);
  });
  if (!got) {
    if (job && job->status == JobStatus::done) return "duplicate: already processed (" + job->result + ")";
    throw std::runtime_error("job " + std::to_string(job ? job->id : 0) +
                             " is being processed by another worker or waiting for its retry");
  }
  if (buried) throw std::runtime_error("job " + std::to_string(job->id) + " was dead-lettered");

  LeaseKeeper keeper(*this);
  keeper.add(job->id, job->lease_token);
  Outcome o = run(*job);
  keeper.remove(job->id);
  switch (o) {
    case Outcome::retry:
    case Outcome::dead: {
      std::string why;
      db_.read([&](db::Tx& t) {
        if (auto j = db::jobs::by_id(t, job->id)) why = j->last_error;
      });
      throw std::runtime_error(std::string("processing failed (") + outcome_name(o) + "): " + why);
    }
    case Outcome::lost_lease:
      return "taken over by another worker";
    default:
      return outcome_name(o);
  }
}

}  // namespace sy::jobs
