#pragma once
#include "http/router.h"
#include "services/app.h"
#include "services/users.h"  // db::UserRow

namespace sy::api {
// /api/v1/session, /api/v1/me, /api/v1/users…, /api/v1/audit
void mount_auth_api(http::Router& r, services::App& app);
nlohmann::json user_json(const db::UserRow& u);
std::int64_t session_id_of(const http::Request& req);  // the caller's session row id, or 0
}  // namespace sy::api
