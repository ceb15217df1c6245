#include "db/attendance_repo.h"

#include <soci/soci.h>

namespace sy::db::attendance {

namespace {

// "INSERT IGNORE" (MySQL) / "INSERT OR IGNORE" (SQLite): a duplicate key is a no-op, not an error.
std::string insert_ignore(Tx& t) { return t.dialect() == Dialect::mysql ? "INSERT IGNORE" : "INSERT OR IGNORE"; }

std::vector<AttendanceRow> fetch_sessions(Tx& t, const std::string& q, long long id, const std::string& from,
                                          const std::string& to) {
  std::vector<AttendanceRow> out;
  AttendanceRow r;
  long long reg = 0, cls = 0, sid = 0, period = 0;
  std::string code, kind, note;
  soci::indicator code_i = soci::i_null, kind_i = soci::i_null, note_i = soci::i_null;
  soci::statement st = (t.sql().prepare << q, soci::use(id, "id"), soci::use(from, "f"), soci::use(to, "t"),
                        soci::into(reg), soci::into(cls), soci::into(sid), soci::into(r.day), soci::into(period),
                        soci::into(code, code_i), soci::into(kind, kind_i), soci::into(note, note_i));
  st.execute();
  while (st.fetch()) {
    r.register_id = reg;
    r.class_id = cls;
    r.student_id = sid;
    r.period_id = period;
    r.code = code_i == soci::i_ok ? code : "";
    r.kind = kind_i == soci::i_ok ? kind : "present";
    r.note = note_i == soci::i_ok ? note : "";
    out.push_back(r);
  }
  return out;
}

}  // namespace

std::vector<AttendanceCodeRow> codes(Tx& t, bool active_only) {
  std::vector<AttendanceCodeRow> out;
  AttendanceCodeRow r;
  int active = 0, order = 0;
  std::string q = "SELECT code, label, kind, active, sort_order FROM attendance_codes";
  if (active_only) q += " WHERE active = 1";
  q += " ORDER BY sort_order, code";
  soci::statement st = (t.sql().prepare << q, soci::into(r.code), soci::into(r.label), soci::into(r.kind),
                        soci::into(active), soci::into(order));
  st.execute();
  while (st.fetch()) {
    r.active = active != 0;
    r.sort_order = order;
    out.push_back(r);
  }
  return out;
}

std::optional<AttendanceCodeRow> code_by_id(Tx& t, const std::string& code) {
  AttendanceCodeRow r;
  int active = 0, order = 0;
  t.sql() << "SELECT code, label, kind, active, sort_order FROM attendance_codes WHERE code = :c", soci::use(code),
      soci::into(r.code), soci::into(r.label), soci::into(r.kind), soci::into(active), soci::into(order);
  if (!t.sql().got_data()) return std::nullopt;
  r.active = active != 0;
  r.sort_order = order;
  return r;
}

void insert_code(Tx& t, const AttendanceCodeRow& c) {
  int active = c.active ? 1 : 0;
  t.sql() << "INSERT INTO attendance_codes (code, label, kind, active, sort_order) VALUES (:c, :l, :k, :a, :o)",
      soci::use(c.code), soci::use(c.label), soci::use(c.kind), soci::use(active), soci::use(c.sort_order);
}

void update_code(Tx& t, const AttendanceCodeRow& c) {
  int active = c.active ? 1 : 0;
  t.sql() << "UPDATE attendance_codes SET label = :l, kind = :k, active = :a WHERE code = :c", soci::use(c.label),
      soci::use(c.kind), soci::use(active), soci::use(c.code);
}

std::optional<RegisterRow> find_register(Tx& t, std::int64_t class_id, const std::string& day, std::int64_t period_id) {
  RegisterRow r;
  long long id = 0, cls = class_id, period = period_id, by = 0, taken = 0, updated = 0;
  std::string name;
  soci::indicator by_i = soci::i_null, name_i = soci::i_null;
  t.sql() << "SELECT r.id, r.taken_by, u.full_name, r.taken_at, r.updated_at FROM attendance_registers r "
             "LEFT JOIN users u ON u.id = r.taken_by WHERE r.class_id = :c AND r.day = :d AND r.period_id = :p",
      soci::use(cls), soci::use(day), soci::use(period), soci::into(id), soci::into(by, by_i), soci::into(name, name_i),
      soci::into(taken), soci::into(updated);
  if (!t.sql().got_data()) return std::nullopt;
  r.id = id;
  r.class_id = class_id;
  r.day = day;
  r.period_id = period_id;
  r.taken_by = by_i == soci::i_ok ? by : 0;
  r.taken_by_name = name_i == soci::i_ok ? name : "";
  r.taken_at = taken;
  r.updated_at = updated;
  return r;
}

RegisterRow upsert_register(Tx& t, std::int64_t class_id, const std::string& day, std::int64_t period_id,
                            std::int64_t by, std::int64_t now) {
  long long cls = class_id, period = period_id, who = by, n = now;
  t.sql() << insert_ignore(t) +
                 " INTO attendance_registers (class_id, day, period_id, taken_by, taken_at, updated_at) "
                 "VALUES (:c, :d, :p, :b, :t, :u)",
      soci::use(cls), soci::use(day), soci::use(period), soci::use(who), soci::use(n), soci::use(n);
  t.sql() << "UPDATE attendance_registers SET taken_by = :b, updated_at = :u WHERE class_id = :c AND day = :d AND "
             "period_id = :p",
      soci::use(who), soci::use(n), soci::use(cls), soci::use(day), soci::use(period);
  return *find_register(t, class_id, day, period_id);
}

std::vector<MarkRow> marks(Tx& t, std::int64_t register_id) {
  std::vector<MarkRow> out;
  MarkRow m;
  long long reg = register_id, sid = 0;
  soci::statement st = (t.sql().prepare << "SELECT student_id, code, note FROM attendance_marks WHERE register_id = :r "
                                           "ORDER BY student_id",
                        soci::use(reg), soci::into(sid), soci::into(m.code), soci::into(m.note));
  st.execute();
  while (st.fetch()) {
    m.student_id = sid;
    out.push_back(m);
  }
  return out;
}

void clear_marks(Tx& t, std::int64_t register_id) {
  long long reg = register_id;
  t.sql() << "DELETE FROM attendance_marks WHERE register_id = :r", soci::use(reg);
}

void insert_mark(Tx& t, std::int64_t register_id, const MarkRow& m) {
  long long reg = register_id, sid = m.student_id;
  t.sql() << "INSERT INTO attendance_marks (register_id, student_id, code, note) VALUES (:r, :s, :c, :n)",
      soci::use(reg), soci::use(sid), soci::use(m.code), soci::use(m.note);
}

std::vector<RegisterRow> registers_on(Tx& t, const std::string& day) {
  std::vector<RegisterRow> out;
  RegisterRow r;
  long long id = 0, cls = 0, period = 0;
  soci::statement st = (t.sql().prepare << "SELECT id, class_id, period_id FROM attendance_registers WHERE day = :d",
                        soci::use(day), soci::into(id), soci::into(cls), soci::into(period));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.class_id = cls;
    r.day = day;
    r.period_id = period;
    out.push_back(r);
  }
  return out;
}

