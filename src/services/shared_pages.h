#pragma once
// Shared pages: content that is the same for everyone allowed to see it, cached in process by the
// web layer under its content version (services/content_version.h). The services here answer the
// two questions a cached request asks: "may this actor see it, and which version is current?" (one
// short read on the primary, every request) and "what is the content at that version?" (only when
// the cache does not have it).
#include <cstdint>

#include "services/actor.h"
#include "services/app.h"
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

}  // namespace sy::services
