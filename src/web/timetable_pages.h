#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /timetable (own week, a guardian's children, the office's set-up), /timetable/classes/{id},
// /timetable/students/{id}, and the office's forms for periods, rooms and slots.
void mount_timetable_pages(http::Router& r, services::App& app);
}  // namespace sy::web
