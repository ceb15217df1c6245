#pragma once
// What erasure deletes from the database (services/erasure.h decides who may, and deletes the
// objects). Rows that reference photos and users go with them (ON DELETE CASCADE: variants, jobs,
// sessions, class links, consent).
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"

namespace sy::db::erasure {

// Every photo row of the student (current, history, failed, purged).
std::vector<std::int64_t> photo_ids_of(Tx& t, std::int64_t student_id);
// The photo's object keys as recorded: its original and each variant.
std::vector<std::string> photo_keys(Tx& t, std::int64_t photo_id);
bool delete_photo(Tx& t, std::int64_t photo_id);  // false when it was not there
bool delete_user(Tx& t, std::int64_t user_id);

}  // namespace sy::db::erasure
