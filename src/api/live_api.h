#pragma once
#include <memory>

#include "http/router.h"
#include "services/app.h"
#include "services/live.h"

namespace sy::api {
// Live status, as server-sent events and as JSON for polling (the same state):
//   GET /api/v1/me/photo/status          the student's photo: processing, pending, published, …
//   GET /api/v1/events/photo             the same, pushed on change (event "photo")
//   GET /api/v1/yearbook/{class_id}/state    {"class_id","version"} of the class yearbook
//   GET /api/v1/events/yearbook/{class_id}   the same, pushed on change (event "yearbook")
// Everything under /api/v1/events/ is a stream (deploy/nginx: unbuffered).
void mount_live_api(http::Router& r, services::App& app, std::shared_ptr<services::LiveHub> hub);
}  // namespace sy::api
