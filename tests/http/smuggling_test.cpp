// Request smuggling: the guard (request_guard.h) and RESTinio must never disagree on where a request
// ends. Each case is a byte stream with one expected reading; it is checked twice, against the guard
// alone (refused or passed through unchanged) and against the real server (the requests it answered,
// in order, with the path and body each one saw). A stream is either refused with 400 before any
// ambiguous part reaches RESTinio, or read the same way by both.
#include <gtest/gtest.h>

#include "http/request_guard.h"
#include "http/server.h"
#include "raw_client.h"

using namespace sy::http;
using sy::test::RawClient;

namespace {

struct Case {
  const char* name;
  std::string bytes;
  std::vector<std::string> echoes;  // "path body" of each request answered with 200, in order
  int refused = 0;                  // status of the refusal that ends the stream, 0 if none
};

std::vector<Case> cases() {
  const std::string h = "Host: t\r\n";
  return {
      {"pipelined",
       "POST /e HTTP/1.1\r\n" + h + "Content-Length: 3\r\n\r\nabcGET /e HTTP/1.1\r\n" + h + "\r\n",
       {"/e abc", "/e "}},
      {"duplicate content-length, same value",
       "POST /e HTTP/1.1\r\n" + h + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
       {},
       400},
      {"duplicate content-length, different values",
       "POST /e HTTP/1.1\r\n" + h + "Content-Length: 3\r\nContent-Length: 8\r\n\r\nabcGET /x HTTP/1.1\r\n\r\n",
       {},
       400},
      {"content-length list", "POST /e HTTP/1.1\r\n" + h + "Content-Length: 3, 3\r\n\r\nabc", {}, 400},
      {"content-length with chunked",
       "POST /e HTTP/1.1\r\n" + h +
           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
       {},
       400},
      {"chunked with content-length after",
       "POST /e HTTP/1.1\r\n" + h +
           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
       {},
       400},
      {"chunked with extensions",
       "POST /e HTTP/1.1\r\n" + h +
           "Transfer-Encoding: chunked\r\n\r\n3;ext=1;q=\"x\"\r\nabc\r\n0;last\r\n\r\nGET /e HTTP/1.1\r\n" + h + "\r\n",
       {"/e abc", "/e "}},
      {"chunk size overflow",
       "POST /e HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n",
       {},
       400},
      {"negative-looking chunk size",
       "POST /e HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
       {},
       400},
      {"huge content-length", "POST /e HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999\r\n\r\nabc", {}, 400},
      {"obs-fold in an ordinary header",
       "POST /e HTTP/1.1\r\n" + h + "X-Note: a\r\n b\r\nContent-Length: 3\r\n\r\nabc",
       {"/e abc"}},
      {"obs-fold hiding transfer-encoding",
       "POST /e HTTP/1.1\r\n" + h + "X-Note: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
       {"/e abc"}},
      {"bare LF line endings", "POST /e HTTP/1.1\n" + std::string("Host: t\nContent-Length: 3\n\nabc"), {"/e abc"}},
      {"bare LF then a second request",
       "POST /e HTTP/1.1\nContent-Length: 3\n\nabcGET /e HTTP/1.1\r\n" + h + "\r\n",
       {"/e abc", "/e "}},
      {"transfer-encoding not ending in chunked",
       "POST /e HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
       {},
       400},
      // http_parser alone would take it as a Content-Length, nginx would drop the line.
      {"space before colon", "POST /e HTTP/1.1\r\n" + h + "Content-Length : 3\r\n\r\nabc", {}, 400},
      {"tab before colon", "POST /e HTTP/1.1\r\n" + h + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", {}, 400},
      {"body on GET is a body",
       "GET /e HTTP/1.1\r\n" + h + "Content-Length: 3\r\n\r\nabcGET /e HTTP/1.1\r\n" + h + "\r\n",
       {"/e abc", "/e "}},
      {"good request then a bad one",
       "GET /e HTTP/1.1\r\n" + h + "\r\nPOST /e HTTP/1.1\r\n" + h + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
       {"/e "},
       400},
  };
}

// What the guard passes on when fed `bytes` in pieces of `step`, and whether it refused.
std::pair<std::string, int> through_guard(const std::string& bytes, std::size_t step) {
  detail::GuardLimits l;
  l.max_body = 1024;
  detail::RequestGuard g(l, "k");
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    g.feed(std::string_view(bytes).substr(i, step));
    out += g.pending();
    g.consume(g.pending().size());
  }
  int status = 0;
  auto m = out.find("x-sy-refused: k ");
  if (m != std::string::npos) status = std::stoi(out.substr(m + 16, 3));
  return {g.refused() ? out.substr(0, out.rfind("GET ", m)) : out, status};
}

class Smuggling : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* m : {"GET", "POST"})
      router_.add(m, "/e", [](Request& r) { return Response::text(200, r.path + " " + r.body); });
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = 1024;
    o.metrics = nullptr;
    o.access_log = nullptr;
    server_ = std::make_unique<Server>(router_, o);
    server_->start();
  }
  void TearDown() override { server_->stop(); }
  Router router_;
  std::unique_ptr<Server> server_;
};

}  // namespace

TEST_F(Smuggling, GuardAndServerReadEveryStreamTheSameWay) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    // The guard alone: a refusal passes on only the requests before it; otherwise every byte.
    for (std::size_t step : {1u, 5u, 100000u}) {
      auto [out, status] = through_guard(c.bytes, step);
      EXPECT_EQ(status, c.refused) << "step " << step;
      if (!c.refused) EXPECT_EQ(out, c.bytes) << "step " << step;
    }
    // The real server: exactly the expected requests, then the refusal and a closed connection.
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(c.bytes));
    for (const auto& e : c.echoes) {
      auto r = client.read_response();
      ASSERT_TRUE(r) << "expected " << e;
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, e);
    }
    if (c.refused) {
      auto r = client.read_response();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, c.refused) << r->body;
      EXPECT_EQ(r->header("connection"), "close");
      EXPECT_TRUE(client.closed_by_peer());
    } else {
      client.shutdown_write();
      EXPECT_TRUE(client.closed_by_peer());
      EXPECT_EQ(client.buffered(), "");  // nothing more was answered
    }
  }
}
