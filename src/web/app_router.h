#pragma once
// Builds the whole application's routes and middleware on one Router.
#include "http/router.h"
#include "services/app.h"

namespace sy::web {
void build_router(http::Router& r, services::App& app);
}  // namespace sy::web
