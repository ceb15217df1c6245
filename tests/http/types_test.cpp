#include <gtest/gtest.h>

#include "core/error.h"
#include "http/types.h"

using namespace sy::http;

namespace {

Request with_headers(std::vector<std::pair<std::string, std::string>> h) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = std::move(h);
  return r;
}

int status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const sy::AppError& e) {
    return sy::http::status_of(e.kind);
  }
  return 0;
}

}  // namespace

TEST(HttpTypes, HeaderIsCaseInsensitiveAndFirstWins) {
  auto r = with_headers({{"content-type", "a"}, {"x-thing", "1"}, {"x-thing", "2"}});
  EXPECT_EQ(r.header("Content-Type"), "a");
  EXPECT_EQ(r.header("X-THING"), "1");
  EXPECT_FALSE(r.header("missing"));
}

TEST(HttpTypes, CookieParsing) {
  auto r = with_headers({{"cookie", "a=1; sid=abc.def ;  b=\"quoted\""}, {"cookie", "late=9"}});
  EXPECT_EQ(r.cookie("sid"), "abc.def");
  EXPECT_EQ(r.cookie("a"), "1");
  EXPECT_EQ(r.cookie("b"), "quoted");
  EXPECT_EQ(r.cookie("late"), "9");
  EXPECT_FALSE(r.cookie("si"));   // no prefix matches
  EXPECT_FALSE(r.cookie("abc"));  // values are not names
  EXPECT_FALSE(with_headers({}).cookie("sid"));
}

TEST(HttpTypes, QueryParamAndParamId) {
  Request r;
  r.query = parse_urlencoded("q=hello+world&x=%C3%A9&x=2&empty=&flag");
  EXPECT_EQ(r.query_param("q"), "hello world");
  EXPECT_EQ(r.query_param("x"), "\xC3\xA9");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_FALSE(r.query_param("nope"));

  r.params = {{"id", "42"}, {"zero", "0"}, {"neg", "-1"}, {"big", "99999999999999999999"}, {"x", "4a"}};
  EXPECT_EQ(r.param_id("id"), 42);
  for (auto name : {"zero", "neg", "big", "x", "missing"}) EXPECT_EQ(status_of([&] { r.param_id(name); }), 404) << name;
}

TEST(HttpTypes, JsonBody) {
  Request r;
  r.body = R"({"username":"ann","n":3})";
  auto j = r.json_body();
  EXPECT_EQ(j["username"], "ann");

  r.headers = {{"content-type", "application/json; charset=utf-8"}};
  EXPECT_EQ(r.json_body()["n"], 3);

  r.body = "[1,2]";
  EXPECT_EQ(status_of([&] { r.json_body(); }), 400);  // not an object
  r.body = "{\"a\":";
  EXPECT_EQ(status_of([&] { r.json_body(); }), 400);
  r.body = "";
  EXPECT_EQ(status_of([&] { r.json_body(); }), 400);
  r.body = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(status_of([&] { r.json_body(); }), 400);  // too deep, and no stack overflow
  r.body = "{}";
  r.headers = {{"content-type", "text/plain"}};
  EXPECT_EQ(status_of([&] { r.json_body(); }), 415);
}

TEST(HttpTypes, FormBody) {
  Request r;
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  r.body = "username=ann&password=p%26ss+word&x=1&x=2";
  auto f = r.form();
  EXPECT_EQ(f.find("password")->second, "p&ss word");
  EXPECT_EQ(f.count("x"), 2u);
  r.headers = {{"content-type", "multipart/form-data; boundary=x"}};
  EXPECT_EQ(status_of([&] { r.form(); }), 415);
}

TEST(HttpTypes, UrlEncodeDecode) {
  EXPECT_EQ(url_encode("a b&c/é~"), "a%20b%26c%2F%C3%A9~");
  EXPECT_EQ(url_decode("a%20b%26c%2F%C3%A9~", false), "a b&c/é~");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
  EXPECT_EQ(url_decode("100%", false), "100%");  // broken escapes stay as they are
  EXPECT_EQ(url_decode("%zz%4", false), "%zz%4");
  for (std::string s : {"", "x", "\x01\xff", "k=v&w"}) EXPECT_EQ(url_decode(url_encode(s), false), s);
}

