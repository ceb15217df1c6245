#pragma once
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"

namespace sy::api {
// /api/v1/attendance/codes…, /api/v1/attendance/today, /api/v1/classes/{id}/attendance…,
// /api/v1/students/{id}/attendance…
void mount_attendance_api(http::Router& r, services::App& app);
}  // namespace sy::api
