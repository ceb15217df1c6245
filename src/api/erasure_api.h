#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::api {
// DELETE /api/v1/photos/{id} (the student, their guardian, an admin) and DELETE /api/v1/users/{id}
// (admin; students only): erasure of the photo or student with every file showing them.
void mount_erasure_api(http::Router& r, services::App& app);
}  // namespace sy::api
