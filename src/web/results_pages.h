#pragma once
// Result pages (#11): /results (a student's or guardian's visible results), the stored report card
// /results/{publication_id}/students/{student_id} and its PDF, and the admin's /admin/results
// (publish now or at a local date and time, watch progress, withdraw).
#include "http/router.h"
#include "services/app.h"

namespace sy::web {

void mount_results_pages(http::Router& r, services::App& app);

}  // namespace sy::web
