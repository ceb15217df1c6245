#pragma once
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"
#include "services/yearbook.h"

namespace sy::api {
// /api/v1/classes…, /api/v1/guardians…, /api/v1/me/children, /api/v1/students/{id}/consent,
// /api/v1/export/students.csv, /api/v1/yearbook/{class_id}
void mount_school_api(http::Router& r, services::App& app);
// The contract's yearbook body (also used by the HTML pages' tests).
nlohmann::json yearbook_json(const services::Yearbook& y);
}  // namespace sy::api
