#pragma once
// The per-user lists shown on every page — the home page's notices (with read marks) and the
// navigation's photos-awaiting-review count — read with the content version they were read at
// (db::content_versions::personal_lists(), bumped in the transaction of every change they depend
// on), so the web layer can keep them per user and ask the database only for that one counter.
// Notices also depend on the clock (a scheduled notice appears at its publish date): a kept list
// is right at its version only until `valid_until`.
#include <cstdint>
#include <limits>
#include <vector>

#include "db/notices_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// The current version of the personal lists, read from the primary (one kept statement).
std::int64_t personal_lists_version(App& app);

// pending_review_count() and the version it was counted at, from one transaction.
struct CountAt {
  std::int64_t count = 0;
  std::int64_t version = 0;
};
CountAt pending_review_count_at(App& app, const Actor& actor);

// my_notices() and the version, from one transaction, with the instant the list stops being
// right without a version change: the next publish date of any scheduled notice.
struct NoticesAt {
  std::vector<db::NoticeRow> notices;
  std::int64_t version = 0;
  std::int64_t valid_until = std::numeric_limits<std::int64_t>::max();
};
NoticesAt my_notices_at(App& app, const Actor& actor, int limit);

}  // namespace sy::services
