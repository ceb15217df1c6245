#include "support/testapp.h"

#include "services/users.h"
#include "support/school_scene.h"
#include "support/testenv.h"

namespace sy::test {

std::unique_ptr<services::App> make_app() {
  auto app = std::make_unique<services::App>();
  app->db = fresh_db();
  app->config.storage_url = "file://" + temp_dir("objects");
  app->store = storage::open_store(app->config.storage_url);
  return app;
}

std::int64_t make_user(services::App& app, const std::string& username, const std::string& role,
                       const std::string& password) {
  services::NewUser u{username, password, role, "Full " + username};
  return services::create_user(app, services::Actor::system("test"), u).user.id;
}

std::vector<std::string> set_cookies(const http::Response& r) {
  std::vector<std::string> out;
  for (auto& [k, v] : r.headers)
    if (k == "Set-Cookie" || k == "set-cookie") out.push_back(v);
  return out;
}

http::Response Client::call(const std::string& method, const std::string& target, const std::string& body,
                            const std::string& content_type, std::vector<std::pair<std::string, std::string>> headers) {
  auto req = make_request(method, target, body, content_type, ip);
  req.secure = secure;
  std::string jar = cookie;
  if (!device.empty()) jar += (jar.empty() ? "" : "; ") + device;
  if (!jar.empty()) req.headers.emplace_back("cookie", jar);
  if (send_csrf && !csrf.empty()) req.headers.emplace_back("x-csrf-token", csrf);
  for (auto& h : headers) req.headers.push_back(h);
  auto resp = router.dispatch(req);
  for (auto& c : set_cookies(resp)) {
    auto semi = c.find(';');
    std::string nv = c.substr(0, semi);
    std::string& slot = nv.find("sy_device=") != std::string::npos ? device : cookie;
    if (c.find("Max-Age=0") != std::string::npos)
      slot.clear();
    else
      slot = nv;
  }
  return resp;
}

http::Response Client::login(const std::string& username, const std::string& password) {
  auto r = call("POST", "/api/v1/session", nlohmann::json{{"username", username}, {"password", password}}.dump());
  if (r.status == 200) csrf = nlohmann::json::parse(r.body)["csrf_token"];
  return r;
}

}  // namespace sy::test
