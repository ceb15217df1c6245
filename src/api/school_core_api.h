#pragma once
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"
#include "services/school_import.h"

namespace sy::api {
// /api/v1/years…, /api/v1/terms/{id}, /api/v1/calendar, /api/v1/classes/{id}/rollover,
// /api/v1/subjects…, /api/v1/classes/{id}/assignments…, /api/v1/classes/{id}/students (GET),
// /api/v1/people/{id}, /api/v1/me/profile, /api/v1/setup/checklist, /api/v1/import…
void mount_school_core_api(http::Router& r, services::App& app);
// The import report as JSON (also the CLI's --json output).
nlohmann::json import_report_json(const services::ImportReport& r);
}  // namespace sy::api
