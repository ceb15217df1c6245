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

std::int64_t get(Tx& t, const std::string& name);
// +1 (creates the row at 1). One statement, so two concurrent bumps both count.
void bump(Tx& t, const std::string& name);

// Yearbook and roster of one class.
void bump_class(Tx& t, std::int64_t class_id);
// Yearbook and roster of every class the user is enrolled in or teaches now.
void bump_user_classes(Tx& t, std::int64_t user_id);

}  // namespace sy::db::content_versions
