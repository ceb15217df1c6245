#pragma once
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"
#include "services/photos.h"

namespace sy::api {
// POST/GET /api/v1/me/photo, GET /api/v1/photos/{id}, GET /api/v1/photos/{id}/{variant},
// POST /api/v1/photos/{id}/approve|reject, GET /api/v1/admin/jobs, POST /api/v1/admin/jobs/{id}/retry
void mount_photos_api(http::Router& r, services::App& app);

nlohmann::json photo_json(const services::PhotoView& v);
nlohmann::json job_json(const db::JobRow& j);
}  // namespace sy::api
