#include "db/accounts_repo.h"

#include <soci/soci.h>

#include "db/content_versions_repo.h"
#include "db/prepared.h"

#include "db/row_mapping.h"
#include "db/sql_text.h"

namespace sy::db {

namespace {

const char* kUserCols = "id, username, password_hash, role, full_name, active, created_at, updated_at";

template <class Bind>
std::vector<UserRow> fetch_users(Tx& t, const std::string& q, Bind&& bind) {
  return rows::fetch<UserRow>(t, q, bind);
}

}  // namespace

namespace users {

std::int64_t insert(Tx& t, const UserRow& u) {
  int active = u.active ? 1 : 0;
  long long c = u.created_at, up = u.updated_at;
  t.sql() << "INSERT INTO users (username, password_hash, role, full_name, active, created_at, updated_at) "
             "VALUES (:u, :p, :r, :f, :a, :c, :up)",
      soci::use(u.username), soci::use(u.password_hash), soci::use(u.role), soci::use(u.full_name), soci::use(active),
      soci::use(c), soci::use(up);
  return t.last_insert_id();
}

std::optional<UserRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  auto rows = fetch_users(t, std::string("SELECT ") + kUserCols + " FROM users WHERE id = :id",
                          [&](auto& p) { p, soci::use(i); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<UserRow> by_username(Tx& t, const std::string& username) {
  auto rows = fetch_users(t, std::string("SELECT ") + kUserCols + " FROM users WHERE username = :u",
                          [&](auto& p) { p, soci::use(username); });
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<UserRow> list(Tx& t, std::optional<Role> role_filter, int limit, int offset) {
  std::string role = role_filter ? to_string(*role_filter) : "";
  return fetch_users(t,
                     std::string("SELECT ") + kUserCols +
                         " FROM users WHERE (:r1 = '' OR role = :r2) ORDER BY username LIMIT :l OFFSET :o",
                     [&](auto& p) { p, soci::use(role), soci::use(role), soci::use(limit), soci::use(offset); });
}

std::vector<UserRow> by_ids(Tx& t, const std::vector<std::int64_t>& ids) {
  std::vector<UserRow> out;
  for (auto id : ids)
    if (auto u = by_id(t, id)) out.push_back(*u);
  return out;
}

void set_active(Tx& t, std::int64_t id, bool active, std::int64_t now) {
  int a = active ? 1 : 0;
  long long i = id, n = now;
  t.sql() << "UPDATE users SET active = :a, updated_at = :n WHERE id = :id", soci::use(a), soci::use(n), soci::use(i);
  content_versions::bump_user_classes(t, id);  // yearbooks and rosters list active accounts only
}

void set_password(Tx& t, std::int64_t id, const std::string& hash, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE users SET password_hash = :h, updated_at = :n WHERE id = :id", soci::use(hash), soci::use(n),
      soci::use(i);
}

void set_full_name(Tx& t, std::int64_t id, const std::string& full_name, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE users SET full_name = :f, updated_at = :n WHERE id = :id", soci::use(full_name), soci::use(n),
      soci::use(i);
  content_versions::bump_user_classes(t, id);
}

std::int64_t count_role(Tx& t, Role role, bool active_only) {
  long long n = 0;
  int a = active_only ? 1 : 0;
  t.sql() << "SELECT COUNT(*) FROM users WHERE role = :r AND (:a = 0 OR active = 1)", soci::use(role), soci::use(a),
      soci::into(n);
  return n;
}

}  // namespace users

namespace sessions {

std::int64_t insert(Tx& t, const SessionRow& s) {
  long long u = s.user_id, c = s.created_at, l = s.last_seen_at, e = s.expires_at;
  t.sql() << "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip) "
             "VALUES (:t, :u, :c, :cr, :l, :e, :ip)",
      soci::use(s.token_hash), soci::use(u), soci::use(s.csrf_token), soci::use(c), soci::use(l), soci::use(e),
      soci::use(s.ip);
  return t.last_insert_id();
}

std::optional<SessionRow> by_token_hash(Tx& t, const std::string& token_hash) {
  return rows::first(rows::fetch<SessionRow>(
      t,
      "SELECT id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip FROM sessions "
      "WHERE token_hash = :t",
      [&](auto& p) { p, soci::use(token_hash); }));
}

namespace {
struct ResolveQuery {
  std::string token_hash;
  long long sid = 0, created = 0, last_seen = 0, expires = 0;
  long long uid = 0, u_created = 0, u_updated = 0;
  int active = 0;
  std::string csrf, ip, username, password_hash, full_name;
  Role role = Role::anonymous;
  soci::statement st;
  explicit ResolveQuery(soci::session& s)
      : st((s.prepare << "SELECT s.id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.ip, "
                         "u.id, u.username, u.password_hash, u.role, u.full_name, u.active, u.created_at, u.updated_at "
                         "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = :t",
            soci::use(token_hash), soci::into(sid), soci::into(csrf), soci::into(created), soci::into(last_seen),
            soci::into(expires), soci::into(ip), soci::into(uid), soci::into(username), soci::into(password_hash),
            soci::into(role), soci::into(full_name), soci::into(active), soci::into(u_created),
            soci::into(u_updated))) {}
};
}  // namespace

std::optional<WithUser> resolve(Tx& t, const std::string& token_hash) {
  auto& q = t.statements().get<ResolveQuery>(t.sql());
  q.token_hash = token_hash;
  Run run(t, q.st);
  if (!run.row()) return std::nullopt;
  WithUser w;
  w.session.id = q.sid;
  w.session.token_hash = token_hash;
  w.session.user_id = q.uid;
  w.session.csrf_token = q.csrf;
  w.session.created_at = q.created;
  w.session.last_seen_at = q.last_seen;
  w.session.expires_at = q.expires;
  w.session.ip = q.ip;
  w.user.id = q.uid;
  w.user.username = q.username;
  w.user.password_hash = q.password_hash;
  w.user.role = q.role;
  w.user.full_name = q.full_name;
  w.user.active = q.active != 0;
  w.user.created_at = q.u_created;
  w.user.updated_at = q.u_updated;
  return w;
}

void touch(Tx& t, std::int64_t id, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE sessions SET last_seen_at = :n WHERE id = :id", soci::use(n), soci::use(i);
}

void remove(Tx& t, std::int64_t id) {
  long long i = id;
  t.sql() << "DELETE FROM sessions WHERE id = :id", soci::use(i);
}

void remove_for_user(Tx& t, std::int64_t user_id, std::int64_t except_id) {
  long long u = user_id, e = except_id;
  t.sql() << "DELETE FROM sessions WHERE user_id = :u AND id <> :e", soci::use(u), soci::use(e);
}

int purge(Tx& t, std::int64_t idle_before, std::int64_t now) {
  long long i = idle_before, n = now;
  soci::statement st = (t.sql().prepare << "DELETE FROM sessions WHERE last_seen_at < :i OR expires_at < :n",
                        soci::use(i), soci::use(n));
  st.execute(true);
  return static_cast<int>(st.get_affected_rows());
}

}  // namespace sessions

namespace auth_failures {

void record(Tx& t, const std::string& username, const std::string& ip, std::int64_t at, const std::string& device) {
  long long a = at;
  t.sql() << "INSERT INTO auth_failures (username, ip, at, device) VALUES (:u, :ip, :a, :d)", soci::use(username),
      soci::use(ip), soci::use(a), soci::use(device);
}

namespace {
Stats stats(Tx& t, const char* where, const std::string& a, const std::string& b, std::int64_t since) {
  long long n = 0, latest = 0, s = since;
  soci::indicator ind = soci::i_null;
  std::string q = cat({"SELECT COUNT(*), MAX(at) FROM auth_failures WHERE ", where, " AND at >= :s"});
  if (b.empty())
    t.sql() << q, soci::use(a), soci::use(s), soci::into(n), soci::into(latest, ind);
  else
    t.sql() << q, soci::use(a), soci::use(b), soci::use(s), soci::into(n), soci::into(latest, ind);
  return Stats{n, ind == soci::i_ok ? latest : 0};
}
}  // namespace

Stats device_stats(Tx& t, const std::string& device, std::int64_t since) {
  return stats(t, "device = :d", device, "", since);
}

Stats unknown_stats(Tx& t, const std::string& username, const std::string& ip, std::int64_t since) {
  if (!username.empty() && !ip.empty())
    return stats(t, "device = '' AND username = :u AND ip = :ip", username, ip, since);
  if (!username.empty()) return stats(t, "device = '' AND username = :u", username, "", since);
  return stats(t, "device = '' AND ip = :ip", ip, "", since);
}

void clear_device(Tx& t, const std::string& device) {
  t.sql() << "DELETE FROM auth_failures WHERE device = :d", soci::use(device);
}

void clear_unknown(Tx& t, const std::string& username, const std::string& ip) {
  t.sql() << "DELETE FROM auth_failures WHERE device = '' AND username = :u AND ip = :ip", soci::use(username),
      soci::use(ip);
}

std::int64_t count_user(Tx& t, const std::string& username, std::int64_t since) {
  long long n = 0, s = since;
  t.sql() << "SELECT COUNT(*) FROM auth_failures WHERE username = :u AND at >= :s", soci::use(username), soci::use(s),
      soci::into(n);
  return n;
}

std::int64_t count_ip(Tx& t, const std::string& ip, std::int64_t since) {
  long long n = 0, s = since;
  t.sql() << "SELECT COUNT(*) FROM auth_failures WHERE ip = :ip AND at >= :s", soci::use(ip), soci::use(s),
      soci::into(n);
  return n;
}

std::int64_t nth_latest_user(Tx& t, const std::string& username, int n) {
  long long at = 0;
  int off = n - 1;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT at FROM auth_failures WHERE username = :u ORDER BY at DESC LIMIT 1 OFFSET :o", soci::use(username),
      soci::use(off), soci::into(at, ind);
  return t.sql().got_data() && ind == soci::i_ok ? at : 0;
}

void clear_user(Tx& t, const std::string& username) {
  t.sql() << "DELETE FROM auth_failures WHERE username = :u", soci::use(username);
}

int purge(Tx& t, std::int64_t before) {
  long long b = before;
  soci::statement st = (t.sql().prepare << "DELETE FROM auth_failures WHERE at < :b", soci::use(b));
  st.execute(true);
  return static_cast<int>(st.get_affected_rows());
}

}  // namespace auth_failures

namespace secrets {

std::optional<std::string> get(Tx& t, const std::string& name) {
  std::string v;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT value FROM app_secrets WHERE name = :n", soci::use(name), soci::into(v, ind);
  if (!t.sql().got_data() || ind != soci::i_ok) return std::nullopt;
  return v;
}

void insert(Tx& t, const std::string& name, const std::string& value, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO app_secrets (name, value, created_at) VALUES (:n, :v, :t)", soci::use(name), soci::use(value),
      soci::use(n);
}

}  // namespace secrets

namespace audit {

void insert(Tx& t, const AuditRow& r) {
  long long at = r.at, actor = r.actor_id.value_or(0);
  soci::indicator ind = r.actor_id ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO audit_log (at, actor_id, actor_username, action, entity_type, entity_id, detail, ip, "
             "request_id) VALUES (:at, :a, :au, :ac, :et, :ei, :d, :ip, :rid)",
      soci::use(at), soci::use(actor, ind), soci::use(r.actor_username), soci::use(r.action), soci::use(r.entity_type),
      soci::use(r.entity_id), soci::use(r.detail), soci::use(r.ip), soci::use(r.request_id);
}

std::vector<AuditRow> list(Tx& t, const std::string& action_prefix, const std::string& actor, int limit, int offset) {
  std::string like = action_prefix + "%";
  return rows::fetch<AuditRow>(
      t,
      "SELECT id, at, actor_id, actor_username, action, entity_type, entity_id, detail, ip, "
      "request_id FROM audit_log WHERE action LIKE :p AND (:a1 = '' OR actor_username = :a2) "
      "ORDER BY id DESC LIMIT :l OFFSET :o",
      [&](auto& p) { p, soci::use(like), soci::use(actor), soci::use(actor), soci::use(limit), soci::use(offset); });
}

}  // namespace audit

}  // namespace sy::db
