#pragma once
// Glue between HTTP requests and services for the JSON API and the HTML pages.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "http/types.h"
#include "services/actor.h"

namespace sy::api {

// The logged-in actor (with ip and request id), or AppError 401 when nobody is logged in.
services::Actor actor_of(const http::Request& req);

// Fields of a JSON request body; AppError 422 naming the field when it is missing or mistyped.
std::string str_field(const nlohmann::json& j, const char* name, bool required = true);  // "" when optional
std::int64_t id_field(const nlohmann::json& j, const char* name);                        // a positive integer

}  // namespace sy::api
