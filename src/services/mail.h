#pragma once
// Email through the outbox: services ask for an email inside their own transaction; a worker (the
// mail.send job kind, jobs/mail_job.cpp) delivers it later. No email is ever sent inside a request.
//
//   db.tx([&](db::Tx& t) {
//     …the change the email announces…
//     services::enqueue_email(t, app.config, services::MailTo::user(guardian_id), "absence_alert",
//                             {{"student", name}, {"date", "2026-12-01"}},
//                             "absence:" + std::to_string(student_id) + ":" + std::to_string(guardian_id) +
//                             ":2026-12-01",
//                             /*essential=*/false);
//   });
//   app.wake_workers();  // after the commit: an in-process worker starts at once
//
// The dedupe key makes it idempotent: a second call with the same key writes nothing and answers
// `duplicate`, inside the same or any later transaction (a unique key, so also under concurrency).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "db/database.h"
#include "db/mail_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct MailTo {
  std::optional<std::int64_t> user_id;  // the user's email address, opt-out and active state apply
  std::string address;                  // or a bare address (no opt-out to honour)
  static MailTo user(std::int64_t id) { return MailTo{id, ""}; }
  static MailTo to_address(std::string a) { return MailTo{std::nullopt, std::move(a)}; }
};

using MailParams = std::map<std::string, std::string>;

enum class Enqueued {
  queued,      // an outbox row and its mail.send job were written
  duplicate,   // the dedupe key was used before: nothing written
  opted_out,   // non-essential, and the user opted out (recorded, not sent)
  no_address,  // the user has no email address or is inactive (recorded, not sent)
  mail_off,    // SCHOOLYARD_SMTP_URL is not set (recorded, not sent)
};
const char* enqueued_name(Enqueued e);

struct EnqueueResult {
  Enqueued what = Enqueued::queued;
  std::int64_t outbox_id = 0;  // 0 for duplicate
};

// Renders `template_name` (services/mail_templates.cpp) with params; throws std::logic_error for
// an unknown template or a missing parameter (a programming error, not user input). dedupe_key:
// 1–191 printable ASCII characters (AppError invalid otherwise). essential mail (password reset)
// ignores the opt-out; everything else honours it.
EnqueueResult enqueue_email(db::Tx& t, const Config& config, const MailTo& to, const std::string& template_name,
                            const MailParams& params, const std::string& dedupe_key, bool essential);

struct RenderedMail {
  std::string subject;
  std::string body;
};
RenderedMail render_mail(const Config& config, const std::string& template_name, const MailParams& params);

// The outbox for administrators (mail.view at school scope): status "" (all) | queued | running |
// done | dead | skipped. Dead letters are retried with the job retry (POST /api/v1/admin/jobs/{id}/retry).
std::vector<db::OutboxRow> list_mail(App& app, const Actor& actor, const std::string& status, int limit);
// A dead-lettered email goes back to the queue with a fresh attempt count (mail.view). 404 when
// there is no such email, 409 when it is not dead.
db::OutboxRow retry_mail(App& app, const Actor& actor, std::int64_t outbox_id);

}  // namespace sy::services
