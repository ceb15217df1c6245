#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::api {
// /api/v1/grade-scales…, /api/v1/assessments… (marks, finalise, reopen, marks import),
// /api/v1/report-comments (services/marks.h).
void mount_marks_api(http::Router& r, services::App& app);
}  // namespace sy::api
