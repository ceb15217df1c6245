#pragma once
// Glue between HTTP requests and services for the JSON API and the HTML pages.
#include "http/types.h"
#include "services/actor.h"

namespace sy::api {

// The logged-in actor (with ip and request id), or AppError 401 when nobody is logged in.
services::Actor actor_of(const http::Request& req);

}  // namespace sy::api
