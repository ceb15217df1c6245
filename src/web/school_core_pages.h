#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /years…, /subjects…, /people/{id}, /me/profile, /import…, class assignments and rollover forms.
void mount_school_core_pages(http::Router& r, services::App& app);
}  // namespace sy::web
