// The mail.send job kind: deliver one outbox row through SMTP, record the result while holding the
// lease, back off and retry on temporary failures, dead-letter on refusal or when attempts run out.
//
// Delivery is at least once: when the SMTP server accepted a message but recording that failed (the
// lease was lost, the database went away), the message goes out again with the same Message-ID, so
// a mail client shows it once.
#include <spdlog/spdlog.h>

#include <random>

#include "core/log.h"
#include "db/mail_repo.h"
#include "jobs/processor.h"

namespace sy::jobs {

namespace {

std::string clip(const std::string& s, std::size_t max = 900) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::int64_t mail_backoff(const Options& o, int attempts) {
  std::int64_t d = o.mail_backoff_base_ms;
  for (int i = 1; i < attempts && d < o.mail_backoff_max_ms; ++i) d *= 2;
  d = std::min(d, o.mail_backoff_max_ms);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return static_cast<std::int64_t>(static_cast<double>(d) * jitter(rng));
}

std::string domain_of(const std::string& address) {
  auto at = address.find('@');
  return at == std::string::npos ? "schoolyard.invalid" : address.substr(at + 1);
}

}  // namespace

std::int64_t enqueue_mail(db::Tx& t, std::int64_t outbox_id, std::int64_t now) {
  db::JobRow j;
  j.kind = kKindMail;
  j.event_name = kKindMail;
  j.bucket = "";
  j.object_key = "mail/" + std::to_string(outbox_id);
  j.status = JobStatus::queued;
  j.visible_at_ms = now;
  j.created_at_ms = j.updated_at_ms = now;
  return db::jobs::insert(t, j);
}

Outcome Processor::mail_failed(const db::JobRow& job, const std::string& error, bool permanent, const char* reason) {
  std::int64_t now = now_ms();
  bool dead = permanent || job.attempts >= options_.mail_max_attempts;
  bool recorded = false;
  db_.tx([&](db::Tx& t) {
    recorded = dead ? db::jobs::bury(t, job.id, job.lease_token, clip(error), now, permanent ? reason : "gave_up")
                    : db::jobs::reschedule(t, job.id, job.lease_token, clip(error),
                                           now + mail_backoff(options_, job.attempts), now);
  });
  if (!recorded) return Outcome::lost_lease;
  if (dead)
    spdlog::error("jobs: mail job {} dead-lettered after attempt {}: {}", job.id, job.attempts, log_safe(error));
  else
    spdlog::warn("jobs: mail job {} attempt {} failed, will retry: {}", job.id, job.attempts, log_safe(error));
  return dead ? Outcome::dead : Outcome::retry;
}

Outcome Processor::send_mail(const db::JobRow& job) {
  std::optional<db::OutboxRow> row;
  db_.read([&](db::Tx& t) { row = db::mail::by_job(t, job.id); });
  if (!row) return mail_failed(job, "no outbox row for this job", true, "outbox_missing");
  if (options_.mail.smtp_url.empty())
    return mail_failed(job, "email is off on this worker (SCHOOLYARD_SMTP_URL is not set)", false, "");
  std::string message_id =
      "outbox-" + std::to_string(row->id) + "." + std::to_string(row->created_at) + "@" + domain_of(options_.mail.from);
  auto msg = build_message(options_.mail.from, row->to_address, row->subject, row->body, message_id, now_ms() / 1000);
  auto r = smtp_send(options_.mail, options_.mail.from, row->to_address, msg);
  if (!r.ok) return mail_failed(job, r.error, r.permanent, "smtp_refused");
  bool recorded = false;
  std::int64_t now = now_ms();
  db_.tx([&](db::Tx& t) {
    recorded = db::jobs::complete(t, job.id, job.lease_token, "sent", now);
    if (recorded) db::mail::mark_sent(t, row->id, now / 1000);
  });
  return recorded ? Outcome::sent : Outcome::lost_lease;
}

}  // namespace sy::jobs
