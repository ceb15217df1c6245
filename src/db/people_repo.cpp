#include "db/people_repo.h"

#include <soci/soci.h>

#include <functional>

#include "db/content_versions_repo.h"
#include "db/states_soci.h"
#include "db/subjects_repo.h"

namespace sy::db {

namespace {

const char* kProfileSelect =
    "SELECT u.id, u.username, u.role, u.full_name, u.active, u.admission_no, u.date_of_birth, u.status, u.email, "
    "u.phone, u.preferred_language, u.email_opt_out FROM users u ";

std::vector<ProfileRow> fetch(Tx& t, const std::string& q,
                              const std::function<void(soci::details::prepare_temp_type&)>& use) {
  std::vector<ProfileRow> out;
  ProfileRow r;
  long long id = 0;
  int active = 0, opt_out = 0;
  std::string adm;
  soci::indicator adm_ind = soci::i_null;
  auto prep =
      (t.sql().prepare << q, soci::into(id), soci::into(r.username), soci::into(r.role), soci::into(r.full_name),
       soci::into(active), soci::into(adm, adm_ind), soci::into(r.date_of_birth), soci::into(r.status),
       soci::into(r.email), soci::into(r.phone), soci::into(r.preferred_language), soci::into(opt_out));
  use(prep);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.active = active != 0;
    r.admission_no = adm_ind == soci::i_ok ? adm : "";
    r.email_opt_out = opt_out != 0;
    out.push_back(r);
  }
  return out;
}

std::optional<ProfileRow> first(std::vector<ProfileRow> rows) {
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

// One fixed statement for every filter combination: an unused filter compares its own blank value.
const char* kFilterWhere =
    "WHERE (:r0 = '' OR u.role = :r1) AND (:s0 = '' OR u.status = :s1) AND (:a0 < 0 OR u.active = :a1) "
    "AND (:c0 = 0 OR EXISTS (SELECT 1 FROM class_students cs WHERE cs.class_id = :c1 AND cs.student_id = u.id)) "
    "AND (:q0 = '' OR u.username LIKE :q1 ESCAPE '!' OR u.full_name LIKE :q2 ESCAPE '!' "
    "OR u.admission_no LIKE :q3 ESCAPE '!' OR u.email LIKE :q4 ESCAPE '!') ";

struct Bound {
  std::string role, status;  // "" for a filter left open
  std::string pat;
  long long cls = 0;
  int active = -1;
};

void bind_filter(soci::details::prepare_temp_type& p, const PeopleFilter& f, Bound& b) {
  b.role = to_string_or_empty(f.role);
  b.status = to_string_or_empty(f.status);
  b.pat = like_pattern(f.q);
  b.cls = f.class_id;
  b.active = f.active;
  p, soci::use(b.role), soci::use(b.role), soci::use(b.status), soci::use(b.status), soci::use(b.active),
      soci::use(b.active), soci::use(b.cls), soci::use(b.cls), soci::use(f.q), soci::use(b.pat), soci::use(b.pat),
      soci::use(b.pat), soci::use(b.pat);
}

}  // namespace

namespace people {

std::optional<ProfileRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  return first(fetch(t, std::string(kProfileSelect) + "WHERE u.id = :id", [&](auto& p) { p, soci::use(i); }));
}

std::optional<ProfileRow> by_username(Tx& t, const std::string& username) {
  return first(
      fetch(t, std::string(kProfileSelect) + "WHERE u.username = :u", [&](auto& p) { p, soci::use(username); }));
}

std::optional<ProfileRow> by_admission_no(Tx& t, const std::string& admission_no) {
  return first(fetch(t, std::string(kProfileSelect) + "WHERE u.admission_no = :a",
                     [&](auto& p) { p, soci::use(admission_no); }));
}

void update(Tx& t, const ProfileRow& r, std::int64_t now) {
  long long i = r.id, n = now;
  int opt_out = r.email_opt_out ? 1 : 0;
  soci::indicator adm_ind = r.admission_no.empty() ? soci::i_null : soci::i_ok;
  t.sql() << "UPDATE users SET full_name = :f, admission_no = :a, date_of_birth = :d, status = :s, email = :e, "
             "phone = :p, preferred_language = :l, email_opt_out = :o, updated_at = :n WHERE id = :id",
      soci::use(r.full_name), soci::use(r.admission_no, adm_ind), soci::use(r.date_of_birth), soci::use(r.status),
      soci::use(r.email), soci::use(r.phone), soci::use(r.preferred_language), soci::use(opt_out), soci::use(n),
      soci::use(i);
  content_versions::bump_user_classes(t, r.id);  // the name shows on yearbooks and class pages
}

std::vector<ProfileRow> search(Tx& t, const PeopleFilter& f, int limit, int offset) {
  Bound b;
  std::string order = f.by_username ? "ORDER BY u.username, u.id " : "ORDER BY u.full_name, u.username, u.id ";
  return fetch(t, std::string(kProfileSelect) + kFilterWhere + order + "LIMIT :l OFFSET :o", [&](auto& p) {
    bind_filter(p, f, b);
    p, soci::use(limit), soci::use(offset);
  });
}

std::int64_t count(Tx& t, const PeopleFilter& f) {
  Bound b;
  long long n = 0;
  auto prep = (t.sql().prepare << std::string("SELECT COUNT(*) FROM users u ") + kFilterWhere, soci::into(n));
  bind_filter(prep, f, b);
  soci::statement st(prep);
  st.execute(true);
  return n;
}

std::vector<ProfileRow> guardians_of(Tx& t, std::int64_t student_id) {
  long long s = student_id;
  return fetch(t,
               std::string(kProfileSelect) +
                   "JOIN guardian_links g ON g.guardian_id = u.id WHERE g.student_id = :s AND u.active = 1 "
                   "ORDER BY u.full_name, u.username, u.id",
               [&](auto& p) { p, soci::use(s); });
}

}  // namespace people

}  // namespace sy::db
