// The OpenAPI document is served, valid JSON, and every operation it documents is routed.
#include <gtest/gtest.h>

#include <regex>

#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;

TEST(OpenApi, ServedAndEveryOperationIsRouted) {
  auto app = test::make_app();
  http::Router router;
  web::build_router(router, *app);
  test::Client c{router};
  auto r = c.call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  int ops = 0;
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, op] : item.items()) {
      std::string target = std::regex_replace(path, std::regex("\\{[a-z_]+\\}"), "1");
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      http::Request req;
      req.method = m;
      req.path = req.target = target;
      req.remote_ip = "192.0.2.1";
      req.headers = {{"host", "school.test"}};
      router.dispatch(req);
      EXPECT_FALSE(req.route.empty()) << m << " " << path << " is documented but not routed";
      ++ops;
    }
  }
  EXPECT_GE(ops, 30);
}
