#pragma once
// Shared pages: content that is the same for everyone allowed to see it, cached in process by the
// web layer under its content version (services/content_version.h). The services here answer the
// two questions a cached request asks: "may this actor see it, and which version is current?" (one
// short read on the primary, every request) and "what is the content at that version?" (only when
// the cache does not have it).
#include <cstdint>

#include "services/actor.h"
#include "services/app.h"
#include "services/school.h"
#include "services/yearbook.h"

namespace sy::services {

// yearbook.view on the class (403 before 404), then the current version of its yearbook; read
// from the primary, so a change committed anywhere is seen by the next request.
std::int64_t yearbook_version(App& app, const Actor& actor, std::int64_t class_id);

// The screen yearbook of a class as of `version`, read from the primary in one transaction that
// reads the version before and after the content: `settled` is false when a change committed in
// between (serve it, but do not cache it under that version). Checks yearbook.view as well.
struct VersionedYearbook {
  Yearbook yearbook;
  std::int64_t version = 0;
  bool settled = false;
};
VersionedYearbook yearbook_at_version(App& app, const Actor& actor, std::int64_t class_id);

// classes.view on the class, then the current version of its roster (the class page).
std::int64_t roster_version(App& app, const Actor& actor, std::int64_t class_id);

// Whether this actor sees the staff view of a roster (usernames, consent), as get_class decides.
bool roster_staff_view(const Actor& actor);

// get_class() between two reads of the roster's version on the primary: settled when both reads
// agree, so no change committed while the class was read (every change bumps the version in its
// own transaction).
struct VersionedClass {
  ClassDetail detail;
  std::int64_t version = 0;
  bool settled = false;
};
VersionedClass class_at_version(App& app, const Actor& actor, std::int64_t class_id);

}  // namespace sy::services
