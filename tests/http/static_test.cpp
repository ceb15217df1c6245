#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "http/static_files.h"

using namespace sy::http;
namespace fs = std::filesystem;

namespace {

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("SY_TEST_TMP");
    std::string tmpl = std::string(base ? base : "/tmp") + "/sy-static-XXXXXX";
    root_ = mkdtemp(tmpl.data());
    fs::create_directories(root_ / "public" / "css");
    write(root_ / "public" / "css" / "app.css", "body{color:red}");
    write(root_ / "public" / "app.js", "console.log(1)");
    write(root_ / "public" / ".env", "SECRET=1");
    write(root_ / "secret.txt", "top secret");
    fs::create_symlink(root_ / "secret.txt", root_ / "public" / "link.txt");
    router_.get("/static", [](Request&) { return Response::text(200, "x"); });
    mount_static(router_, (root_ / "public").string());
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

  Response get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r;
    r.method = "GET";
    r.path = path;
    r.headers = std::move(headers);
    return router_.dispatch(r);
  }

  fs::path root_;
  Router router_;
};

}  // namespace

TEST_F(StaticFiles, ServesWithTypeEtagAndCaching) {
  auto r = get("/static/css/app.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body{color:red}");
  EXPECT_EQ(r.header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(r.header("cache-control"), "public, max-age=3600");
  auto etag = r.header("etag").value_or("");
  ASSERT_GE(etag.size(), 10u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(get("/static/app.js").header("content-type"), "text/javascript; charset=utf-8");

  auto again = get("/static/css/app.css", {{"if-none-match", "\"other\", " + etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  EXPECT_EQ(get("/static/css/app.css", {{"if-none-match", "W/" + etag}}).status, 304);
  EXPECT_EQ(get("/static/css/app.css", {{"if-none-match", "\"stale\""}}).status, 200);
}

TEST_F(StaticFiles, ChangedFileGetsNewEtag) {
  auto before = get("/static/app.js").header("etag");
  write(root_ / "public" / "app.js", "console.log(2); // longer");
  auto after = get("/static/app.js");
  EXPECT_EQ(after.body, "console.log(2); // longer");
  EXPECT_NE(after.header("etag"), before);
}

TEST_F(StaticFiles, NoListingNoTraversalNoHiddenFiles) {
  for (std::string p : {"/static/", "/static/css", "/static/css/", "/static/../secret.txt",
                        "/static/css/../../secret.txt", "/static/.env", "/static/link.txt", "/static/missing.css",
                        "/static/css//app.css", "/static/css\\app.css", "/static/./app.js"})
    EXPECT_EQ(get(p).status, 404) << p;
  EXPECT_EQ(get("/static").body, "x");  // the prefix itself is left to other routes
}

TEST(StaticFilesInMemory, ServesEmbeddedFiles) {
  Router router;
  mount_static_files(router, {{"app.css", "a{}"}, {"img/logo.svg", "<svg/>"}}, "/assets");
  Request r;
  r.method = "GET";
  r.path = "/assets/img/logo.svg";
  auto resp = router.dispatch(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.header("content-type"), "image/svg+xml");
  // An SVG opened directly must not run scripts: it gets the sandboxing CSP of non-HTML responses.
  EXPECT_NE(resp.header("content-security-policy").value_or("").find("sandbox"), std::string::npos);
  r.path = "/assets/nope.css";
  EXPECT_EQ(router.dispatch(r).status, 404);
  EXPECT_EQ(mime_type("X.PNG"), "image/png");
  EXPECT_EQ(mime_type("noext"), "application/octet-stream");
}
