#pragma once
// Who is acting, as the services see it (the web/api layer builds it from the session).
#include <cstdint>
#include <string>

#include "core/states.h"

namespace sy::services {

struct Actor {
  std::int64_t id = 0;  // 0 = system / CLI
  std::string username;
  Role role = Role::anonymous;
  std::string ip;
  std::string request_id;

  static Actor system(const std::string& what = "system") { return Actor{0, what, Role::system, "", ""}; }
};

}  // namespace sy::services
