#pragma once
// JSON API of result publication (#11): /api/v1/publications (admin: publish, list, progress,
// withdraw) and /api/v1/results (students and guardians: their visible results, stored bytes).
#include "http/router.h"
#include "services/app.h"

namespace sy::api {

void mount_results_api(http::Router& r, services::App& app);

}  // namespace sy::api
