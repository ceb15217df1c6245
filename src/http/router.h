#pragma once
// Method + path-pattern routing ("/api/v1/classes/{id}/students"). Unknown path → 404, known path
// with another method → 405 (never RESTinio's 501).
#include <memory>
#include <string>
#include <vector>

#include "http/types.h"

namespace sy::http {

class Router {
 public:
  void add(std::string method, std::string pattern, Handler h);
  void get(std::string p, Handler h) { add("GET", std::move(p), std::move(h)); }
  void post(std::string p, Handler h) { add("POST", std::move(p), std::move(h)); }
  void put(std::string p, Handler h) { add("PUT", std::move(p), std::move(h)); }
  void del(std::string p, Handler h) { add("DELETE", std::move(p), std::move(h)); }
  void use(Middleware m) { middleware_.push_back(std::move(m)); }

  // Runs middleware + the matched handler; AppError and other exceptions become error responses
  // (JSON for /api/, HTML via the error page renderer otherwise).
  Response dispatch(Request& req) const;

  // Renders an HTML error page (set by the web layer; default is a plain page).
  std::function<Response(const Request&, int status, const std::string& code, const std::string& message)> error_page;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::vector<Middleware> middleware_;
};

}  // namespace sy::http
