#pragma once
// Content versions (migration 0007): a counter per shared page, bumped in the transaction of every
// change that affects the page, so a cache keyed by (name, version) is right on every instance that
// shares the database. A name never bumped reads as version 0. The services' API over this is
// services/content_version.h.
//
// The repository mutators that change what a class yearbook or roster shows bump here themselves
// (users::set_active / set_full_name, classes::enrol / unenrol / assign_teacher / unassign_teacher,
// consent::set, photos::moderate / mark_ready / mark_failed / mark_processing / clear_current /
// mark_purged), so no caller can forget it. A new mutator of that kind must do the same.
#include <cstdint>
#include <string>

#include "db/database.h"

namespace sy::db::content_versions {

std::string class_yearbook(std::int64_t class_id);  // "yearbook:class:<id>"
std::string class_roster(std::int64_t class_id);    // "roster:class:<id>"
// "lists:personal": the per-user lists shown on every page (the home page's notices with their
// read marks, the navigation's photos-awaiting-review count). They depend on notices and their
// reads, photos, memberships (enrolment, teaching, guardianship), names and active flags, so one
// school-wide counter covers them: bumped by notices::insert / mark_read, guardians::link /
// unlink, photos::insert, erasure::delete_photo / delete_user, and by bump_class and
// bump_user_classes below (every membership, name, active-flag and photo mutator calls one).
std::string personal_lists();

std::int64_t get(Tx& t, const std::string& name);
// +1 (creates the row at 1). One statement, so two concurrent bumps both count.
void bump(Tx& t, const std::string& name);

// personal_lists() + 1.
void bump_personal(Tx& t);

// Yearbook and roster of one class, and the personal lists.
void bump_class(Tx& t, std::int64_t class_id);
// Yearbook and roster of every class the user is enrolled in or teaches now, and the personal
// lists (even when the user is in no class).
void bump_user_classes(Tx& t, std::int64_t user_id);

}  // namespace sy::db::content_versions
