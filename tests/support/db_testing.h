#pragma once
// Test-only rows written straight to the database, without the photo pipeline: the tests of the
// yearbook and PDF rules use them to set up a photo in a given state.
#include <cstdint>
#include <string>

#include "db/database.h"

namespace sy::db::school_testing {

std::int64_t insert_photo(Tx& t, std::int64_t student_id, const std::string& status, const std::string& moderation,
                          bool is_current, const std::string& quote);
void insert_variant(Tx& t, std::int64_t photo_id, const std::string& variant, const std::string& object_key);

}  // namespace sy::db::school_testing
