#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /marks (assessments list and the new-assessment form), /marks/{id} (the marks grid,
// static/marks.js), /marks/{id}/finalise and /reopen (admin), /marks/{id}/import (CSV pasted).
void mount_marks_pages(http::Router& r, services::App& app);
}  // namespace sy::web
