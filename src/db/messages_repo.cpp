#include "db/messages_repo.h"

#include <soci/soci.h>

#include "db/sql_text.h"
#include "db/states_soci.h"

namespace sy::db::messages {

std::int64_t insert(Tx& t, std::int64_t student_id, std::int64_t author_id, const std::string& body, std::int64_t now) {
  long long s = student_id, a = author_id, n = now;
  t.sql() << "INSERT INTO messages (student_id, author_id, body, created_at) VALUES (:s, :a, :b, :n)", soci::use(s),
      soci::use(a), soci::use(body), soci::use(n);
  return t.last_insert_id();
}

std::vector<MessageRow> thread(Tx& t, std::int64_t student_id, int limit) {
  std::vector<MessageRow> out;
  MessageRow r;
  long long s = student_id, id = 0, author = 0, created = 0;
  soci::indicator author_i = soci::i_null, role_i = soci::i_null;
  std::string role;  // NULL for a removed author: text, as the state conversion refuses NULL
  soci::statement st =
      (t.sql().prepare << "SELECT m.id, m.author_id, COALESCE(u.full_name, ''), u.role, m.body, "
                          "m.created_at FROM messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.student_id = "
                          ":s ORDER BY m.id DESC LIMIT :l",
       soci::use(s), soci::use(limit), soci::into(id), soci::into(author, author_i), soci::into(r.author_name),
       soci::into(role, role_i), soci::into(r.body), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.student_id = student_id;
    r.author_id = author_i == soci::i_ok ? std::optional<std::int64_t>(author) : std::nullopt;
    r.author_role = role_i == soci::i_ok ? parse_role(role) : std::nullopt;
    r.created_at = created;
    out.insert(out.begin(), r);
  }
  return out;
}

void mark_read(Tx& t, std::int64_t student_id, std::int64_t user_id, std::int64_t last_id) {
  long long s = student_id, u = user_id, l = last_id;
  std::string sql =
      t.dialect() == Dialect::mysql
          ? "INSERT INTO message_reads (student_id, user_id, last_read_id) VALUES (:s, :u, :l) ON DUPLICATE KEY "
            "UPDATE last_read_id = GREATEST(last_read_id, VALUES(last_read_id))"
          : "INSERT INTO message_reads (student_id, user_id, last_read_id) VALUES (:s, :u, :l) ON CONFLICT "
            "(student_id, user_id) DO UPDATE SET last_read_id = MAX(last_read_id, excluded.last_read_id)";
  t.sql() << sql, soci::use(s), soci::use(u), soci::use(l);
}

std::vector<ThreadSummary> threads_for(Tx& t, std::int64_t user_id, Role role, int limit) {
  std::vector<ThreadSummary> out;
  // The students whose thread this user is part of.
  std::string students;
  if (role == Role::teacher)
    students =
        "SELECT DISTINCT cs.student_id AS sid FROM class_teachers ct JOIN class_students cs ON cs.class_id = "
        "ct.class_id JOIN users su ON su.id = cs.student_id AND su.active = 1 WHERE ct.teacher_id = :u1";
  else if (role == Role::guardian)
    students = "SELECT g.student_id AS sid FROM guardian_links g WHERE g.guardian_id = :u1";
  else
    return out;
  long long u = user_id, sid = 0, count = 0, unread = 0, last = 0;
  ThreadSummary r;
  soci::statement st =
      (t.sql().prepare << cat(
           {"SELECT s.sid, su.full_name, (SELECT COUNT(*) FROM messages m WHERE m.student_id = "
            "s.sid), (SELECT COUNT(*) FROM messages m WHERE m.student_id = s.sid AND m.id > "
            "COALESCE((SELECT mr.last_read_id FROM message_reads mr WHERE mr.student_id = s.sid AND "
            "mr.user_id = :u2), 0) AND (m.author_id IS NULL OR m.author_id <> :u3)), "
            "COALESCE((SELECT MAX(m.created_at) FROM messages m WHERE m.student_id = s.sid), 0) AS "
            "last_at FROM (",
            students, ") s JOIN users su ON su.id = s.sid ORDER BY last_at DESC, su.full_name, s.sid LIMIT :l"}),
       soci::use(u), soci::use(u), soci::use(u), soci::use(limit), soci::into(sid), soci::into(r.student_name),
       soci::into(count), soci::into(unread), soci::into(last));
  // Placeholders in text order: :u2, :u3 (select list), :u1 (derived table), :l.
  st.execute();
  while (st.fetch()) {
    r.student_id = sid;
    r.messages = count;
    r.unread = unread;
    r.last_at = last;
    out.push_back(r);
  }
  return out;
}

std::vector<Participant> participants(Tx& t, std::int64_t student_id) {
  std::vector<Participant> out;
  long long s = student_id, id = 0;
  Role role = Role::anonymous;
  soci::statement st =
      (t.sql().prepare << "SELECT DISTINCT tu.id, tu.role FROM class_teachers ct JOIN class_students cs ON "
                          "cs.class_id = ct.class_id JOIN users tu ON tu.id = ct.teacher_id AND tu.active = 1 WHERE "
                          "cs.student_id = :s1 UNION SELECT gu.id, gu.role FROM guardian_links g JOIN users gu ON "
                          "gu.id = g.guardian_id AND gu.active = 1 WHERE g.student_id = :s2",
       soci::use(s), soci::use(s), soci::into(id), soci::into(role));
  st.execute();
  while (st.fetch()) out.push_back({id, role});
  return out;
}

}  // namespace sy::db::messages
