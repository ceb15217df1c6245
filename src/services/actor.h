#pragma once
// Who is acting, as the services see it (the web/api layer builds it from the session).
#include <cstdint>
#include <string>

namespace sy::services {

struct Actor {
  std::int64_t id = 0;  // 0 = system / CLI
  std::string username;
  std::string role;  // admin | teacher | student | guardian | system
  std::string ip;
  std::string request_id;

  static Actor system(const std::string& what = "system") { return Actor{0, what, "system", "", ""}; }
};

}  // namespace sy::services
