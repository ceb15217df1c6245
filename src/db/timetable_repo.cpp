#include "db/timetable_repo.h"

#include <soci/soci.h>

namespace sy::db::timetable {

namespace {

const char* kSlotSelect =
    "SELECT s.id, s.class_id, c.name, s.weekday, s.period_id, p.name, p.starts_at, p.ends_at, s.subject_id, sj.name, "
    "s.teacher_id, u.full_name, u.username, s.room_id, r.name FROM timetable_slots s "
    "JOIN classes c ON c.id = s.class_id JOIN periods p ON p.id = s.period_id JOIN users u ON u.id = s.teacher_id "
    "LEFT JOIN rooms r ON r.id = s.room_id LEFT JOIN subjects sj ON sj.id = s.subject_id ";
const char* kSlotOrder = " ORDER BY s.weekday, p.starts_at, c.name, s.id";

// Runs a slot query with up to three integer parameters (:a, :b, :c, bound by name).
std::vector<SlotRow> fetch_slots(Tx& t, const std::string& where, std::vector<long long> args) {
  std::vector<SlotRow> out;
  SlotRow r;
  long long id = 0, cls = 0, period = 0, teacher = 0, room = 0, subject = 0;
  int weekday = 0;
  std::string full_name, username, room_name, subject_name;
  soci::indicator room_i = soci::i_null, room_name_i = soci::i_null, subject_i = soci::i_null,
                  subject_name_i = soci::i_null;
  args.resize(3, 0);
  std::string q = std::string(kSlotSelect) + where + kSlotOrder;
  soci::statement st(t.sql());
  st.exchange(soci::into(id));
  st.exchange(soci::into(cls));
  st.exchange(soci::into(r.class_name));
  st.exchange(soci::into(weekday));
  st.exchange(soci::into(period));
  st.exchange(soci::into(r.period_name));
  st.exchange(soci::into(r.starts_at));
  st.exchange(soci::into(r.ends_at));
  st.exchange(soci::into(subject, subject_i));
  st.exchange(soci::into(subject_name, subject_name_i));
  st.exchange(soci::into(teacher));
  st.exchange(soci::into(full_name));
  st.exchange(soci::into(username));
  st.exchange(soci::into(room, room_i));
  st.exchange(soci::into(room_name, room_name_i));
  const char* names[] = {"a", "b", "c"};
  for (int i = 0; i < 3; ++i)
    if (where.find(std::string(":") + names[i]) != std::string::npos) st.exchange(soci::use(args[i], names[i]));
  st.alloc();
  st.prepare(q);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.class_id = cls;
    r.weekday = weekday;
    r.period_id = period;
    r.teacher_id = teacher;
    r.teacher_name = full_name.empty() ? username : full_name;
    r.subject_id = subject_i == soci::i_ok ? subject : 0;
    r.subject = subject_name_i == soci::i_ok ? subject_name : "";
    r.room_id = room_i == soci::i_ok ? room : 0;
    r.room_name = room_name_i == soci::i_ok ? room_name : "";
    out.push_back(r);
  }
  return out;
}

std::optional<SlotRow> first(std::vector<SlotRow> v) {
  if (v.empty()) return std::nullopt;
  return v.front();
}

std::vector<SlotRow> by_owner(Tx& t, const std::string& where, std::int64_t owner, int weekday) {
  if (weekday == 0) return fetch_slots(t, "WHERE " + where, {owner});
  return fetch_slots(t, "WHERE " + where + " AND s.weekday = :b", {owner, weekday});
}

}  // namespace

std::vector<PeriodRow> periods(Tx& t) {
  std::vector<PeriodRow> out;
  PeriodRow p;
  long long id = 0;
  soci::statement st = (t.sql().prepare << "SELECT id, name, starts_at, ends_at FROM periods ORDER BY starts_at, id",
                        soci::into(id), soci::into(p.name), soci::into(p.starts_at), soci::into(p.ends_at));
  st.execute();
  while (st.fetch()) {
    p.id = id;
    out.push_back(p);
  }
  return out;
}

std::optional<PeriodRow> period_by_id(Tx& t, std::int64_t id_in) {
  PeriodRow p;
  long long id = id_in;
  t.sql() << "SELECT name, starts_at, ends_at FROM periods WHERE id = :i", soci::use(id), soci::into(p.name),
      soci::into(p.starts_at), soci::into(p.ends_at);
  if (!t.sql().got_data()) return std::nullopt;
  p.id = id_in;
  return p;
}

std::optional<PeriodRow> period_by_name(Tx& t, const std::string& name) {
  PeriodRow p;
  long long id = 0;
  t.sql() << "SELECT id, name, starts_at, ends_at FROM periods WHERE name = :n", soci::use(name), soci::into(id),
      soci::into(p.name), soci::into(p.starts_at), soci::into(p.ends_at);
  if (!t.sql().got_data()) return std::nullopt;
  p.id = id;
  return p;
}

