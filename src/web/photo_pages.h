#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /me/photo (student: status, upload), /moderation (teacher/admin review), /admin/jobs (queue)
void mount_photo_pages(http::Router& r, services::App& app);
}  // namespace sy::web