TEST(HttpTypes, SetCookie) {
  CookieOptions o;
  o.secure = true;
  o.max_age = 3600;
  EXPECT_EQ(make_set_cookie("__Host-sid", "abc_DEF-123", o),
            "__Host-sid=abc_DEF-123; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
  CookieOptions del;
  del.max_age = 0;
  del.same_site = "Strict";
  EXPECT_EQ(make_set_cookie("sid", "", del),
            "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict");
  EXPECT_THROW(make_set_cookie("bad name", "v", o), std::invalid_argument);
  EXPECT_THROW(make_set_cookie("sid", "a;b", o), std::invalid_argument);
  EXPECT_THROW(make_set_cookie("sid", "a\r\nSet-Cookie: x=y", o), std::invalid_argument);
  CookieOptions bad;
  bad.same_site = "Lax; Domain=evil";
  EXPECT_THROW(make_set_cookie("sid", "v", bad), std::invalid_argument);
}

TEST(HttpTypes, ResponseFactoriesAndHeaders) {
  auto j = Response::json(201, {{"id", 5}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.header("content-type"), "application/json");
  EXPECT_EQ(j.body, R"({"id":5})");

  auto bad_utf8 = Response::json(200, {{"s", std::string("\xff\xfe")}});  // does not throw
  EXPECT_EQ(bad_utf8.status, 200);

  auto e = Response::error_json(404, "not_found", "no such class");
  auto parsed = nlohmann::json::parse(e.body);
  EXPECT_EQ(parsed["error"]["code"], "not_found");
  EXPECT_EQ(parsed["error"]["message"], "no such class");

  EXPECT_EQ(Response::html(200, "<p>").header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Response::no_content().status, 204);
  auto red = Response::redirect("/login");
  EXPECT_EQ(red.status, 303);
  EXPECT_EQ(red.header("location"), "/login");
  EXPECT_THROW(Response::redirect("/x\r\nSet-Cookie: a=b"), std::invalid_argument);

  Response r;
  r.set_header("X-A", "1");
  r.set_header("x-a", "2");  // replaces
  r.add_header("Set-Cookie", "a=1");
  r.add_header("Set-Cookie", "b=2");  // keeps both
  EXPECT_EQ(r.header("X-A"), "2");
  int cookies = 0;
  for (auto& [k, v] : r.headers) cookies += k == "Set-Cookie";
  EXPECT_EQ(cookies, 2);
  EXPECT_EQ(r.headers.size(), 3u);
}

TEST(HttpTypes, HtmlEscapeAndReasons) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
}

TEST(HttpTypes, QueryIntDefaultsClampsAndRefusesNonNumbers) {
  Request r;
  r.query = parse_urlencoded("limit=50&big=99999999999&neg=-5&empty=&word=ten&half=1.5&huge=1234567890123456789012");
  EXPECT_EQ(r.query_int("limit", 100, 1, 500), 50);
  EXPECT_EQ(r.query_int("missing", 100, 1, 500), 100);
  EXPECT_EQ(r.query_int("empty", 7, 1, 500), 7);
  EXPECT_EQ(r.query_int("big", 100, 1, 500), 500);
  EXPECT_EQ(r.query_int("neg", 0, 0, 10), 0);
  EXPECT_EQ(r.query_int("neg", 0, -10, 10), -5);
  EXPECT_EQ(status_of([&] { r.query_int("word", 1, 0, 10); }), 400);
  EXPECT_EQ(status_of([&] { r.query_int("half", 1, 0, 10); }), 400);
  EXPECT_EQ(status_of([&] { r.query_int("huge", 1, 0, 10); }), 400);
}

TEST(HttpTypes, EveryErrorKindHasOneStatus) {
  using sy::ErrorKind;
  EXPECT_EQ(sy::http::status_of(ErrorKind::bad_request), 400);
  EXPECT_EQ(sy::http::status_of(ErrorKind::unauthorized), 401);
  EXPECT_EQ(sy::http::status_of(ErrorKind::forbidden), 403);
  EXPECT_EQ(sy::http::status_of(ErrorKind::not_found), 404);
  EXPECT_EQ(sy::http::status_of(ErrorKind::conflict), 409);
  EXPECT_EQ(sy::http::status_of(ErrorKind::too_large), 413);
  EXPECT_EQ(sy::http::status_of(ErrorKind::unsupported_type), 415);
  EXPECT_EQ(sy::http::status_of(ErrorKind::invalid), 422);
  EXPECT_EQ(sy::http::status_of(ErrorKind::throttled), 429);
  EXPECT_EQ(sy::http::status_of(ErrorKind::unavailable), 503);
  EXPECT_EQ(sy::http::status_of(ErrorKind::internal), 500);
}

// Bomb guards: hostile bodies cost linear time and bounded memory (issue 9).
#include "support/peak_memory.h"

namespace {

Request json_request(std::string body) {
  Request r = with_headers({{"content-type", "application/json"}});
  r.method = "POST";
  r.body = std::move(body);
  return r;
}

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const sy::AppError& e) {
    return e.code;
  }
  return "";
}

}  // namespace

