#pragma once
// The people fields (admission number, date of birth, status, email, phone, preferred language,
// email opt-out), validated here; searchable, paged people lists. Who sees a person:
// admin everyone; the person themself; a teacher the students of their classes and those
// students' guardians; a guardian their children. Editing: admin (users.manage) every field; a
// person their own contact fields (email, phone, language, opt-out).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/people_repo.h"
#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/paging.h"

namespace sy::services {

// Each returns the cleaned value ("" stays "": the field is optional) or throws AppError 422 with
// the code in brackets.
std::string validate_email(const std::string& email);      // [invalid_email]
std::string validate_phone(const std::string& phone);      // [invalid_phone] 6–15 digits, + ( ) - . space
std::string validate_language(const std::string& tag);     // [invalid_language] "en", "pt-BR"
std::string validate_admission_no(const std::string& no);  // [invalid_admission_no] 1–32 of A-Z a-z 0-9 - / . _
std::string validate_birth_date(const std::string& date);  // [invalid_date] not in the future

// Fields to change; nullopt leaves the field as it is.
struct PersonInput {
  std::optional<std::string> full_name;
  std::optional<std::string> admission_no;  // students only
  std::optional<std::string> date_of_birth;
  std::optional<std::string> status;  // as given: active | left | graduated
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> preferred_language;
  std::optional<bool> email_opt_out;
};

struct PersonDetail {
  db::ProfileRow person;
  std::vector<db::ProfileRow> guardians;  // for a student
  std::vector<db::ProfileRow> children;   // for a guardian
  std::vector<db::ClassRow> classes;      // a student's classes or a teacher's
};

// 403 outside the caller's scope, then 404 no_such_user.
PersonDetail get_person(App& app, const Actor& actor, std::int64_t user_id);
// Validates every given field first, then writes them in one transaction (all or nothing).
// 409 admission_no_taken; 422 not_a_student for an admission number on another role;
// 403 when a non-admin touches a field other than their own contact fields.
db::ProfileRow update_person(App& app, const Actor& actor, std::int64_t user_id, const PersonInput& in);

// users.manage: every account, filtered and paged.
Paged<db::ProfileRow> search_people(App& app, const Actor& actor, const db::PeopleFilter& filter, Page page);
// classes.view on the class: its students, filtered (q, status, active) and paged. Classmates
// and guardians get names only (every other field blanked), as on the class page.
Paged<db::ProfileRow> class_students(App& app, const Actor& actor, std::int64_t class_id, db::PeopleFilter filter,
                                     Page page);

// For mail senders (no actor: the caller has already decided to tell them): the student's active
// guardians with an email address; with essential=false those who opted out are left out.
std::vector<db::ProfileRow> guardian_recipients(App& app, std::int64_t student_id, bool essential);

}  // namespace sy::services
