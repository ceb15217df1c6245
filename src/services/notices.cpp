#include "services/notices.h"

#include <algorithm>
#include <cstdio>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/membership_repo.h"
#include "db/school_repo.h"
#include "services/audit.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void check_text(const std::string& s, std::size_t max, const char* field, bool multiline) {
  if (!text::valid_utf8(s)) fail(ErrorKind::invalid, "invalid_text", std::string(field) + " must be UTF-8 text");
  std::size_t n = text::utf8_length(s);
  if (n == 0 || text::trim(s).empty())
    fail(ErrorKind::invalid, "invalid_text", std::string(field) + " must not be empty");
  if (n > max)
    fail(ErrorKind::invalid, "invalid_text",
         std::string(field) + " must have at most " + std::to_string(max) + " characters");
  for (unsigned char c : s)
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
      fail(ErrorKind::invalid, "invalid_text", std::string(field) + " must not contain control characters");
}

bool is_author(const Actor& a, const db::NoticeRow& n) { return n.author_id && *n.author_id == a.id; }

}  // namespace

std::int64_t parse_publish_at(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail[4] = {0};
  bool ok = false;
  if (s.size() == 10)
    ok = std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &mo, &d) == 3;
  else if (s.size() >= 16 && s.size() <= 20 && s[10] == 'T') {
    int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%1s", &y, &mo, &d, &h, &mi, &sec, tail);
    if (n < 6) {
      sec = 0;
      n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%1s", &y, &mo, &d, &h, &mi, tail);
      ok = n >= 5 && (n == 5 || tail[0] == 'Z') && s.size() <= 17;
    } else {
      ok = (n == 6 || tail[0] == 'Z') && s.size() >= 19;
    }
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!ok || y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || sec > 59 ||
      h < 0 || mi < 0 || sec < 0 || (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
    fail(ErrorKind::invalid, "invalid_date", "publish_at must be a date (2026-12-01) or UTC time (2026-12-01T08:30Z)");
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec;
}

bool can_see_receipts(const Actor& actor, const db::NoticeRow& n) {
  return actor.role == sy::Role::admin || actor.role == Role::system || is_author(actor, n);
}

db::NoticeRow create_notice(App& app, const Actor& actor, NoticeInput in) {
  if (scope_for(actor.role, "notices.write") == Scope::none) deny(actor, "notices.write", "notices");
  check_text(in.title, 200, "the title", false);
  check_text(in.body, 10000, "the text", true);
  if (in.targets.empty()) fail(ErrorKind::invalid, "no_audience", "choose who the notice is for");
  if (in.targets.size() > 50) fail(ErrorKind::invalid, "too_many_targets", "at most 50 audiences per notice");
  std::vector<db::NoticeTarget> targets;
  for (const auto& t : in.targets) {
    auto role = parse_role(t.role);
    if (!t.role.empty() && (!role || role_rank(*role) == 0))
      fail(ErrorKind::invalid, "invalid_role", "role must be admin, teacher, student or guardian");
    targets.push_back({t.class_id, role});
  }
  const std::int64_t now = now_unix();
  db::NoticeRow row;
  row.author_id = actor.id > 0 ? std::optional<std::int64_t>(actor.id) : std::nullopt;
  row.title = text::trim_copy(in.title);
  row.body = in.body;
  row.publish_at = in.publish_at.value_or(now);
  row.created_at = now;
  row.targets = std::move(targets);
  return app.db->tx_result<db::NoticeRow>([&](db::Tx& t) {
    for (const auto& target : in.targets) {
      if (!target.class_id) {
        // School-wide (or a whole role across the school): the school's voice, admins only.
        if (!can(actor, "notices.write")) deny(actor, "notices.write", "school");
        continue;
      }
      if (!db::classes::by_id(t, *target.class_id)) not_found("no such class");
      if (!can_on_class(t, actor, "notices.write", *target.class_id))
        deny(actor, "notices.write", "class " + std::to_string(*target.class_id));
    }
    auto id = db::notices::insert(t, row);
    audit(t, actor, "notice.create", "notice", std::to_string(id), row.title.substr(0, 100));
    return *db::notices::by_id(t, id);
  });
}

std::vector<db::NoticeRow> my_notices(App& app, const Actor& actor, int limit) {
  if (actor.id <= 0) unauthorized();
  return app.db->read_result<std::vector<db::NoticeRow>>(
      [&](db::Tx& t) { return db::notices::for_user(t, actor.id, actor.role, now_unix(), std::clamp(limit, 1, 200)); });
}

db::NoticeRow get_notice(App& app, const Actor& actor, std::int64_t id) {
  return app.db->read_result<db::NoticeRow>([&](db::Tx& t) {
    auto n = db::notices::by_id(t, id);
    if (!n) not_found("no such notice");
    if (can_see_receipts(actor, *n)) return *n;
    if (n->publish_at <= now_unix() && db::notices::is_recipient(t, id, actor.id, actor.role)) return *n;
    not_found("no such notice");
  });
}

void mark_notice_read(App& app, const Actor& actor, std::int64_t id) {
  app.db->tx([&](db::Tx& t) {
    auto n = db::notices::by_id(t, id);
    if (!n || n->publish_at > now_unix() || !db::notices::is_recipient(t, id, actor.id, actor.role))
      not_found("no such notice");
    db::notices::mark_read(t, id, actor.id, now_unix());
  });
}

std::vector<db::NoticeRow> sent_notices(App& app, const Actor& actor, int limit) {
  auto scope = scope_for(actor.role, "notices.write");
  if (scope == Scope::none) deny(actor, "notices.write", "notices");
  std::int64_t author = scope == Scope::school ? 0 : actor.id;
  return app.db->read_result<std::vector<db::NoticeRow>>(
      [&](db::Tx& t) { return db::notices::by_author(t, author, std::clamp(limit, 1, 200)); });
}

std::vector<db::Receipt> notice_receipts(App& app, const Actor& actor, std::int64_t id) {
  return app.db->read_result<std::vector<db::Receipt>>([&](db::Tx& t) {
    auto n = db::notices::by_id(t, id);
    if (!n || !can_see_receipts(actor, *n)) not_found("no such notice");
    return db::notices::receipts(t, id);
  });
}

}  // namespace sy::services
