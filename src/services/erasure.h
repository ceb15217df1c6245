#pragma once
// Erasure: deleting a photo or a student removes the original, every derivative and every stored
// yearbook PDF that shows them, from the object store and the database, and audits it. Objects
// are deleted before the rows: if the store fails the request fails (503) with the rows still
// there, so asking again finishes the job; nothing is left behind that no row points to.
#include <cstdint>

#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct Erased {
  int objects = 0;  // object keys deleted (originals, derivatives, PDFs)
  int pdfs = 0;     // yearbook PDFs that showed the photo or student
  int photos = 0;
};

// photos.erase on the photo's student (the student, their guardian, an admin); 404 when no such
// photo, 403 when not allowed.
Erased erase_photo(App& app, const Actor& actor, std::int64_t photo_id);
// users.manage (admin): the student's account, every photo of theirs with its files, every PDF
// showing them. 404 when no such student (other roles are not erased here).
Erased erase_student(App& app, const Actor& actor, std::int64_t student_id);

}  // namespace sy::services
