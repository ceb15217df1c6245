#include <gtest/gtest.h>

#include "core/error.h"
#include "http/router.h"

using namespace sy::http;

namespace {

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

Response call(const Router& router, std::string method, std::string path) {
  auto req = make(std::move(method), std::move(path));
  return router.dispatch(req);
}

nlohmann::json error_of(const Response& r) { return nlohmann::json::parse(r.body)["error"]; }

}  // namespace

TEST(HttpRouter, MatchesLiteralsAndParams) {
  Router router;
  router.get("/", [](Request&) { return Response::text(200, "root"); });
  router.get("/api/v1/classes/{id}/students", [](Request& r) {
    return Response::text(200, "class " + std::to_string(r.param_id("id")) + " " + r.route);
  });
  router.get("/api/v1/me/photo", [](Request&) { return Response::text(200, "literal"); });
  router.get("/api/v1/{who}/photo", [](Request& r) { return Response::text(200, "param " + r.params["who"]); });
  router.get("/files/{rest*}", [](Request& r) { return Response::text(200, "rest " + r.params["rest"]); });

  EXPECT_EQ(call(router, "GET", "/").body, "root");
  EXPECT_EQ(call(router, "GET", "/api/v1/classes/7/students").body, "class 7 /api/v1/classes/{id}/students");
  EXPECT_EQ(call(router, "GET", "/api/v1/me/photo").body, "literal");  // literal beats parameter
  EXPECT_EQ(call(router, "GET", "/api/v1/ann/photo").body, "param ann");
  EXPECT_EQ(call(router, "GET", "/files/a/b.css").body, "rest a/b.css");
  EXPECT_EQ(call(router, "GET", "/files/").status, 404);                    // no listing
  EXPECT_EQ(call(router, "GET", "/api/v1/classes//students").status, 404);  // empty parameter
  EXPECT_EQ(call(router, "GET", "/api/v1/classes/7/students/").status, 404);
  // A non-numeric id is a 404, not a 500.
  EXPECT_EQ(call(router, "GET", "/api/v1/classes/x/students").status, 404);
}

TEST(HttpRouter, NotFoundIsJsonForApiAndHtmlOtherwise) {
  Router router;
  auto api = call(router, "GET", "/api/v1/nothing");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.header("content-type"), "application/json");
  EXPECT_EQ(error_of(api)["code"], "not_found");
  EXPECT_TRUE(error_of(api)["message"].is_string());

  auto page = call(router, "GET", "/nothing/<script>");
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("404 Not Found"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
}

TEST(HttpRouter, MethodNotAllowedListsAllow) {
  Router router;
  router.get("/api/v1/session", [](Request&) { return Response::no_content(); });
  router.post("/api/v1/session", [](Request&) { return Response::no_content(); });
  router.del("/api/v1/session", [](Request&) { return Response::no_content(); });
  auto r = call(router, "PUT", "/api/v1/session");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "DELETE, GET, HEAD, POST");
  EXPECT_EQ(error_of(r)["code"], "method_not_allowed");
  EXPECT_EQ(call(router, "HEAD", "/api/v1/session").status, 204);  // HEAD falls back to GET
}

TEST(HttpRouter, ErrorsMapToStatusAndNeverLeakInternals) {
  Router router;
  router.get("/api/app", [](Request&) -> Response { sy::conflict("username taken"); });
  router.get("/api/boom", [](Request&) -> Response { throw std::runtime_error("db password=hunter2 at 10.0.0.5"); });
  router.get("/api/json", [](Request& r) -> Response {
    r.body = R"({"a":1})";
    auto j = r.json_body();
    return Response::text(200, j.at("username").get<std::string>());
  });
  router.get("/page/boom", [](Request&) -> Response { throw 42; });

  auto app = call(router, "GET", "/api/app");
  EXPECT_EQ(app.status, 409);
  EXPECT_EQ(error_of(app)["code"], "conflict");
  EXPECT_EQ(error_of(app)["message"], "username taken");

  auto req = make("GET", "/api/boom");
  auto boom = router.dispatch(req);
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(error_of(boom)["code"], "internal");
  EXPECT_EQ(boom.body.find("hunter2"), std::string::npos);
  EXPECT_NE(error_of(boom)["message"].get<std::string>().find(req.request_id), std::string::npos);

  auto json = call(router, "GET", "/api/json");
  EXPECT_EQ(json.status, 400);
  EXPECT_NE(error_of(json)["message"].get<std::string>().find("username"), std::string::npos);

  auto page = call(router, "GET", "/page/boom");
  EXPECT_EQ(page.status, 500);
  EXPECT_NE(page.body.find("Request id"), std::string::npos);
}

