#include "services/messages.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "services/audit.h"
#include "services/mail.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

db::UserRow student_or_404(db::Tx& t, std::int64_t id) {
  auto u = db::users::by_id(t, id);
  if (!u || u->role != sy::Role::student) not_found("no such student");
  return *u;
}

void check_body(const std::string& s) {
  if (!text::valid_utf8(s)) fail(ErrorKind::invalid, "invalid_text", "the message must be UTF-8 text");
  std::size_t n = text::utf8_length(s);
  if (n == 0 || text::trim(s).empty()) fail(ErrorKind::invalid, "invalid_text", "the message must not be empty");
  if (n > 5000) fail(ErrorKind::invalid, "invalid_text", "the message must have at most 5000 characters");
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
      fail(ErrorKind::invalid, "invalid_text", "the message must not contain control characters");
}

std::string excerpt(const std::string& s) {
  if (s.size() <= 300) return s;
  std::size_t n = 300;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

}  // namespace

Thread get_thread(App& app, const Actor& actor, std::int64_t student_id, int limit) {
  return app.db->tx_result<Thread>([&](db::Tx& t) {
    auto s = student_or_404(t, student_id);
    if (!can_on_student(t, actor, "messages.read", student_id))
      deny(actor, "messages.read", "student " + std::to_string(student_id));
    Thread th;
    th.student_id = student_id;
    th.student_name = s.full_name.empty() ? s.username : s.full_name;
    th.can_write = can_on_student(t, actor, "messages.write", student_id);
    th.messages = db::messages::thread(t, student_id, std::clamp(limit, 1, 500));
    if (!th.messages.empty() && th.can_write) db::messages::mark_read(t, student_id, actor.id, th.messages.back().id);
    return th;
  });
}

db::MessageRow post_message(App& app, const Actor& actor, std::int64_t student_id, const std::string& body) {
  check_body(body);
  bool queued = false;
  auto msg = app.db->tx_result<db::MessageRow>([&](db::Tx& t) {
    queued = false;
    auto s = student_or_404(t, student_id);
    if (!can_on_student(t, actor, "messages.write", student_id))
      deny(actor, "messages.write", "student " + std::to_string(student_id));
    const std::int64_t now = now_unix();
    auto id = db::messages::insert(t, student_id, actor.id, body, now);
    db::messages::mark_read(t, student_id, actor.id, id);
    std::string student_name = s.full_name.empty() ? s.username : s.full_name;
    auto author = db::users::by_id(t, actor.id);
    std::string author_name = author && !author->full_name.empty() ? author->full_name : actor.username;
    // The other side of this one student's thread, and nobody else.
    for (const auto& p : db::messages::participants(t, student_id)) {
      if (p.id == actor.id || p.role == actor.role) continue;
      auto r = enqueue_email(t, app.config, MailTo::user(p.id), "message_notification",
                             {{"student", student_name},
                              {"author", author_name},
                              {"excerpt", excerpt(body)},
                              {"link", app.config.public_url + "/messages/" + std::to_string(student_id)}},
                             "msg:" + std::to_string(id) + ":" + std::to_string(p.id), /*essential=*/false);
      queued = queued || r.what == Enqueued::queued;
    }
    audit(t, actor, "message.post", "student", std::to_string(student_id), "message " + std::to_string(id));
    db::MessageRow m;
    m.id = id;
    m.student_id = student_id;
    m.author_id = actor.id;
    m.author_name = author_name;
    m.author_role = actor.role;
    m.body = body;
    m.created_at = now;
    return m;
  });
  if (queued) app.wake_workers();
  return msg;
}

std::vector<db::ThreadSummary> my_threads(App& app, const Actor& actor, int limit) {
  if (actor.id <= 0) unauthorized();
  return app.db->read_result<std::vector<db::ThreadSummary>>(
      [&](db::Tx& t) { return db::messages::threads_for(t, actor.id, actor.role, std::clamp(limit, 1, 500)); });
}

}  // namespace sy::services
