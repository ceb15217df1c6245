#pragma once
// The people fields of an account (migration 0010) and the searchable, paged people lists.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct ProfileRow {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::anonymous;
  std::string full_name;
  bool active = true;
  std::string admission_no;   // students; "" = none (stored as NULL)
  std::string date_of_birth;  // 'YYYY-MM-DD' or ""
  PersonStatus status = PersonStatus::active;
  std::string email;               // "" = none
  std::string phone;               // "" = none
  std::string preferred_language;  // BCP 47 tag ("en", "pt-BR") or ""
  bool email_opt_out = false;      // no non-essential email
};

// Every field is optional: "" / nullopt / 0 / -1 match everything.
struct PeopleFilter {
  std::string q;             // substring of username, full name, admission number or email
  std::optional<Role> role;  // admin | teacher | student | guardian
  std::optional<PersonStatus> status;
  int active = -1;            // 1 / 0: account active or not
  std::int64_t class_id = 0;  // enrolled in that class
  bool by_username = false;   // order by username instead of full name
};

namespace people {
std::optional<ProfileRow> by_id(Tx& t, std::int64_t id);
std::optional<ProfileRow> by_username(Tx& t, const std::string& username);
std::optional<ProfileRow> by_admission_no(Tx& t, const std::string& admission_no);
// Writes full_name and every people field of row.id (username, role, active untouched).
void update(Tx& t, const ProfileRow& row, std::int64_t now);
std::vector<ProfileRow> search(Tx& t, const PeopleFilter& f, int limit, int offset);
std::int64_t count(Tx& t, const PeopleFilter& f);
// A student's guardians (active accounts only), by full name: whom to tell about the student.
std::vector<ProfileRow> guardians_of(Tx& t, std::int64_t student_id);
}  // namespace people

}  // namespace sy::db
