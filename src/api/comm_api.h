#pragma once
// JSON API of school communication:
//   GET  /api/v1/admin/mail?status=dead|queued|running|done|skipped   the email outbox (admin)
//   POST /api/v1/admin/mail/{id}/retry                               a dead letter back to the queue
//   POST /api/v1/password-reset            {"login"}                 → 202 (same answer always)
//   POST /api/v1/password-reset/confirm    {"token","new_password"}  → 204
// Notices and messages: api/notices_api.h, api/messages_api.h.
#include "http/router.h"
#include "services/app.h"

namespace sy::api {

void mount_comm_api(http::Router& r, services::App& app);

}  // namespace sy::api
