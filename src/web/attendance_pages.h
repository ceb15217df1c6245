#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /attendance (registers today, or the student's / children's reports), /attendance/classes/{id}
// (the register) and …/report, /attendance/students/{id}, /attendance/codes (admin).
void mount_attendance_pages(http::Router& r, services::App& app);
}  // namespace sy::web
