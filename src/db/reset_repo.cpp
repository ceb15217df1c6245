#include "db/reset_repo.h"

#include <soci/soci.h>

namespace sy::db::resets {

std::vector<LoginMatch> users_for_login(Tx& t, const std::string& login) {
  std::vector<LoginMatch> out;
  LoginMatch m;
  long long id = 0;
  t.sql() << "SELECT id, username FROM users WHERE username = :u AND active = 1", soci::use(login), soci::into(id),
      soci::into(m.username);
  if (t.sql().got_data()) {
    m.id = id;
    out.push_back(m);
    return out;
  }
  if (login.find('@') == std::string::npos) return out;
  soci::statement st = (t.sql().prepare << "SELECT id, username FROM users WHERE email = :e AND email <> '' AND "
                                           "active = 1 ORDER BY id LIMIT 5",
                        soci::use(login), soci::into(id), soci::into(m.username));
  st.execute();
  while (st.fetch()) {
    m.id = id;
    out.push_back(m);
  }
  return out;
}

std::int64_t insert(Tx& t, std::int64_t user_id, const std::string& token_hash, std::int64_t now,
                    std::int64_t expires_at, const std::string& ip) {
  long long u = user_id, n = now, e = expires_at;
  t.sql()
      << "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at, ip) VALUES (:u, :h, :n, :e, :ip)",
      soci::use(u), soci::use(token_hash), soci::use(n), soci::use(e), soci::use(ip);
  return t.last_insert_id();
}

std::optional<ResetRow> by_token_hash(Tx& t, const std::string& token_hash) {
  ResetRow r;
  long long id = 0, user = 0, created = 0, expires = 0, used = 0;
  soci::indicator used_i = soci::i_null;
  std::string sql = "SELECT id, user_id, created_at, expires_at, used_at FROM password_resets WHERE token_hash = :h";
  if (t.dialect() == Dialect::mysql) sql += " FOR UPDATE";
  t.sql() << sql, soci::use(token_hash), soci::into(id), soci::into(user), soci::into(created), soci::into(expires),
      soci::into(used, used_i);
  if (!t.sql().got_data()) return std::nullopt;
  r.id = id;
  r.user_id = user;
  r.created_at = created;
  r.expires_at = expires;
  if (used_i == soci::i_ok) r.used_at = used;
  return r;
}

void use_all(Tx& t, std::int64_t user_id, std::int64_t now) {
  long long u = user_id, n = now;
  t.sql() << "UPDATE password_resets SET used_at = :n WHERE user_id = :u AND used_at IS NULL", soci::use(n),
      soci::use(u);
}

std::int64_t count_since(Tx& t, std::int64_t user_id, std::int64_t since) {
  long long u = user_id, s = since, n = 0;
  t.sql() << "SELECT COUNT(*) FROM password_resets WHERE user_id = :u AND created_at >= :s", soci::use(u), soci::use(s),
      soci::into(n);
  return n;
}

void record_request(Tx& t, const std::string& ip, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO password_reset_requests (ip, at) VALUES (:ip, :n)", soci::use(ip), soci::use(n);
}

std::int64_t requests_since(Tx& t, const std::string& ip, std::int64_t since) {
  long long s = since, n = 0;
  t.sql() << "SELECT COUNT(*) FROM password_reset_requests WHERE ip = :ip AND at >= :s", soci::use(ip), soci::use(s),
      soci::into(n);
  return n;
}

void prune_requests(Tx& t, std::int64_t before) {
  long long b = before;
  t.sql() << "DELETE FROM password_reset_requests WHERE at < :b", soci::use(b);
}

}  // namespace sy::db::resets