TEST(HttpRouter, MiddlewareOrderAndWrapsErrors) {
  Router router;
  std::vector<std::string> seen;
  router.use([&](Request& r, const Handler& next) {
    seen.push_back("outer:" + r.route);
    auto resp = next(r);
    resp.set_header("X-Outer", std::to_string(resp.status));
    return resp;
  });
  router.use([&](Request& r, const Handler& next) {
    seen.push_back("inner");
    if (r.path == "/api/deny") sy::forbidden();
    return next(r);
  });
  router.get("/api/ok", [&](Request&) {
    seen.push_back("handler");
    return Response::text(200, "ok");
  });
  router.get("/api/deny", [](Request&) { return Response::text(200, "never"); });
  router.get("/api/fail", [](Request&) -> Response { sy::not_found("no photo"); });

  auto ok = call(router, "GET", "/api/ok");
  EXPECT_EQ(ok.header("x-outer"), "200");
  EXPECT_EQ(seen, (std::vector<std::string>{"outer:/api/ok", "inner", "handler"}));

  EXPECT_EQ(call(router, "GET", "/api/missing").header("x-outer"), "404");  // 404 passes middleware
  EXPECT_EQ(call(router, "GET", "/api/fail").header("x-outer"), "404");     // so do handler errors
  auto denied = call(router, "GET", "/api/deny");
  EXPECT_EQ(denied.status, 403);  // a middleware throwing AppError
  EXPECT_EQ(error_of(denied)["code"], "forbidden");
}

TEST(HttpRouter, SecurityHeaders) {
  Router router;
  router.get("/page", [](Request&) { return Response::html(200, "<p>hi</p>"); });
  router.get("/api/x", [](Request&) { return Response::json(200, {{"a", 1}}); });
  router.get("/own-csp", [](Request&) {
    auto r = Response::html(200, "x");
    r.set_header("Content-Security-Policy", "default-src 'self'; script-src 'nonce-abc'");
    return r;
  });
  auto page = call(router, "GET", "/page");
  auto csp = page.header("content-security-policy").value_or("");
  for (auto part :
       {"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"})
    EXPECT_NE(csp.find(part), std::string::npos) << part;
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_EQ(page.header("referrer-policy"), "strict-origin-when-cross-origin");
  EXPECT_FALSE(page.header("strict-transport-security"));  // not over HTTPS

  auto api = call(router, "GET", "/api/x");
  EXPECT_EQ(api.header("x-content-type-options"), "nosniff");
  EXPECT_NE(api.header("content-security-policy").value_or("").find("default-src 'none'"), std::string::npos);

  EXPECT_EQ(call(router, "GET", "/own-csp").header("content-security-policy"),
            "default-src 'self'; script-src 'nonce-abc'");  // the web layer may set its own

  auto secure = make("GET", "/page");
  secure.secure = true;
  auto hsts = router.dispatch(secure).header("strict-transport-security").value_or("");
  EXPECT_NE(hsts.find("max-age=31536000"), std::string::npos);

  // The 404 page is HTML too.
  EXPECT_TRUE(call(router, "GET", "/nope").header("x-frame-options"));
}

