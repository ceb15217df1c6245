#pragma once
// Notices: announcements school-wide or to classes and roles, with a publish date; shown to
// exactly the users their targets match (services/db notices_repo.h says how a target matches);
// read receipts for the author (and admins).
//
// Who may write: admins, to anyone; teachers, only to classes they teach (every target names one
// of their classes — never school-wide).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/notices_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// An audience as asked for: the role is text until create_notice has checked it.
struct TargetInput {
  std::optional<std::int64_t> class_id;  // nullopt: the whole school
  std::string role;                      // "" (every role) | admin | teacher | student | guardian
};

struct NoticeInput {
  std::string title;                       // 1–200 characters
  std::string body;                        // 1–10000 characters
  std::optional<std::int64_t> publish_at;  // default: now
  std::vector<TargetInput> targets;        // 1–50
};

// "2026-12-01" (midnight UTC) or "2026-12-01T08:30[:00][Z]" (UTC); AppError invalid otherwise.
std::int64_t parse_publish_at(const std::string& s);

db::NoticeRow create_notice(App& app, const Actor& actor, NoticeInput in);
// Published notices for the actor, newest first (the home page shows these).
std::vector<db::NoticeRow> my_notices(App& app, const Actor& actor, int limit);
// A published notice the actor is a recipient of, or one they wrote (admins: any); 404 otherwise.
db::NoticeRow get_notice(App& app, const Actor& actor, std::int64_t id);
// Recipients only (404 otherwise); idempotent.
void mark_notice_read(App& app, const Actor& actor, std::int64_t id);
// What the actor wrote (admins: everyone's); students and guardians: 403.
std::vector<db::NoticeRow> sent_notices(App& app, const Actor& actor, int limit);
// The author's (or an admin's) view of who read it; 404 for anyone else.
std::vector<db::Receipt> notice_receipts(App& app, const Actor& actor, std::int64_t id);
// Whether the actor may see receipts of the notice (author or admin).
bool can_see_receipts(const Actor& actor, const db::NoticeRow& n);

}  // namespace sy::services
