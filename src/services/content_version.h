#pragma once
// Content versions of shared pages (db/content_versions_repo.h, migration 0007).
//
// A page whose bytes are the same for everyone allowed to see it (a class yearbook, a class roster,
// later a published result page) is cached in process under (key, version). Every change that
// affects such a page bumps its version inside the SAME transaction as the change, so the new
// version becomes visible exactly when the change does, on every instance sharing the database.
// The db mutators listed in db/content_versions_repo.h already bump; a service making another kind
// of change calls a bump_* below inside its transaction. Readers take the version from the primary
// (never a replica), in the same transaction that reads the page's content when they render it.
#include <cstdint>
#include <string>

#include "db/database.h"
#include "services/app.h"

namespace sy::services {

namespace content_key {
std::string class_yearbook(std::int64_t class_id);  // "yearbook:class:<id>" (screen, print view, PDF)
std::string class_roster(std::int64_t class_id);    // "roster:class:<id>"
}  // namespace content_key

// The current version of `key` (0 when never bumped), read from the primary.
std::int64_t content_version(App& app, const std::string& key);
std::int64_t content_version(db::Tx& t, const std::string& key);

// +1 on one key, inside the caller's transaction.
void bump_content(db::Tx& t, const std::string& key);

// Yearbook and roster of one class.
void bump_class_pages(db::Tx& t, std::int64_t class_id);

// Yearbook and roster of every class the user is enrolled in or teaches now (a photo deleted, a
// student erased: call it before deleting the enrolments).
void bump_user_pages(db::Tx& t, std::int64_t user_id);

}  // namespace sy::services