TEST(HttpTypes, JsonBombIsRefusedInLinearTime) {
  // The old depth guard (a parse callback) rescanned the parent at every '}': 600 KB took ~10 s.
  std::string body = R"({"a":[)";
  while (body.size() < 600 * 1024) body += "{},";
  body += "{}]}";
  auto req = json_request(body);
  int status = 0;
  auto cost = sy::test::measure([&] { status = status_of([&] { req.json_body(); }); });
  EXPECT_EQ(status, 413);
  EXPECT_LT(cost.seconds, 2.0);
  EXPECT_LT(cost.peak_growth_mb, 50.0);
}

TEST(HttpTypes, FormFieldFloodIsRefusedWithinBoundedMemory) {
  std::string body;
  body.reserve(10 * 1024 * 1024 + 2);
  while (body.size() < 10 * 1024 * 1024) body += "a&";
  int status = 0;
  auto cost = sy::test::measure([&] { status = status_of([&] { parse_urlencoded(body); }); });
  EXPECT_EQ(status, 413);
  EXPECT_LT(cost.seconds, 2.0);
  EXPECT_LT(cost.peak_growth_mb, 50.0);
}

TEST(HttpTypes, JsonLimitsHaveTheirOwnCodes) {
  auto code = [](std::string body, JsonLimits l = {}) {
    return code_of([&] { json_request(std::move(body)).json_body(l); });
  };
  EXPECT_EQ(code(R"({"a":1})"), "");
  EXPECT_EQ(code("{\"a\":"), "invalid_json");
  EXPECT_EQ(code("{} x"), "invalid_json");
  EXPECT_EQ(code(R"({"a":)" + std::string(31, '[') + std::string(31, ']') + "}"), "");  // depth 32
  EXPECT_EQ(code(R"({"a":)" + std::string(32, '[') + std::string(32, ']') + "}"), "json_too_deep");
  EXPECT_EQ(code(std::string(100000, '[')), "json_too_deep");  // refused before the end, no recursion
  JsonLimits few;
  few.max_values = 5;  // the object, 2 keys, 2 values
  EXPECT_EQ(code(R"({"a":1,"b":2})", few), "");
  EXPECT_EQ(code(R"({"a":1,"b":2,"c":3})", few), "json_too_many_values");
  EXPECT_EQ(code(R"({"a":")" + std::string(64 * 1024, 's') + "\"}"), "");
  EXPECT_EQ(code(R"({"a":")" + std::string(64 * 1024 + 1, 's') + "\"}"), "json_string_too_long");
  EXPECT_EQ(code("{\"" + std::string(257, 'k') + "\":1}"), "json_key_too_long");
  auto req = json_request(std::string(100000, '['));
  EXPECT_EQ(status_of([&] { req.json_body(); }), 400);
  req.body = "{\"a\":[";
  for (int i = 0; i < 10000; ++i) req.body += "1,";
  req.body += "1]}";
  EXPECT_EQ(status_of([&] { req.json_body(); }), 413);
  // The DOM built is the same as nlohmann's own parse.
  std::string doc = R"({"s":"\u00e9\"x","n":-1,"u":18446744073709551615,"f":1.5e3,"b":[true,false,null],"o":{"k":{}}})";
  EXPECT_EQ(parse_json(doc), nlohmann::json::parse(doc));
}

TEST(HttpTypes, FormAndQueryLimits) {
  auto code = [](const std::string& s, FormLimits l = {}) { return code_of([&] { parse_urlencoded(s, l); }); };
  std::string fields;
  for (int i = 0; i < 200; ++i) fields += "f=" + std::to_string(i) + "&";
  EXPECT_EQ(code(fields), "");
  EXPECT_EQ(code(fields + "one=more"), "too_many_fields");
  EXPECT_EQ(code("&&&&" + std::string(1000, '&')), "");  // empty pairs are not fields
  EXPECT_EQ(code(std::string(256, 'n') + "=v"), "");
  EXPECT_EQ(code(std::string(257, 'n') + "=v"), "field_name_too_long");
  EXPECT_EQ(code("%41%41" + std::string(254, 'n')), "");  // the decoded size counts
  EXPECT_EQ(code("v=" + std::string(64 * 1024 + 1, 'v')), "field_value_too_long");
  EXPECT_EQ(code("v=" + std::string(64 * 1024 + 1, 'v'), {.max_value = 100000}), "");
  Request r = with_headers({{"content-type", "application/x-www-form-urlencoded"}});
  r.body = fields + "x";
  EXPECT_EQ(status_of([&] { r.form(); }), 413);
}
