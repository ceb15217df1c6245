#pragma once
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
// /classes (list, create, import), /classes/{id} (roster, enrol, teachers), /consent,
// /yearbook/{class_id} (HTML), /yearbook/{class_id}/print, /yearbook/{class_id}.pdf
void mount_school_pages(http::Router& r, services::App& app);
}  // namespace sy::web
