#pragma once
// Notices (announcements), who they are for (notice_targets) and who read them (notice_reads).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct NoticeTarget {
  std::optional<std::int64_t> class_id;  // nullopt: any class (school-wide)
  std::optional<Role> role;              // nullopt: every role
};

struct NoticeRow {
  std::int64_t id = 0;
  std::optional<std::int64_t> author_id;
  std::string author_name;
  std::string title;
  std::string body;
  std::int64_t publish_at = 0;
  std::int64_t created_at = 0;
  bool read = false;  // by the user the list was made for
  std::vector<NoticeTarget> targets;
};

struct Receipt {
  std::int64_t user_id = 0;
  std::string username;
  std::string full_name;
  Role role = Role::anonymous;
  std::optional<std::int64_t> read_at;
};

namespace notices {

std::int64_t insert(Tx& t, const NoticeRow& n);  // with its targets
std::optional<NoticeRow> by_id(Tx& t, std::int64_t id);
// Published notices (publish_at <= now) whose targets match the user, newest first.
std::vector<NoticeRow> for_user(Tx& t, std::int64_t user_id, Role role, std::int64_t now, int limit);
// Whether notice `id` is for this user (targets only; the publish date is checked by the caller).
bool is_recipient(Tx& t, std::int64_t id, std::int64_t user_id, Role role);
// Notices written by the author (0 = everyone's), newest first, published or not.
std::vector<NoticeRow> by_author(Tx& t, std::int64_t author_id, int limit);
void mark_read(Tx& t, std::int64_t id, std::int64_t user_id, std::int64_t now);  // idempotent
// The earliest publish date after `now` of any notice (scheduled, for anyone), if there is one: a
// cached list of a user's notices is right until then.
std::optional<std::int64_t> next_publish_after(Tx& t, std::int64_t now);
// Every active user the notice is for, with when they read it.
std::vector<Receipt> receipts(Tx& t, std::int64_t id);

}  // namespace notices

}  // namespace sy::db
