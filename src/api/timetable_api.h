#pragma once
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"
#include "services/timetable.h"

namespace sy::api {
// /api/v1/timetable/periods…, /api/v1/timetable/rooms…, /api/v1/timetable/slots…,
// /api/v1/classes/{id}/timetable, /api/v1/students/{id}/timetable, /api/v1/teachers/{id}/timetable
void mount_timetable_api(http::Router& r, services::App& app);
nlohmann::json slot_json(const db::SlotRow& s);
// The weekday a request asks for: ?date=YYYY-MM-DD (its weekday) or ?weekday=1..7; 0 (the whole
// week) when neither is given.
int requested_weekday(const http::Request& req);
}  // namespace sy::api
