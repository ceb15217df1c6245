#pragma once
// The email outbox (mail_outbox): what was asked for, deduplicated by key; the mail.send job that
// delivers a row holds its delivery state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db {

struct OutboxRow {
  std::int64_t id = 0;
  std::string dedupe_key;
  std::optional<std::int64_t> job_id;
  std::optional<std::int64_t> to_user_id;
  std::string to_address;
  std::string template_name;
  std::string subject;
  std::string body;
  bool essential = false;
  std::string skipped;  // "" | opt_out | no_address | mail_off
  std::int64_t created_at = 0;
  std::optional<std::int64_t> sent_at;
  // From the job (list only): queued | running | done | dead, or "" without a job.
  std::string job_status;
  int attempts = 0;
  std::string last_error;
};

namespace mail {

// Inserts unless a row with the same dedupe_key exists (then nullopt, nothing written). Safe
// under concurrency: the unique key decides, without an error.
std::optional<std::int64_t> insert(Tx& t, const OutboxRow& r);
void set_job(Tx& t, std::int64_t id, std::int64_t job_id);
std::optional<OutboxRow> by_id(Tx& t, std::int64_t id);
std::optional<OutboxRow> by_job(Tx& t, std::int64_t job_id);
std::optional<OutboxRow> by_dedupe_key(Tx& t, const std::string& key);
void mark_sent(Tx& t, std::int64_t id, std::int64_t now_s);
// Newest first. job_status "" = all; "skipped" = rows never queued.
std::vector<OutboxRow> list(Tx& t, const std::string& job_status, int limit);

}  // namespace mail

}  // namespace sy::db

namespace sy::db::mail {

// Where a user's email goes (users.email, users.email_opt_out from migration 0010).
struct Contact {
  std::string email;  // "" when none is on file
  bool opt_out = false;
  bool active = true;
  std::string full_name;
};
std::optional<Contact> contact(Tx& t, std::int64_t user_id);

}  // namespace sy::db::mail
