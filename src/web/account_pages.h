#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /login, /logout, / (home), /admin/users…, /admin/audit
void mount_account_pages(http::Router& r, services::App& app);
}  // namespace sy::web
