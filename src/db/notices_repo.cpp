#include "db/notices_repo.h"

#include <soci/soci.h>

#include <stdexcept>
#include "db/content_versions_repo.h"

#include "db/sql_text.h"
#include "db/states_soci.h"

namespace sy::db::notices {

namespace {

// A stored target role the enum does not know is a broken row: refused, never read as "every role".
Role known_role(const std::string& text) {
  auto r = parse_role(text);
  if (!r) throw std::runtime_error("database: unknown state '" + text + "'");
  return *r;
}

// The classes a user belongs to: enrolled (active) student, guardian of an enrolled active
// student, assigned teacher. `u1`..`u3` are the same user (three placeholders or one column).
std::string classes_of(const char* u1, const char* u2, const char* u3) {
  return cat(
      {"SELECT cs.class_id FROM class_students cs JOIN users su ON su.id = cs.student_id AND su.active = 1 "
       "WHERE cs.student_id = ",
       u1,
       " UNION SELECT cs.class_id FROM class_students cs JOIN guardian_links g ON g.student_id = cs.student_id "
       "JOIN users su ON su.id = cs.student_id AND su.active = 1 WHERE g.guardian_id = ",
       u2, " UNION SELECT ct.class_id FROM class_teachers ct WHERE ct.teacher_id = ", u3});
}

// A target row of notice `n` matching a user whose role is `role` and classes `classes`.
std::string target_match(const char* n, const char* role, const std::string& classes) {
  return cat({"EXISTS (SELECT 1 FROM notice_targets nt WHERE nt.notice_id = ", n, " AND (nt.role IS NULL OR nt.role = ",
              role, ") AND (nt.class_id IS NULL OR nt.class_id IN (", classes, ")))"});
}

const char* kCols = "n.id, n.author_id, COALESCE(a.full_name, ''), n.title, n.body, n.publish_at, n.created_at";

template <class Bind>
std::vector<NoticeRow> fetch(Tx& t, const std::string& read_join, const std::string& tail, Bind&& bind) {
  std::vector<NoticeRow> out;
  NoticeRow r;
  long long id = 0, author = 0, publish = 0, created = 0;
  int read = 0;
  soci::indicator author_i = soci::i_null;
  auto prep = (t.sql().prepare << cat(
                   {"SELECT ", kCols, ", ", read_join.empty() ? "0" : "CASE WHEN nr.user_id IS NULL THEN 0 ELSE 1 END",
                    " FROM notices n LEFT JOIN users a ON a.id = n.author_id ", read_join, " ", tail}),
               soci::into(id), soci::into(author, author_i), soci::into(r.author_name), soci::into(r.title),
               soci::into(r.body), soci::into(publish), soci::into(created), soci::into(read));
  bind(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.author_id = author_i == soci::i_ok ? std::optional<std::int64_t>(author) : std::nullopt;
    r.publish_at = publish;
    r.created_at = created;
    r.read = read != 0;
    out.push_back(r);
  }
  for (auto& n : out) {
    long long nid = n.id, cls = 0;
    std::string role;  // NULL (every role) is why this is text: the state conversion refuses NULL
    soci::indicator cls_i = soci::i_null, role_i = soci::i_null;
    soci::statement ts =
        (t.sql().prepare << "SELECT class_id, role FROM notice_targets WHERE notice_id = :n ORDER BY id",
         soci::use(nid), soci::into(cls, cls_i), soci::into(role, role_i));
    ts.execute();
    while (ts.fetch())
      n.targets.push_back({cls_i == soci::i_ok ? std::optional<std::int64_t>(cls) : std::nullopt,
                           role_i == soci::i_ok ? std::optional<Role>(known_role(role)) : std::nullopt});
  }
  return out;
}

}  // namespace

std::int64_t insert(Tx& t, const NoticeRow& n) {
  long long author = n.author_id.value_or(0), publish = n.publish_at, created = n.created_at;
  soci::indicator author_i = n.author_id ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO notices (author_id, title, body, publish_at, created_at, updated_at) VALUES (:a, :t, :b, "
             ":p, :c, :u)",
      soci::use(author, author_i), soci::use(n.title), soci::use(n.body), soci::use(publish), soci::use(created),
      soci::use(created);
  long long id = t.last_insert_id();
  for (const auto& target : n.targets) {
    long long cls = target.class_id.value_or(0);
    soci::indicator cls_i = target.class_id ? soci::i_ok : soci::i_null;
    std::string role = to_string_or_empty(target.role);
    soci::indicator role_i = target.role ? soci::i_ok : soci::i_null;
    t.sql() << "INSERT INTO notice_targets (notice_id, class_id, role) VALUES (:n, :c, :r)", soci::use(id),
        soci::use(cls, cls_i), soci::use(role, role_i);
  }
  content_versions::bump_personal(t);  // recipients' home pages
  return id;
}

std::optional<NoticeRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  auto v = fetch(t, "", "WHERE n.id = :id", [&](auto& p) { p, soci::use(i); });
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<NoticeRow> for_user(Tx& t, std::int64_t user_id, Role role, std::int64_t now, int limit) {
  long long u = user_id, n = now;
  return fetch(t, "LEFT JOIN notice_reads nr ON nr.notice_id = n.id AND nr.user_id = :me",
               cat({"WHERE n.publish_at <= :now AND ", target_match("n.id", ":role", classes_of(":u1", ":u2", ":u3")),
                    " ORDER BY n.publish_at DESC, n.id DESC LIMIT :l"}),
               [&](auto& p) {
                 p, soci::use(u), soci::use(n), soci::use(role), soci::use(u), soci::use(u), soci::use(u),
                     soci::use(limit);
               });
}

bool is_recipient(Tx& t, std::int64_t id, std::int64_t user_id, Role role) {
  long long i = id, u = user_id, n = 0;
  t.sql() << cat({"SELECT COUNT(*) FROM notices n WHERE n.id = :id AND ",
                  target_match("n.id", ":role", classes_of(":u1", ":u2", ":u3"))}),
      soci::use(i), soci::use(role), soci::use(u), soci::use(u), soci::use(u), soci::into(n);
  return n > 0;
}

std::vector<NoticeRow> by_author(Tx& t, std::int64_t author_id, int limit) {
  long long a = author_id;
  return fetch(t, "", "WHERE (:a1 = 0 OR n.author_id = :a2) ORDER BY n.publish_at DESC, n.id DESC LIMIT :l",
               [&](auto& p) { p, soci::use(a), soci::use(a), soci::use(limit); });
}

void mark_read(Tx& t, std::int64_t id, std::int64_t user_id, std::int64_t now) {
  long long i = id, u = user_id, n = now;
  std::string sql = t.dialect() == Dialect::mysql
                        ? "INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES (:n, :u, :r) ON DUPLICATE "
                          "KEY UPDATE read_at = read_at"
                        : "INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES (:n, :u, :r) ON CONFLICT "
                          "(notice_id, user_id) DO NOTHING";
  // Reading it again changes nothing anyone sees: no bump. (Asked first, not from the affected
  // rows: MariaDB's client counts a matched duplicate as affected.)
  long long seen = 0;
  t.sql() << "SELECT COUNT(*) FROM notice_reads WHERE notice_id = :n AND user_id = :u", soci::use(i), soci::use(u),
      soci::into(seen);
  if (seen > 0) return;
  t.sql() << sql, soci::use(i), soci::use(u), soci::use(n);
  content_versions::bump_personal(t);  // the reader's home page marks it read
}

std::optional<std::int64_t> next_publish_after(Tx& t, std::int64_t now) {
  long long n = now, at = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT MIN(publish_at) FROM notices WHERE publish_at > :n", soci::use(n), soci::into(at, ind);
  if (!t.sql().got_data() || ind != soci::i_ok) return std::nullopt;
  return at;
}

std::vector<Receipt> receipts(Tx& t, std::int64_t id) {
  std::vector<Receipt> out;
  Receipt r;
  long long i = id, uid = 0, read = 0;
  soci::indicator read_i = soci::i_null;
  soci::statement st =
      (t.sql().prepare << cat({"SELECT u.id, u.username, u.full_name, u.role, nr.read_at FROM users u LEFT JOIN "
                               "notice_reads nr ON nr.notice_id = :n1 AND nr.user_id = u.id WHERE u.active = 1 AND ",
                               target_match(":n2", "u.role", classes_of("u.id", "u.id", "u.id")),
                               " ORDER BY u.role, u.full_name, u.id"}),
       soci::use(i), soci::use(i), soci::into(uid), soci::into(r.username), soci::into(r.full_name), soci::into(r.role),
       soci::into(read, read_i));
  st.execute();
  while (st.fetch()) {
    r.user_id = uid;
    r.read_at = read_i == soci::i_ok ? std::optional<std::int64_t>(read) : std::nullopt;
    out.push_back(r);
  }
  return out;
}

}  // namespace sy::db::notices