std::vector<AttendanceRow> student_sessions(Tx& t, std::int64_t student_id, const std::string& from,
                                            const std::string& to) {
  return fetch_sessions(t,
                        "SELECT r.id, r.class_id, cs.student_id, r.day, r.period_id, m.code, c.kind, m.note "
                        "FROM attendance_registers r JOIN class_students cs ON cs.class_id = r.class_id "
                        "LEFT JOIN attendance_marks m ON m.register_id = r.id AND m.student_id = cs.student_id "
                        "LEFT JOIN attendance_codes c ON c.code = m.code "
                        "WHERE cs.student_id = :id AND r.day >= :f AND r.day <= :t "
                        "ORDER BY r.day, r.period_id, r.class_id",
                        student_id, from, to);
}

std::vector<AttendanceRow> class_sessions(Tx& t, std::int64_t class_id, const std::string& from,
                                          const std::string& to) {
  return fetch_sessions(t,
                        "SELECT r.id, r.class_id, cs.student_id, r.day, r.period_id, m.code, c.kind, m.note "
                        "FROM attendance_registers r JOIN class_students cs ON cs.class_id = r.class_id "
                        "LEFT JOIN attendance_marks m ON m.register_id = r.id AND m.student_id = cs.student_id "
                        "LEFT JOIN attendance_codes c ON c.code = m.code "
                        "WHERE r.class_id = :id AND r.day >= :f AND r.day <= :t "
                        "ORDER BY cs.student_id, r.day, r.period_id",
                        class_id, from, to);
}

bool claim_alert(Tx& t, std::int64_t student_id, const std::string& day, std::int64_t register_id, std::int64_t now) {
  long long sid = student_id, reg = register_id, n = now;
  soci::statement st = (t.sql().prepare << insert_ignore(t) +
                                               " INTO attendance_alerts (student_id, day, register_id, created_at) "
                                               "VALUES (:s, :d, :r, :n)",
                        soci::use(sid), soci::use(day), soci::use(reg), soci::use(n));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::int64_t alert_count(Tx& t, std::int64_t student_id, const std::string& day) {
  long long sid = student_id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM attendance_alerts WHERE student_id = :s AND day = :d", soci::use(sid),
      soci::use(day), soci::into(n);
  return n;
}

std::vector<std::int64_t> active_guardians(Tx& t, std::int64_t student_id) {
  std::vector<std::int64_t> out;
  long long sid = student_id, g = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT g.guardian_id FROM guardian_links g JOIN users u ON u.id = "
                          "g.guardian_id AND u.active = 1 WHERE g.student_id = :s ORDER BY g.guardian_id",
       soci::use(sid), soci::into(g));
  st.execute();
  while (st.fetch()) out.push_back(g);
  return out;
}

}  // namespace sy::db::attendance