TEST(HttpRouter, RequestIdAcceptedWhenSaneElseGenerated) {
  Router router;
  router.get("/x", [](Request& r) { return Response::text(200, r.request_id); });
  auto a = make("GET", "/x");
  a.headers = {{"x-request-id", "abc-123.XYZ_9:1"}};
  auto ra = router.dispatch(a);
  EXPECT_EQ(ra.body, "abc-123.XYZ_9:1");
  EXPECT_EQ(ra.header("x-request-id"), "abc-123.XYZ_9:1");

  for (std::string bad : {std::string("has space"), std::string("a\nb"), std::string(65, 'a'), std::string("")}) {
    auto b = make("GET", "/x");
    b.headers = {{"x-request-id", bad}};
    auto rb = router.dispatch(b);
    EXPECT_NE(rb.body, bad);
    EXPECT_TRUE(valid_request_id(rb.body));
    EXPECT_EQ(rb.header("x-request-id"), rb.body);
  }
  EXPECT_NE(call(router, "GET", "/x").body, call(router, "GET", "/x").body);
}

TEST(HttpRouter, ErrorPageHook) {
  Router router;
  router.error_page = [](const Request& req, int status, const std::string& code, const std::string& message) {
    return Response::html(200, "custom " + std::to_string(status) + " " + code + " " + req.request_id);
  };
  auto r = call(router, "GET", "/missing");
  EXPECT_EQ(r.status, 404);  // the status is the error's, whatever the renderer set
  EXPECT_EQ(r.body.rfind("custom 404 not_found", 0), 0u);
  EXPECT_EQ(call(router, "GET", "/api/missing").header("content-type"), "application/json");  // API stays JSON

  router.error_page = [](const Request&, int, const std::string&, const std::string&) -> Response {
    throw std::runtime_error("template missing");
  };
  auto fallback = call(router, "GET", "/missing");
  EXPECT_EQ(fallback.status, 404);
  EXPECT_NE(fallback.body.find("404 Not Found"), std::string::npos);
}

TEST(HttpRouter, HeaderInjectionFromHandlerBecomes500) {
  Router router;
  router.get("/x", [](Request&) {
    Response r = Response::text(200, "x");
    r.headers.emplace_back("X-Bad", "a\r\nSet-Cookie: evil=1");  // bypassing set_header
    return r;
  });
  auto r = call(router, "GET", "/x");
  EXPECT_EQ(r.status, 500);
  for (auto& [k, v] : r.headers) EXPECT_EQ(v.find("evil"), std::string::npos) << k;
}

TEST(HttpRouter, RejectsBadPatternsAndDuplicates) {
  Router router;
  router.get("/a/{id}", [](Request&) { return Response::no_content(); });
  EXPECT_THROW(router.get("/a/{id}", [](Request&) { return Response::no_content(); }), std::logic_error);
  EXPECT_THROW(router.get("no-slash", [](Request&) { return Response::no_content(); }), std::logic_error);
  EXPECT_THROW(router.get("/a/{rest*}/b", [](Request&) { return Response::no_content(); }), std::logic_error);
}

TEST(HttpRouter, BodyLimitsByMethodAndPattern) {
  Router router;
  EXPECT_EQ(router.largest_body_limit(), 0u);
  router.limit_body("POST", "/api/v1/me/photo", 1000);
  router.limit_body("POST", "/classes/{id}/import", 500);
  router.limit_body("PUT", "/files/{rest*}", 700);
  EXPECT_EQ(router.body_limit("POST", "/api/v1/me/photo"), 1000u);
  EXPECT_FALSE(router.body_limit("PUT", "/api/v1/me/photo"));  // another method
  EXPECT_FALSE(router.body_limit("POST", "/api/v1/me/photo/x"));
  EXPECT_FALSE(router.body_limit("POST", "/api/v1/me"));
  EXPECT_FALSE(router.body_limit("POST", "/api/v1/session"));
  EXPECT_EQ(router.body_limit("POST", "/classes/7/import"), 500u);
  EXPECT_FALSE(router.body_limit("POST", "/classes//import"));
  EXPECT_EQ(router.body_limit("PUT", "/files/a/b"), 700u);
  EXPECT_FALSE(router.body_limit("PUT", "/files/"));
  EXPECT_EQ(router.largest_body_limit(), 1000u);
  EXPECT_THROW(router.limit_body("POST", "relative", 1), std::logic_error);
}
