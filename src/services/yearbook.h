#pragma once
// The class yearbook: every enrolled (active) student by name, with their photo only when it is
// the current one, processed, approved by a moderator, and the student's consent is `yearbook` or
// `print`. Read from the primary database so a consent change shows with the next request.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/school_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct YearbookEntry {
  std::int64_t student_id = 0;
  std::string full_name;
  std::string quote;          // shown with an approved photo only (it is moderated with it)
  std::int64_t photo_id = 0;  // 0 = no photo to show
};

struct Yearbook {
  db::ClassRow cls;
  std::vector<YearbookEntry> entries;
};

enum class YearbookKind {
  screen,  // consent yearbook or print
  print    // only students whose consent is print (and nobody else is listed)
};

// yearbook.view on the class (403 before 404).
Yearbook yearbook(App& app, const Actor& actor, std::int64_t class_id, YearbookKind kind = YearbookKind::screen);

// The stored bytes of one variant ("thumb", "jpeg") for each photo shown in `y` (from yearbook(),
// so already permitted). A variant missing from the store is left out; a store that cannot be
// reached is AppError 503.
std::map<std::int64_t, std::string> yearbook_images(App& app, const Yearbook& y, const std::string& variant);

// For the photo endpoint: may this actor see this photo because it is shown in a yearbook they
// may view (current, ready, approved, consented, and the student is in one of their classes)?
bool photo_visible_in_yearbook(db::Tx& t, const Actor& actor, std::int64_t photo_id);

// "/api/v1/photos/<id>/<variant>".
std::string photo_url(std::int64_t photo_id, const std::string& variant);

}  // namespace sy::services
