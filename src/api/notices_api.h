#pragma once
// JSON API of notices and messages:
//   GET  /api/v1/notices                 published notices for me (?sent=1: the ones I wrote)
//   POST /api/v1/notices                 {"title","body","publish_at"?,"targets":[{"class_id"?,"role"?}]}
//   GET  /api/v1/notices/{id}            one notice (recipient, author or admin)
//   POST /api/v1/notices/{id}/read       mark read (recipient) → 204
//   GET  /api/v1/notices/{id}/receipts   who read it (author or admin)
//   GET  /api/v1/messages                my threads (teacher: my students; guardian: my children)
//   GET  /api/v1/students/{id}/messages  one student's thread
//   POST /api/v1/students/{id}/messages  {"body"} → 201
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "services/app.h"
#include "services/notices.h"

namespace sy::api {

void mount_notices_api(http::Router& r, services::App& app);
nlohmann::json notice_json(const db::NoticeRow& n);

}  // namespace sy::api