std::int64_t insert_period(Tx& t, const PeriodRow& p, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO periods (name, starts_at, ends_at, created_at) VALUES (:n, :s, :e, :c)", soci::use(p.name),
      soci::use(p.starts_at), soci::use(p.ends_at), soci::use(n);
  return t.last_insert_id();
}

bool delete_period(Tx& t, std::int64_t id_in) {
  long long id = id_in;
  soci::statement st = (t.sql().prepare << "DELETE FROM periods WHERE id = :i", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<RoomRow> rooms(Tx& t) {
  std::vector<RoomRow> out;
  RoomRow r;
  long long id = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT id, name FROM rooms ORDER BY name, id", soci::into(id), soci::into(r.name));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    out.push_back(r);
  }
  return out;
}

std::optional<RoomRow> room_by_id(Tx& t, std::int64_t id_in) {
  RoomRow r;
  long long id = id_in;
  t.sql() << "SELECT name FROM rooms WHERE id = :i", soci::use(id), soci::into(r.name);
  if (!t.sql().got_data()) return std::nullopt;
  r.id = id_in;
  return r;
}

std::optional<RoomRow> room_by_name(Tx& t, const std::string& name) {
  RoomRow r;
  long long id = 0;
  t.sql() << "SELECT id, name FROM rooms WHERE name = :n", soci::use(name), soci::into(id), soci::into(r.name);
  if (!t.sql().got_data()) return std::nullopt;
  r.id = id;
  return r;
}

std::int64_t insert_room(Tx& t, const std::string& name, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO rooms (name, created_at) VALUES (:n, :c)", soci::use(name), soci::use(n);
  return t.last_insert_id();
}

bool delete_room(Tx& t, std::int64_t id_in) {
  long long id = id_in;
  soci::statement st = (t.sql().prepare << "DELETE FROM rooms WHERE id = :i", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::int64_t insert_slot(Tx& t, const SlotRow& s, std::int64_t now) {
  long long cls = s.class_id, period = s.period_id, teacher = s.teacher_id, room = s.room_id, n = now,
            subject = s.subject_id;
  int weekday = s.weekday;
  soci::indicator room_i = s.room_id ? soci::i_ok : soci::i_null;
  soci::indicator subject_i = s.subject_id ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO timetable_slots (class_id, weekday, period_id, subject_id, teacher_id, room_id, created_at) "
             "VALUES (:c, :w, :p, :s, :t, :r, :n)",
      soci::use(cls), soci::use(weekday), soci::use(period), soci::use(subject, subject_i), soci::use(teacher),
      soci::use(room, room_i), soci::use(n);
  return t.last_insert_id();
}

bool delete_slot(Tx& t, std::int64_t id_in) {
  long long id = id_in;
  soci::statement st = (t.sql().prepare << "DELETE FROM timetable_slots WHERE id = :i", soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::optional<SlotRow> slot_by_id(Tx& t, std::int64_t id) { return first(fetch_slots(t, "WHERE s.id = :a", {id})); }

std::optional<SlotRow> slot_of_class(Tx& t, std::int64_t class_id, int weekday, std::int64_t period_id) {
  return first(
      fetch_slots(t, "WHERE s.class_id = :a AND s.weekday = :b AND s.period_id = :c", {class_id, weekday, period_id}));
}

std::optional<SlotRow> slot_of_teacher(Tx& t, std::int64_t teacher_id, int weekday, std::int64_t period_id) {
  return first(fetch_slots(t, "WHERE s.teacher_id = :a AND s.weekday = :b AND s.period_id = :c",
                           {teacher_id, weekday, period_id}));
}

std::optional<SlotRow> slot_of_room(Tx& t, std::int64_t room_id, int weekday, std::int64_t period_id) {
  return first(
      fetch_slots(t, "WHERE s.room_id = :a AND s.weekday = :b AND s.period_id = :c", {room_id, weekday, period_id}));
}

std::vector<SlotRow> slots_of_class(Tx& t, std::int64_t class_id, int weekday) {
  return by_owner(t, "s.class_id = :a", class_id, weekday);
}

std::vector<SlotRow> slots_of_teacher(Tx& t, std::int64_t teacher_id, int weekday) {
  return by_owner(t, "s.teacher_id = :a", teacher_id, weekday);
}

std::vector<SlotRow> slots_of_student(Tx& t, std::int64_t student_id, int weekday) {
  return by_owner(t, "s.class_id IN (SELECT cs.class_id FROM class_students cs WHERE cs.student_id = :a)", student_id,
                  weekday);
}

std::vector<SlotRow> slots_on(Tx& t, int weekday) { return fetch_slots(t, "WHERE s.weekday = :a", {weekday}); }

std::int64_t slot_count(Tx& t) {
  long long n = 0;
  t.sql() << "SELECT COUNT(*) FROM timetable_slots", soci::into(n);
  return n;
}

}  // namespace sy::db::timetable
