#include "db/mail_repo.h"

#include <soci/soci.h>

#include "db/sql_text.h"

namespace sy::db::mail {

namespace {

const char* kCols =
    "o.id, o.dedupe_key, o.job_id, o.to_user_id, o.to_address, o.template, o.subject, o.body, o.essential, o.skipped, "
    "o.created_at, o.sent_at, COALESCE(j.status, ''), COALESCE(j.attempts, 0), COALESCE(j.last_error, '')";

template <class Bind>
std::vector<OutboxRow> fetch(Tx& t, const std::string& tail, Bind&& bind) {
  std::vector<OutboxRow> out;
  OutboxRow r;
  long long id = 0, job = 0, user = 0, created = 0, sent = 0;
  int essential = 0;
  soci::indicator job_i = soci::i_null, user_i = soci::i_null, sent_i = soci::i_null;
  auto prep =
      (t.sql().prepare << cat({"SELECT ", kCols, " FROM mail_outbox o LEFT JOIN jobs j ON j.id = o.job_id ", tail}),
       soci::into(id), soci::into(r.dedupe_key), soci::into(job, job_i), soci::into(user, user_i),
       soci::into(r.to_address), soci::into(r.template_name), soci::into(r.subject), soci::into(r.body),
       soci::into(essential), soci::into(r.skipped), soci::into(created), soci::into(sent, sent_i),
       soci::into(r.job_status), soci::into(r.attempts), soci::into(r.last_error));
  bind(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.job_id = job_i == soci::i_ok ? std::optional<std::int64_t>(job) : std::nullopt;
    r.to_user_id = user_i == soci::i_ok ? std::optional<std::int64_t>(user) : std::nullopt;
    r.essential = essential != 0;
    r.created_at = created;
    r.sent_at = sent_i == soci::i_ok ? std::optional<std::int64_t>(sent) : std::nullopt;
    out.push_back(r);
  }
  return out;
}

std::optional<OutboxRow> first(std::vector<OutboxRow> v) {
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

}  // namespace

std::optional<std::int64_t> insert(Tx& t, const OutboxRow& r) {
  long long user = r.to_user_id.value_or(0), created = r.created_at;
  int essential = r.essential ? 1 : 0;
  soci::indicator user_i = r.to_user_id ? soci::i_ok : soci::i_null;
  // A duplicate key is not an error here: it is how "already enqueued" is detected. MySQL's
  // ON DUPLICATE KEY UPDATE would count the untouched row as affected (SOCI connects with
  // CLIENT_FOUND_ROWS), so MySQL uses INSERT IGNORE; the service keeps every other value valid
  // (lengths, the user id) so that only the duplicate key can be what is ignored.
  bool mysql = t.dialect() == Dialect::mysql;
  soci::statement st =
      (t.sql().prepare << cat({mysql ? "INSERT IGNORE" : "INSERT",
                               " INTO mail_outbox (dedupe_key, to_user_id, to_address, template, subject, body, "
                               "essential, skipped, created_at) VALUES (:k, :u, :a, :t, :s, :b, :e, :sk, :c)",
                               mysql ? "" : " ON CONFLICT(dedupe_key) DO NOTHING"}),
       soci::use(r.dedupe_key), soci::use(user, user_i), soci::use(r.to_address), soci::use(r.template_name),
       soci::use(r.subject), soci::use(r.body), soci::use(essential), soci::use(r.skipped), soci::use(created));
  st.execute(true);
  if (st.get_affected_rows() != 1) return std::nullopt;
  return t.last_insert_id();
}

void set_job(Tx& t, std::int64_t id, std::int64_t job_id) {
  long long i = id, j = job_id;
  t.sql() << "UPDATE mail_outbox SET job_id = :j WHERE id = :id", soci::use(j), soci::use(i);
}

std::optional<OutboxRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  return first(fetch(t, "WHERE o.id = :id", [&](auto& p) { p, soci::use(i); }));
}

std::optional<OutboxRow> by_job(Tx& t, std::int64_t job_id) {
  long long i = job_id;
  return first(fetch(t, "WHERE o.job_id = :j", [&](auto& p) { p, soci::use(i); }));
}

std::optional<OutboxRow> by_dedupe_key(Tx& t, const std::string& key) {
  return first(fetch(t, "WHERE o.dedupe_key = :k", [&](auto& p) { p, soci::use(key); }));
}

void mark_sent(Tx& t, std::int64_t id, std::int64_t now_s) {
  long long i = id, n = now_s;
  t.sql() << "UPDATE mail_outbox SET sent_at = :n WHERE id = :id", soci::use(n), soci::use(i);
}

std::vector<OutboxRow> list(Tx& t, const std::string& job_status, int limit) {
  if (job_status == "skipped")
    return fetch(t, "WHERE o.job_id IS NULL ORDER BY o.id DESC LIMIT :l", [&](auto& p) { p, soci::use(limit); });
  return fetch(t, "WHERE (:s1 = '' OR j.status = :s2) ORDER BY o.id DESC LIMIT :l",
               [&](auto& p) { p, soci::use(job_status), soci::use(job_status), soci::use(limit); });
}

}  // namespace sy::db::mail

namespace sy::db::mail {

std::optional<Contact> contact(Tx& t, std::int64_t user_id) {
  long long i = user_id;
  Contact c;
  int opt = 0, active = 0;
  soci::indicator email_i = soci::i_null;
  t.sql() << "SELECT email, email_opt_out, active, full_name FROM users WHERE id = :id", soci::into(c.email, email_i),
      soci::into(opt), soci::into(active), soci::into(c.full_name), soci::use(i);
  if (!t.sql().got_data()) return std::nullopt;
  if (email_i != soci::i_ok) c.email.clear();
  c.opt_out = opt != 0;
  c.active = active != 0;
  return c;
}

}  // namespace sy::db::mail
