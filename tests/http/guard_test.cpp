#include <gtest/gtest.h>

#include "http/request_guard.h"

using namespace sy::http::detail;

namespace {

GuardLimits small() {
  GuardLimits l;
  l.max_body = 10;
  l.max_header_bytes = 200;
  l.max_url = 50;
  l.max_fields = 5;
  return l;
}

// Feeds `in` in pieces of `step` bytes and returns everything passed on.
std::string run(RequestGuard& g, const std::string& in, std::size_t step) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += step) {
    g.feed(std::string_view(in).substr(i, step));
    auto p = g.pending();
    out += p;
    g.consume(p.size());
  }
  return out;
}

std::string marker(int status, const std::string& method, const std::string& path = "/") {
  return "GET " + path + " HTTP/1.1\r\nHost: refused\r\nConnection: close\r\nx-sy-refused: s3cret " +
         std::to_string(status) + " " + method + "\r\n\r\n";
}

}  // namespace

TEST(HttpGuard, PassesValidTrafficUnchangedInAnyPieces) {
  std::string in =
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /api/x HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n7\r\ndefghij\r\n0\r\n\r\n"
      "\r\nGET /after HTTP/1.1\r\n\r\n";
  for (std::size_t step : {1u, 2u, 7u, 4096u}) {
    RequestGuard g(small(), "s3cret");
    EXPECT_EQ(run(g, in, step), in) << "step " << step;
    EXPECT_FALSE(g.refused());
  }
}

TEST(HttpGuard, HoldsHeadersUntilComplete) {
  RequestGuard g(small(), "s3cret");
  g.feed("GET / HTTP/1.1\r\nHost: a\r\n");
  EXPECT_TRUE(g.pending().empty());
  g.feed("\r\n");
  EXPECT_EQ(g.pending(), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

TEST(HttpGuard, ContentLengthOverLimitIsRefusedBeforeTheBody) {
  RequestGuard g(small(), "s3cret");
  std::string ok = "GET /first HTTP/1.1\r\n\r\n";
  std::string out = run(g, ok + "POST /api/v1/me/photo?x=1 HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 5);
  EXPECT_TRUE(g.refused());
  EXPECT_EQ(out, ok + marker(413, "POST", "/api/v1/me/photo?x=1"));
  g.feed("the body that follows is ignored");
  EXPECT_TRUE(g.pending().empty());
}

TEST(HttpGuard, ChunkedOverLimitIsRefused) {
  RequestGuard g(small(), "s3cret");
  std::string out = run(g, "PUT /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n", 3);
  EXPECT_TRUE(g.refused());
  EXPECT_EQ(out, marker(413, "PUT", "/u"));  // nothing of the refused request went through
}

TEST(HttpGuard, MalformedAndOversized) {
  struct Case {
    std::string in;
    int status;
  } cases[] = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET / HTTP/9.9\r\n\r\n", 400},
      {"GET /\x01 HTTP/1.1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},  // smuggling
      {"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"GET /" + std::string(60, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nX-Big: " + std::string(300, 'b') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\na: 1\r\nb: 1\r\nc: 1\r\nd: 1\r\ne: 1\r\nf: 1\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    RequestGuard g(small(), "s3cret");
    std::string out = run(g, c.in, 4);
    EXPECT_TRUE(g.refused()) << c.in;
    EXPECT_NE(out.find("x-sy-refused: s3cret " + std::to_string(c.status) + " "), std::string::npos) << c.in;
    EXPECT_EQ(out.rfind("GET ", 0), 0u) << c.in;  // only the synthetic request went through
  }
}

TEST(HttpGuard, UnprintableTargetBecomesRoot) {
  RequestGuard g(small(), "s3cret");
  std::string out = run(g, "POST /api/\xff HTTP/1.1\r\nContent-Length: 99\r\n\r\n", 100);
  EXPECT_TRUE(g.refused());
  EXPECT_EQ(out, marker(413, "POST", "/"));
}

TEST(HttpGuard, MarkerParsing) {
  auto r = parse_refusal_marker("s3cret 413 POST", "s3cret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(parse_refusal_marker("s3cret 400 -", "s3cret")->method, "");
  EXPECT_FALSE(parse_refusal_marker("guess 413 POST", "s3cret"));
  EXPECT_FALSE(parse_refusal_marker(" 413 POST", ""));
  EXPECT_FALSE(parse_refusal_marker("s3cret 200 GET", "s3cret"));
  EXPECT_FALSE(parse_refusal_marker("s3cret 4x3 GET", "s3cret"));
  EXPECT_FALSE(parse_refusal_marker("s3cret", "s3cret"));
}

TEST(HttpGuard, BodyLimitIsDecidedPerRequestFromMethodAndTarget) {
  GuardLimits l = small();
  std::vector<std::string> asked;
  l.body_limit = [&](std::string_view method, std::string_view target) -> std::uint64_t {
    asked.push_back(std::string(method) + " " + std::string(target));
    return target == "/upload" ? 100 : 10;
  };
  RequestGuard g(l, "s3cret");
  std::string big = "POST /upload HTTP/1.1\r\nContent-Length: 50\r\n\r\n" + std::string(50, 'u');
  std::string chunked =
      "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + std::string(50, 'c') + "\r\n0\r\n\r\n";
  EXPECT_EQ(run(g, big + chunked, 7), big + chunked);
  EXPECT_FALSE(g.refused());
  // The next request on the connection is small again.
  std::string out = run(g, "POST /form HTTP/1.1\r\nContent-Length: 50\r\n\r\n", 7);
  EXPECT_TRUE(g.refused());
  EXPECT_EQ(out, marker(413, "POST", "/form"));
  EXPECT_EQ(asked, (std::vector<std::string>{"POST /upload", "POST /upload", "POST /form"}));

  RequestGuard c(l, "s3cret");  // chunked over the small limit of its route
  out = run(c, "POST /form HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + std::string(50, 'c'), 7);
  EXPECT_TRUE(c.refused());
  EXPECT_EQ(out, marker(413, "POST", "/form"));
}

TEST(HttpGuard, ChunkedBodyHeldIsBoundedByTheLimitEvenInTinyChunks) {
  // Chunk framing (sizes, extensions) is not body: the guard stops holding at twice the limit
  // plus the header allowance, whatever the body bytes count.
  RequestGuard g(small(), "s3cret");
  std::string in = "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 9; ++i) in += "1;e=" + std::string(40, 'x') + "\r\na\r\n";  // 9 body bytes < 10
  std::string out = run(g, in, 3);
  EXPECT_TRUE(g.refused());
  EXPECT_EQ(out, marker(413, "POST", "/u"));
}
