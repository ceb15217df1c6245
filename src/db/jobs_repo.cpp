#include "db/jobs_repo.h"

#include <soci/soci.h>

#include "db/row_mapping.h"
#include "db/sql_text.h"

#include <initializer_list>
#include <string_view>

namespace sy::db {

namespace {

const char* kJobCols =
    "id, kind, photo_id, event_name, bucket, object_key, size, etag, sequencer, status, attempts, visible_at_ms, "
    "lease_owner, lease_token, last_error, result, created_at_ms, updated_at_ms, started_at_ms, finished_at_ms";

template <class Bind>
std::vector<JobRow> fetch_jobs(Tx& t, const std::string& tail, Bind&& bind) {
  return rows::fetch<JobRow>(t, cat({"SELECT ", kJobCols, " FROM jobs ", tail}), bind);
}

using rows::first;

std::string lock_suffix(Tx& t, bool for_update) {
  return for_update && t.dialect() == Dialect::mysql ? " FOR UPDATE" : "";
}

template <class... Uses>
int exec_count(Tx& t, const std::string& sql, Uses&&... uses) {
  auto prep = (t.sql().prepare << sql);
  (prep, ..., std::forward<Uses>(uses));
  soci::statement st(prep);
  st.execute(true);
  return static_cast<int>(st.get_affected_rows());
}

}  // namespace

namespace jobs {

std::int64_t insert(Tx& t, const JobRow& j) {
  long long photo = j.photo_id.value_or(0), size = j.size, visible = j.visible_at_ms, c = j.created_at_ms,
            u = j.updated_at_ms;
  soci::indicator photo_i = j.photo_id ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO jobs (kind, photo_id, event_name, bucket, object_key, size, etag, sequencer, status, "
             "attempts, visible_at_ms, created_at_ms, updated_at_ms) VALUES (:k, :p, :en, :b, :ok, :s, :e, :sq, "
             ":st, 0, :v, :c, :u)",
      soci::use(j.kind), soci::use(photo, photo_i), soci::use(j.event_name), soci::use(j.bucket),
      soci::use(j.object_key), soci::use(size), soci::use(j.etag), soci::use(j.sequencer), soci::use(j.status),
      soci::use(visible), soci::use(c), soci::use(u);
  return t.last_insert_id();
}

std::optional<JobRow> by_id(Tx& t, std::int64_t id, bool for_update) {
  long long i = id;
  return first(fetch_jobs(t, cat({"WHERE id = :id", lock_suffix(t, for_update)}), [&](auto& p) { p, soci::use(i); }));
}

std::optional<JobRow> by_object(Tx& t, const std::string& bucket, const std::string& key, bool for_update) {
  return first(fetch_jobs(t, cat({"WHERE bucket = :b AND object_key = :k", lock_suffix(t, for_update)}),
                          [&](auto& p) { p, soci::use(bucket), soci::use(key); }));
}

std::optional<JobRow> latest_for_photo(Tx& t, std::int64_t photo_id) {
  long long p = photo_id;
  return first(fetch_jobs(t, "WHERE photo_id = :p ORDER BY id DESC LIMIT 1", [&](auto& q) { q, soci::use(p); }));
}

namespace {

const char* kLeaseSet =
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = :o, lease_token = :t, "
    "visible_at_ms = :until, started_at_ms = :n1, updated_at_ms = :n2 ";

}  // namespace

std::optional<JobRow> claim_next(Tx& t, const std::string& owner, const std::string& token, std::int64_t now_ms,
                                 std::int64_t lease_until_ms) {
  long long now = now_ms, until = lease_until_ms;
  if (t.dialect() == Dialect::mysql) {
    // Concurrent claimers skip each other's locked rows instead of queueing behind them.
    long long id = 0;
    t.sql() << "SELECT id FROM jobs WHERE visible_at_ms <= :n AND status IN ('queued','running') "
               "ORDER BY visible_at_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        soci::use(now), soci::into(id);
    if (!t.sql().got_data()) return std::nullopt;
    exec_count(t, cat({kLeaseSet, "WHERE id = :id"}), soci::use(owner), soci::use(token), soci::use(until),
               soci::use(now), soci::use(now), soci::use(id));
    return by_id(t, id);
  }
  // SQLite: writers are serialised (BEGIN IMMEDIATE), so one conditional UPDATE is atomic.
  int n =
      exec_count(t,
                 cat({kLeaseSet,
                      "WHERE id = (SELECT id FROM jobs WHERE visible_at_ms <= :n3 AND status IN "
                      "('queued','running') ORDER BY visible_at_ms, id LIMIT 1)"}),
                 soci::use(owner), soci::use(token), soci::use(until), soci::use(now), soci::use(now), soci::use(now));
  if (n == 0) return std::nullopt;
  return first(fetch_jobs(t, "WHERE lease_token = :t AND status = 'running'", [&](auto& p) { p, soci::use(token); }));
}

bool claim(Tx& t, std::int64_t id, const std::string& owner, const std::string& token, std::int64_t now_ms,
           std::int64_t lease_until_ms) {
  long long i = id, now = now_ms, until = lease_until_ms;
  return exec_count(t, cat({kLeaseSet, "WHERE id = :id AND visible_at_ms <= :n3 AND status IN ('queued','running')"}),
                    soci::use(owner), soci::use(token), soci::use(until), soci::use(now), soci::use(now), soci::use(i),
                    soci::use(now)) == 1;
}

bool heartbeat(Tx& t, std::int64_t id, const std::string& token, std::int64_t lease_until_ms, std::int64_t now_ms) {
  long long i = id, until = lease_until_ms, now = now_ms;
  return exec_count(t,
                    "UPDATE jobs SET visible_at_ms = :u, updated_at_ms = :n WHERE id = :id AND lease_token = :t "
                    "AND status = 'running'",
                    soci::use(until), soci::use(now), soci::use(i), soci::use(token)) == 1;
}

bool release(Tx& t, std::int64_t id, const std::string& token, std::int64_t now_ms) {
  long long i = id, now = now_ms;
  return exec_count(t,
                    "UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 "
                    "END, lease_owner = '', lease_token = '', visible_at_ms = :v, updated_at_ms = :n WHERE id = :id "
                    "AND lease_token = :t AND status = 'running'",
                    soci::use(now), soci::use(now), soci::use(i), soci::use(token)) == 1;
}

bool complete(Tx& t, std::int64_t id, const std::string& token, const std::string& result, std::int64_t now_ms) {
  long long i = id, now = now_ms, never = kNever;
  return exec_count(t,
                    "UPDATE jobs SET status = 'done', result = :r, last_error = '', lease_token = '', "
                    "visible_at_ms = :v, finished_at_ms = :n1, updated_at_ms = :n2 WHERE id = :id AND lease_token = "
                    ":t AND status = 'running'",
                    soci::use(result), soci::use(never), soci::use(now), soci::use(now), soci::use(i),
                    soci::use(token)) == 1;
}

bool reschedule(Tx& t, std::int64_t id, const std::string& token, const std::string& error, std::int64_t visible_at_ms,
                std::int64_t now_ms) {
  long long i = id, v = visible_at_ms, now = now_ms;
  return exec_count(t,
                    "UPDATE jobs SET status = 'queued', last_error = :e, lease_owner = '', lease_token = '', "
                    "visible_at_ms = :v, updated_at_ms = :n WHERE id = :id AND lease_token = :t AND status = "
                    "'running'",
                    soci::use(error), soci::use(v), soci::use(now), soci::use(i), soci::use(token)) == 1;
}

bool bury(Tx& t, std::int64_t id, const std::string& token, const std::string& error, std::int64_t now_ms,
          const std::string& reason) {
  long long i = id, now = now_ms, never = kNever;
  return exec_count(
             t,
             "UPDATE jobs SET status = 'dead', last_error = :e, result = :r, lease_owner = '', lease_token = '', "
             "visible_at_ms = :v, finished_at_ms = :n1, updated_at_ms = :n2 WHERE id = :id AND lease_token = "
             ":t AND status = 'running'",
             soci::use(error), soci::use(reason), soci::use(never), soci::use(now), soci::use(now), soci::use(i),
             soci::use(token)) == 1;
}

bool retry(Tx& t, std::int64_t id, std::int64_t now_ms) {
  long long i = id, now = now_ms;
  return exec_count(t,
                    "UPDATE jobs SET status = 'queued', attempts = 0, result = '', lease_owner = '', lease_token = '', "
                    "visible_at_ms = :v, finished_at_ms = NULL, updated_at_ms = :n WHERE id = :id AND status = 'dead'",
                    soci::use(now), soci::use(now), soci::use(i)) == 1;
}

void requeue_version(Tx& t, std::int64_t id, const std::string& event_name, std::int64_t size, const std::string& etag,
                     const std::string& sequencer, std::int64_t now_ms) {
  long long i = id, s = size, now = now_ms;
  // Clearing the token voids a lease on the old version: that worker's result is not recorded.
  exec_count(t,
             "UPDATE jobs SET event_name = :en, size = :s, etag = :e, sequencer = :sq, status = 'queued', "
             "attempts = 0, result = '', last_error = '', lease_owner = '', lease_token = '', visible_at_ms = :v, "
             "finished_at_ms = NULL, updated_at_ms = :n WHERE id = :id",
             soci::use(event_name), soci::use(s), soci::use(etag), soci::use(sequencer), soci::use(now), soci::use(now),
             soci::use(i));
}

std::vector<JobRow> list(Tx& t, std::optional<JobStatus> status_filter, int limit, int offset) {
  std::string status = status_filter ? to_string(*status_filter) : "";
  return fetch_jobs(t, "WHERE (:s1 = '' OR status = :s2) ORDER BY id DESC LIMIT :l OFFSET :o",
                    [&](auto& p) { p, soci::use(status), soci::use(status), soci::use(limit), soci::use(offset); });
}

std::map<JobStatus, std::int64_t> open_counts(Tx& t) {
  std::map<JobStatus, std::int64_t> out{{JobStatus::queued, 0}, {JobStatus::running, 0}, {JobStatus::dead, 0}};
  JobStatus status = JobStatus::queued;
  long long n = 0;
  soci::statement st = (t.sql().prepare << "SELECT status, COUNT(*) FROM jobs WHERE status IN "
                                           "('queued','running','dead') GROUP BY status",
                        soci::into(status), soci::into(n));
  st.execute();
  while (st.fetch()) out[status] = n;
  return out;
}

}  // namespace jobs

}  // namespace sy::db
