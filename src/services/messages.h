#pragma once
// Messages between a student's teachers and the student's guardians: one thread per student.
// Only that student's guardians and the teachers of that student's classes read and write it
// (admins read, for safeguarding); a message never reaches anyone else. Each new message emails
// the other side (guardians when a teacher writes, the student's teachers when a guardian writes)
// through the outbox as non-essential mail, so the recipients' opt-out holds.
#include <cstdint>
#include <string>
#include <vector>

#include "db/messages_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct Thread {
  std::int64_t student_id = 0;
  std::string student_name;
  bool can_write = false;
  std::vector<db::MessageRow> messages;  // oldest first
};

// 404 when there is no such student; 403 (audited) outside the actor's scope. Marks the thread
// read up to its newest message for the actor.
Thread get_thread(App& app, const Actor& actor, std::int64_t student_id, int limit = 200);
// body: 1–5000 characters. Returns the message; notifications are queued in the same transaction.
db::MessageRow post_message(App& app, const Actor& actor, std::int64_t student_id, const std::string& body);
// The actor's threads (teachers: their students; guardians: their children); others: empty.
std::vector<db::ThreadSummary> my_threads(App& app, const Actor& actor, int limit);

}  // namespace sy::services
