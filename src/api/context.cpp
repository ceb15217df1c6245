#include "api/context.h"

#include "core/error.h"

namespace sy::api {

services::Actor actor_of(const http::Request& req) {
  if (!req.user) unauthorized();
  services::Actor a;
  a.id = req.user->id;
  a.username = req.user->username;
  a.role = req.user->role;
  a.ip = req.remote_ip;
  a.request_id = req.request_id;
  return a;
}

std::string str_field(const nlohmann::json& j, const char* k, bool required) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) {
    if (required) fail(ErrorKind::invalid, "invalid", std::string("field '") + k + "' is required");
    return "";
  }
  if (!it->is_string()) fail(ErrorKind::invalid, "invalid", std::string("field '") + k + "' must be a string");
  return it->get<std::string>();
}

std::int64_t id_field(const nlohmann::json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) fail(ErrorKind::invalid, "invalid", std::string("field '") + k + "' is required");
  if (!it->is_number_integer() || it->get<long long>() <= 0)
    fail(ErrorKind::invalid, "invalid", std::string("field '") + k + "' must be a positive integer");
  return it->get<long long>();
}

}  // namespace sy::api
