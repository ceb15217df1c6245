// The account API and pages through the real router and middleware (no socket).
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/clock_testing.h"
#include "db/accounts_repo.h"
#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

class AuthApi : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app = test::make_app();
  http::Router router;
  void SetUp() override {
    web::build_router(router, *app);
    test::make_user(*app, "root", "admin");
    test::make_user(*app, "tina", "teacher");
    test::make_user(*app, "sam", "student");
  }
  void TearDown() override {
    freeze_clock_for_tests(false);
    set_clock_offset_for_tests(0);
  }
  test::Client client() { return test::Client{router}; }
  std::vector<db::AuditRow> audit(const std::string& prefix) {
    return app->db->read_result<std::vector<db::AuditRow>>(
        [&](db::Tx& t) { return db::audit::list(t, prefix, "", 100, 0); });
  }
};

TEST_F(AuthApi, LoginMeLogout) {
  auto c = client();
  auto r = c.login("tina");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = c.json(r);
  EXPECT_EQ(j["user"]["username"], "tina");
  EXPECT_EQ(j["user"]["role"], "teacher");
  EXPECT_FALSE(j["csrf_token"].get<std::string>().empty());
  auto me = c.call("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(c.json(me)["username"], "tina");
  EXPECT_TRUE(c.json(me)["id"].is_number_integer());
  std::string old_cookie = c.cookie;
  auto out = c.call("DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 204);
  // The old cookie is dead server-side, not just forgotten by the client.
  c.cookie = old_cookie;
  EXPECT_EQ(c.call("GET", "/api/v1/me").status, 401);
}

TEST_F(AuthApi, CookieFlags) {
  auto c = client();
  auto r = c.login("tina");
  auto cookies = test::set_cookies(r);
  ASSERT_EQ(cookies.size(), 2u);  // the session, then the device cookie (login throttling)
  EXPECT_EQ(cookies[0].rfind("sy_session=", 0), 0u);
  EXPECT_NE(cookies[0].find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookies[0].find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookies[0].find("Secure"), std::string::npos);  // plain HTTP here
  // Behind HTTPS (the server sets Request::secure for TLS or a trusted proxy's header).
  auto https = client();
  https.ip = "192.0.2.1";
  https.secure = true;
  auto rs = https.login("tina");
  ASSERT_EQ(rs.status, 200);
  auto sc = test::set_cookies(rs);
  ASSERT_EQ(sc.size(), 2u);
  EXPECT_EQ(sc[0].rfind("__Host-sy_session=", 0), 0u) << sc[0];
  EXPECT_NE(sc[0].find("Secure"), std::string::npos);
  EXPECT_NE(sc[0].find("Path=/"), std::string::npos);
}

TEST_F(AuthApi, BadCredentialsAndMalformedBodies) {
  auto c = client();
  EXPECT_EQ(c.login("tina", "wrong password!!").status, 401);
  auto r = c.call("POST", "/api/v1/session", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(c.json(r)["error"]["code"].is_string(), true);
  EXPECT_EQ(c.call("POST", "/api/v1/session", J{{"username", 5}}.dump()).status, 422);
}

TEST_F(AuthApi, CsrfRequiredOnUnsafeRequests) {
  auto c = client();
  ASSERT_EQ(c.login("root").status, 200);
  c.send_csrf = false;
  auto r = c.call("POST", "/api/v1/users", J{{"username", "newbie"}, {"role", "student"}}.dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(c.json(r)["error"]["code"], "csrf_failed");
  c.send_csrf = true;
  auto wrong = c.csrf;
  c.csrf = "forged-token";
  EXPECT_EQ(c.call("POST", "/api/v1/users", J{{"username", "newbie"}, {"role", "student"}}.dump()).status, 403);
  c.csrf = wrong;
  // A foreign Origin is refused even with the token.
  auto x = c.call("POST", "/api/v1/users", J{{"username", "newbie"}, {"role", "student"}}.dump(), "application/json",
                  {{"origin", "https://evil.example"}});
  EXPECT_EQ(x.status, 403);
  auto ok = c.call("POST", "/api/v1/users", J{{"username", "newbie"}, {"role", "student"}}.dump(), "application/json",
                   {{"origin", "http://school.test"}});
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_FALSE(audit("access.denied").empty());
  // HTML form posts carry the token as a _csrf field.
  c.send_csrf = false;
  auto form = c.call("POST", "/admin/users", "username=formuser&role=student&full_name=F&_csrf=" + c.csrf,
                     "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 200) << form.body;
  auto noform = c.call("POST", "/admin/users", "username=formuser2&role=student", "application/x-www-form-urlencoded");
  EXPECT_EQ(noform.status, 403);
}

TEST_F(AuthApi, SessionExpiresWhenIdle) {
  auto c = client();
  ASSERT_EQ(c.login("tina").status, 200);
  set_clock_offset_for_tests(31 * 60);
  EXPECT_EQ(c.call("GET", "/api/v1/me").status, 401);
}

TEST_F(AuthApi, ThrottlingAnswers429) {
  freeze_clock_for_tests(true);  // the first delay is one second: not the machine's speed
  auto c = client();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.login("sam", "wrong password!!").status, 401);
  auto r = c.login("sam");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(c.json(r)["error"]["code"], "throttled");
  EXPECT_EQ(r.header("retry-after"), "1");
}

TEST_F(AuthApi, RoleChecksOnUserCreation) {
  auto s = client();
  ASSERT_EQ(s.login("sam").status, 200);
  EXPECT_EQ(s.call("POST", "/api/v1/users", J{{"username", "eve"}, {"role", "student"}}.dump()).status, 403);
  auto t = client();
  ASSERT_EQ(t.login("tina").status, 200);
  EXPECT_EQ(t.call("POST", "/api/v1/users", J{{"username", "eve"}, {"role", "admin"}}.dump()).status, 403);
  EXPECT_EQ(t.call("GET", "/api/v1/users").status, 403);
  EXPECT_EQ(t.call("GET", "/api/v1/audit").status, 403);
  auto a = client();
  ASSERT_EQ(a.login("root").status, 200);
  auto r = a.call(
      "POST", "/api/v1/users",
      J{{"username", "eve"}, {"role", "teacher"}, {"full_name", "Eve"}, {"password", "a long enough pw"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(a.json(r)["id"].is_number_integer());
  EXPECT_FALSE(a.json(r).contains("password"));  // given, so not echoed
  auto g = a.call("POST", "/api/v1/users", J{{"username", "gen"}, {"role", "guardian"}}.dump());
  ASSERT_EQ(g.status, 201);
  EXPECT_EQ(a.json(g)["password"].get<std::string>().size(), 20u);
  // Audit rows: who created whom, and the denials.
  auto rows = audit("user.create");
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0].actor_username, "root");
  EXPECT_EQ(rows[0].ip, "192.0.2.10");
  EXPECT_GE(audit("access.denied").size(), 4u);
  auto listed = a.call("GET", "/api/v1/audit?action=user.create");
  ASSERT_EQ(listed.status, 200);
  EXPECT_GE(a.json(listed)["entries"].size(), 2u);
}

TEST_F(AuthApi, DeactivateEndsSessions) {
  auto s = client();
  ASSERT_EQ(s.login("sam").status, 200);
  auto a = client();
  ASSERT_EQ(a.login("root").status, 200);
  auto users = a.json(a.call("GET", "/api/v1/users?role=student"))["users"];
  ASSERT_EQ(users.size(), 1u);
  auto id = users[0]["id"].get<std::int64_t>();
  auto r = a.call("PATCH", "/api/v1/users/" + std::to_string(id), J{{"active", false}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(s.call("GET", "/api/v1/me").status, 401);
  auto pw = a.call("POST", "/api/v1/users/" + std::to_string(id) + "/password", "");
  EXPECT_EQ(pw.status, 200);
  EXPECT_EQ(a.json(pw)["password"].get<std::string>().size(), 20u);
}

TEST_F(AuthApi, PagesRenderAndRequireLogin) {
  auto c = client();
  auto home = c.call("GET", "/");
  EXPECT_EQ(home.status, 303);
  EXPECT_EQ(home.header("location").value_or(""), "/login");
  auto login = c.call("GET", "/login");
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.body.find("<form method=\"post\" action=\"/login\">"), std::string::npos);
  EXPECT_TRUE(login.header("content-security-policy").has_value());
  // Form login sets the cookie and redirects home.
  auto posted =
      c.call("POST", "/login", "username=root&password=correct+horse+battery", "application/x-www-form-urlencoded");
  EXPECT_EQ(posted.status, 303) << posted.body;
  ASSERT_FALSE(c.cookie.empty());
  auto h = c.call("GET", "/");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("Audit log"), std::string::npos);
  auto users = c.call("GET", "/admin/users");
  EXPECT_EQ(users.status, 200);
  EXPECT_NE(users.body.find("tina"), std::string::npos);
  EXPECT_EQ(c.call("GET", "/admin/audit").status, 200);
  // A student gets a readable 403 page.
  auto s = client();
  s.call("POST", "/login", "username=sam&password=correct+horse+battery", "application/x-www-form-urlencoded");
  auto denied = s.call("GET", "/admin/users");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("<html"), std::string::npos);
  // Wrong form password: the page again, with an error and no session.
  auto bad = client();
  auto br = bad.call("POST", "/login", "username=root&password=nope-nope-nope", "application/x-www-form-urlencoded");
  EXPECT_EQ(br.status, 401);
  EXPECT_NE(br.body.find("wrong username or password"), std::string::npos);
}

TEST_F(AuthApi, EscapesUserInputInPages) {
  auto a = client();
  a.call("POST", "/login", "username=root&password=correct+horse+battery", "application/x-www-form-urlencoded");
  a.csrf = "";
  auto r = a.call("POST", "/api/v1/users", "", "application/json");  // no csrf → 403, fine
  EXPECT_EQ(r.status, 403);
  test::make_user(*app, "xss", "student");
  app->db->tx([&](db::Tx& t) { db::users::set_full_name(t, 4, "<script>alert(1)</script>", 1); });
  auto page = a.call("GET", "/admin/users");
  EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;"), std::string::npos);
}

TEST_F(AuthApi, UnknownRoutes) {
  auto c = client();
  auto r = c.call("GET", "/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(c.json(r)["error"]["code"], "not_found");
  auto h = c.call("GET", "/nope");
  EXPECT_EQ(h.status, 404);
  EXPECT_NE(h.body.find("<html"), std::string::npos);
}

TEST_F(AuthApi, StaticAssetsAreCachedWithEtags) {
  auto c = client();
  auto css = c.call("GET", "/static/app.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type").value_or("").rfind("text/css", 0), 0u);
  EXPECT_NE(css.header("cache-control").value_or("").find("max-age"), std::string::npos);
  auto etag = css.header("etag").value_or("");
  ASSERT_FALSE(etag.empty());
  auto again = c.call("GET", "/static/app.css", "", "", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(c.call("GET", "/static/../CMakeLists.txt").status, 404);
  EXPECT_EQ(c.call("GET", "/static/nope.css").status, 404);
}
