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

}  // namespace sy::api
