#pragma once
// Teacher–guardian messages: one thread per student (messages.student_id), and how far each
// participant has read it (message_reads).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/states.h"
#include "db/database.h"

namespace sy::db {

struct MessageRow {
  std::int64_t id = 0;
  std::int64_t student_id = 0;
  std::optional<std::int64_t> author_id;
  std::string author_name;
  std::optional<Role> author_role;  // nullopt: the author was removed
  std::string body;
  std::int64_t created_at = 0;
};

struct ThreadSummary {
  std::int64_t student_id = 0;
  std::string student_name;
  std::int64_t messages = 0;
  std::int64_t unread = 0;
  std::int64_t last_at = 0;  // 0 without messages
};

struct Participant {
  std::int64_t id = 0;
  Role role = Role::anonymous;  // teacher | guardian
};

namespace messages {

std::int64_t insert(Tx& t, std::int64_t student_id, std::int64_t author_id, const std::string& body, std::int64_t now);
// Oldest first, the newest `limit`.
std::vector<MessageRow> thread(Tx& t, std::int64_t student_id, int limit);
void mark_read(Tx& t, std::int64_t student_id, std::int64_t user_id, std::int64_t last_id);
// The threads the user takes part in: a teacher's students (active, in classes they teach), a
// guardian's children; with counts. Ordered by the newest message, then name.
std::vector<ThreadSummary> threads_for(Tx& t, std::int64_t user_id, Role role, int limit);
// Everyone who takes part in a student's thread: the active teachers of the student's classes
// and the student's active guardians.
std::vector<Participant> participants(Tx& t, std::int64_t student_id);

}  // namespace messages

}  // namespace sy::db
