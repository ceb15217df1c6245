// Real-socket tests: a Server on a free loopback port, spoken to byte by byte.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "http/ops.h"
#include "http/server.h"
#include "raw_client.h"

using namespace sy::http;
using sy::test::get_request;
using sy::test::RawClient;
using sy::test::roundtrip;

namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/hello", [](Request&) { return Response::html(200, "<p>hello</p>"); });
    router_.get("/api/v1/hello", [](Request&) { return Response::json(200, {{"hello", "world"}}); });
    router_.post("/api/v1/echo", [](Request& r) {
      return Response::json(200, {{"size", r.body.size()}, {"body", r.body.substr(0, 100)}});
    });
    router_.get("/whoami", [](Request& r) {
      std::string seen_marker = r.header("x-sy-refused").value_or("none");
      return Response::text(200, r.remote_ip + " " + (r.secure ? "https" : "http") + " " + seen_marker);
    });
    router_.get("/api/v1/boom", [](Request&) -> Response { throw std::runtime_error("secret internals"); });
    router_.get("/inject", [](Request&) {
      Response r = Response::text(200, "x");
      r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: pwned=1");
      return r;
    });
    router_.get("/slow", [this](Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      return Response::text(200, "slow done");
    });
    router_.get("/login", [](Request& r) {
      r.user = Principal{7, "ann", sy::Role::student, "Ann", "", ""};
      return Response::text(200, "hi");
    });
    OpsOptions ops;
    ops.ready_cache_ms = 0;  // these tests flip readiness between two requests
    mount_ops(
        router_, [this] { return ready_.load(); }, registry_, ops);
  }

  void start(ServerOptions o = {}) {
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = 1024 * 1024;
    o.metrics = &registry_;
    o.access_log = [this](const std::string& line) {
      std::lock_guard l(log_mu_);
      log_.push_back(line);
    };
    server_ = std::make_unique<Server>(router_, std::move(o));
    server_->start();
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  std::vector<std::string> log_lines() {
    std::lock_guard l(log_mu_);
    return log_;
  }

  // The access log line is written once the response is sent, maybe just after the client read it.
  nlohmann::json wait_for_log(const std::function<bool(const nlohmann::json&)>& match) {
    for (int i = 0; i < 100; ++i) {
      for (auto& line : log_lines()) {
        auto j = nlohmann::json::parse(line);
        if (match(j)) return j;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return nullptr;
  }

  Router router_;
  sy::metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::atomic<bool> ready_{true};
  std::atomic<bool> slow_started_{false};
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

nlohmann::json error_of(const sy::test::RawResponse& r) { return nlohmann::json::parse(r.body)["error"]; }

}  // namespace

TEST_F(ServerTest, ServesRoutesWithSecurityHeadersAndNoBanner) {
  start();
  auto r = roundtrip(port_, get_request("/hello"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<p>hello</p>");
  EXPECT_NE(r->header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(r->header("content-security-policy").find("object-src 'none'"), std::string::npos);
  EXPECT_EQ(r->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r->header("x-frame-options"), "DENY");
  EXPECT_FALSE(r->header("referrer-policy").empty());
  EXPECT_FALSE(r->has("strict-transport-security"));
  EXPECT_FALSE(r->has("server"));
  EXPECT_TRUE(r->has("date"));
  EXPECT_TRUE(sy::http::valid_request_id(r->header("x-request-id")));

  auto api = roundtrip(port_, get_request("/api/v1/hello"));
  ASSERT_TRUE(api);
  EXPECT_EQ(api->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(nlohmann::json::parse(api->body)["hello"], "world");
}

TEST_F(ServerTest, NotFoundJsonForApiHtmlOtherwiseAnd405) {
  start();
  auto api = roundtrip(port_, get_request("/api/v1/nope"));
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_EQ(api->header("content-type"), "application/json");
  EXPECT_EQ(error_of(*api)["code"], "not_found");

  auto page = roundtrip(port_, get_request("/nope"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->header("x-frame-options"), "DENY");

  auto m = roundtrip(port_, "DELETE /api/v1/hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 405);
  EXPECT_EQ(m->header("allow"), "GET, HEAD");
  EXPECT_EQ(error_of(*m)["code"], "method_not_allowed");
}

TEST_F(ServerTest, BodiesWithinTheLimitArrive) {
  start();
  std::string body(5000, 'x');
  auto r = roundtrip(port_, "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + body);
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["size"], 5000);

  auto chunked = roundtrip(port_,
                           "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(chunked);
  EXPECT_EQ(nlohmann::json::parse(chunked->body)["body"], "hello world");
}

TEST_F(ServerTest, TooLargeContentLengthIsAnsweredBeforeTheBody) {
  start();
  RawClient c(port_);
  // 10 GB announced, nothing sent: the server must answer now, without waiting for the body.
  ASSERT_TRUE(
      c.send("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: 10000000000\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(error_of(*r)["code"], "payload_too_large");
  EXPECT_NE(error_of(*r)["message"].get<std::string>().find("1 MB"), std::string::npos);
  // A client that goes on sending is not reset at once (lingering close), then the server closes.
  c.send(std::string(256 * 1024, 'b'));
  EXPECT_TRUE(c.closed_by_peer());

  // An HTML path gets the HTML page; the refusal shows in the access log with its real method.
  auto html = roundtrip(port_, "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 413);
  EXPECT_EQ(html->header("content-type"), "text/html; charset=utf-8");
  auto logged = wait_for_log(
      [](const nlohmann::json& j) { return j["status"] == 413 && j["method"] == "PUT" && j["path"] == "/upload"; });
  EXPECT_FALSE(logged.is_null());
}

TEST_F(ServerTest, TooLargeChunkedBodyIs413) {
  start();
  RawClient c(port_);
  ASSERT_TRUE(c.send("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";  // 64 KiB chunks
  std::optional<sy::test::RawResponse> r;
  for (int i = 0; i < 20 && c.send(chunk); ++i) {}
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, MalformedRequestsGet400) {
  start();
  auto r = roundtrip(port_, "THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->header("x-content-type-options"), "nosniff");

  auto bad_escape = roundtrip(port_, get_request("/api/v1/%zz"));
  ASSERT_TRUE(bad_escape);
  EXPECT_EQ(bad_escape->status, 400);
  EXPECT_EQ(error_of(*bad_escape)["code"], "bad_request");

  auto nul = roundtrip(port_, get_request("/a%00b"));
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->status, 400);

  auto smuggle = roundtrip(port_,
                           "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(smuggle);
  EXPECT_EQ(smuggle->status, 400);

  auto huge_header = roundtrip(port_, get_request("/hello", "X-Big: " + std::string(70000, 'h') + "\r\n"));
  ASSERT_TRUE(huge_header);
  EXPECT_EQ(huge_header->status, 431);
}

TEST_F(ServerTest, KeepAlivePipeliningAndHead) {
  start();
  RawClient c(port_);
  ASSERT_TRUE(c.send(get_request("/hello") + get_request("/api/v1/hello")));
  auto a = c.read_response();
  auto b = c.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "<p>hello</p>");
  EXPECT_EQ(nlohmann::json::parse(b->body)["hello"], "world");

  ASSERT_TRUE(c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto h = c.read_response(false);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->header("content-length"), "12");
  ASSERT_TRUE(c.send(get_request("/hello")));  // the HEAD sent no body: the next response parses
  auto after = c.read_response();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "<p>hello</p>");

  // A refused request behind a good one: the good one is answered first, in order.
  RawClient p(port_);
  ASSERT_TRUE(
      p.send(get_request("/hello") + "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n"));
  auto first = p.read_response();
  auto second = p.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 413);
}

TEST_F(ServerTest, RequestIdEchoedAndMarkerCannotBeForged) {
  start();
  auto r = roundtrip(port_, get_request("/whoami", "X-Request-Id: trace-123\r\nX-Sy-Refused: guess 413 GET\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-request-id"), "trace-123");
  EXPECT_EQ(r->body, "127.0.0.1 http none");  // the forged marker is dropped, not obeyed
}

TEST_F(ServerTest, ForwardedHeadersOnlyFromTrustedProxies) {
  ServerOptions trusting;
  trusting.trusted_proxies = {"127.0.0.1"};
  start(trusting);
  auto r = roundtrip(port_,
                     get_request("/whoami", "X-Forwarded-For: 6.6.6.6, 198.51.100.4\r\nX-Forwarded-Proto: https\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "198.51.100.4 https none");
  EXPECT_NE(r->header("strict-transport-security").find("max-age="), std::string::npos);
  server_->stop();

  ServerOptions distrusting;
  distrusting.trusted_proxies = {};
  start(distrusting);
  r = roundtrip(port_, get_request("/whoami", "X-Forwarded-For: 198.51.100.4\r\nX-Forwarded-Proto: https\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "127.0.0.1 http none");
  EXPECT_FALSE(r->has("strict-transport-security"));
}

TEST_F(ServerTest, ErrorsNeverLeakInternals) {
  start();
  auto r = roundtrip(port_, get_request("/api/v1/boom"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("secret internals"), std::string::npos);
  EXPECT_NE(error_of(*r)["message"].get<std::string>().find(r->header("x-request-id")), std::string::npos);

  auto inj = roundtrip(port_, get_request("/inject"));
  ASSERT_TRUE(inj);
  EXPECT_EQ(inj->status, 500);
  EXPECT_FALSE(inj->has("set-cookie"));
}

TEST_F(ServerTest, OpsEndpointsAndMetrics) {
  start();
  EXPECT_EQ(roundtrip(port_, get_request("/healthz"))->status, 200);
  EXPECT_EQ(roundtrip(port_, get_request("/readyz"))->status, 200);
  ready_ = false;
  EXPECT_EQ(roundtrip(port_, get_request("/readyz"))->status, 503);
  for (int i = 0; i < 3; ++i) roundtrip(port_, get_request("/hello"));
  roundtrip(port_, get_request("/random/path/1"));
  roundtrip(port_, get_request("/random/path/2"));

  // Metrics are recorded once the response is written; poll briefly.
  std::string text;
  for (int i = 0; i < 50; ++i) {
    auto m = roundtrip(port_, get_request("/metrics"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    text = m->body;
    if (text.find("schoolyard_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 3\n") !=
            std::string::npos &&
        text.find("route=\"none\",status=\"404\"} 2\n") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(text.find("# TYPE schoolyard_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("schoolyard_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("schoolyard_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"503\"} 1\n"),
            std::string::npos);
  // Unmatched paths share one label value: no label explosion.
  EXPECT_NE(text.find("schoolyard_http_requests_total{method=\"GET\",route=\"none\",status=\"404\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(text.find("/random/path"), std::string::npos);
  EXPECT_NE(text.find("# TYPE schoolyard_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(
      text.find("schoolyard_http_request_duration_seconds_bucket{method=\"GET\",route=\"/hello\",le=\"+Inf\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("schoolyard_http_request_duration_seconds_count{method=\"GET\",route=\"/hello\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE schoolyard_http_requests_in_flight gauge"), std::string::npos);
}

TEST_F(ServerTest, AccessLogIsJsonWithoutSecrets) {
  start();
  roundtrip(port_,
            get_request("/login?token=supersecret&next=/x", "Cookie: sid=cookievalue\r\nX-Request-Id: log-1\r\n"));
  auto entry = wait_for_log([](const nlohmann::json& j) { return j["request_id"] == "log-1"; });
  ASSERT_FALSE(entry.is_null());
  for (auto& line : log_lines()) {
    EXPECT_EQ(line.find("supersecret"), std::string::npos);
    EXPECT_EQ(line.find("cookievalue"), std::string::npos);
  }
  EXPECT_EQ(entry["method"], "GET");
  EXPECT_EQ(entry["path"], "/login");
  EXPECT_EQ(entry["status"], 200);
  EXPECT_EQ(entry["bytes"], 2);
  EXPECT_EQ(entry["remote_ip"], "127.0.0.1");
  EXPECT_EQ(entry["user_id"], 7);
  EXPECT_TRUE(entry["duration_ms"].is_number());
  std::string ts = entry["ts"];
  EXPECT_EQ(ts.size(), 24u);  // 2024-01-02T03:04:05.678Z
  EXPECT_EQ(ts.back(), 'Z');

  AccessLogEntry e;
  e.path = "/a\n{\"forged\":1}";
  auto line = access_log_line(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);  // no log injection
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
  start();
  auto client = std::async(std::launch::async, [this] { return roundtrip(port_, get_request("/slow")); });
  for (int i = 0; i < 200 && !slow_started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(slow_started_);
  EXPECT_EQ(server_->in_flight(), 1);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  auto waited = std::chrono::steady_clock::now() - t0;
  auto r = client.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_GT(waited, std::chrono::milliseconds(200));   // stop() waited for it
  EXPECT_THROW(RawClient{port_}, std::runtime_error);  // no longer accepting
  server_->stop();                                     // idempotent
}

TEST_F(ServerTest, ShutdownDeadlineBoundsTheWait) {
  ServerOptions o;
  o.shutdown_deadline = std::chrono::milliseconds(100);
  start(o);
  auto client = std::async(std::launch::async, [this] { return roundtrip(port_, get_request("/slow")); });
  for (int i = 0; i < 200 && !slow_started_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(slow_started_);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  // The handler itself still runs to its end (threads are joined), but no longer than that.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2000));
  client.get();
}

TEST_F(ServerTest, PortInUseAndBadOptions) {
  start();
  ServerOptions same;
  same.port = port_;
  Server other(router_, same);
  EXPECT_THROW(other.start(), std::runtime_error);
  ServerOptions bad_host;
  bad_host.host = "not-an-ip.example";
  EXPECT_THROW(Server(router_, bad_host), std::invalid_argument);
  ServerOptions bad_proxy;
  bad_proxy.trusted_proxies = {"10.0.0.0/99"};
  EXPECT_THROW(Server(router_, bad_proxy), std::invalid_argument);
}

TEST_F(ServerTest, BodyLimitPerRouteIsDecidedAtHeaderTime) {
  router_.post("/api/v1/upload", [](Request& r) { return Response::json(200, {{"size", r.body.size()}}); });
  router_.limit_body("POST", "/api/v1/upload", 2 * 1024 * 1024);
  ServerOptions o;
  start(o);  // 1 MB for every other route (start() sets it)
  auto post = [&](const std::string& target, std::size_t n, const std::string& extra = "") {
    return roundtrip(port_, "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra +
                                "Content-Length: " + std::to_string(n) + "\r\n\r\n" + std::string(n, 'x'));
  };
  auto ok = post("/api/v1/upload", 1536 * 1024);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto small = post("/api/v1/echo", 1536 * 1024);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 413);
  EXPECT_NE(error_of(*small)["message"].get<std::string>().find("1 MB"), std::string::npos);
  // The path is decoded the way the router decodes it.
  auto escaped = post("/api/v1/%75pload?x=1", 1536 * 1024);
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->status, 200);
  // Over the route's own limit: answered before the body is sent, with that limit in the message.
  RawClient c(port_);
  ASSERT_TRUE(c.send("POST /api/v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3000000\r\n\r\n"));
  auto big = c.read_response();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(error_of(*big)["message"].get<std::string>().find("2 MB"), std::string::npos);
  // Another method on the upload path gets the default.
  auto put = roundtrip(port_, "PUT /api/v1/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1500000\r\n\r\n");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 413);
}

TEST_F(ServerTest, QueryStringLimitsAreClearErrors) {
  start();
  std::string q;
  for (int i = 0; i < 201; ++i) q += "a=1&";
  auto r = roundtrip(port_, get_request("/api/v1/hello?" + q));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_of(*r)["code"], "too_many_fields");
}

TEST_F(ServerTest, SlowHeadersAndBodiesLoseTheirConnection) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(500);  // shorter than the /slow handler (600 ms)
  o.body_timeout = std::chrono::milliseconds(500);
  o.min_body_rate = 1000;  // bytes per second
  start(o);
  using clock = std::chrono::steady_clock;
  // Slowloris: one header byte every 100 ms never completes the block in time.
  auto trickle = [&](const std::string& head, const std::string& drip) {
    RawClient c(port_, 5000);
    EXPECT_TRUE(c.send(head));
    auto t0 = clock::now();
    for (std::size_t i = 0; i < drip.size() && clock::now() - t0 < std::chrono::seconds(4); ++i) {
      if (!c.send(std::string(1, drip[i]))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    bool closed = c.closed_by_peer();
    return std::make_pair(closed, std::chrono::duration<double>(clock::now() - t0).count());
  };
  auto [h_closed, h_secs] = trickle("GET /hello HTTP/1.1\r\n", std::string(200, 'X'));
  EXPECT_TRUE(h_closed);
  EXPECT_LT(h_secs, 3.0);
  // A body sent at 10 bytes/s falls behind 1000 bytes/s after the grace period.
  auto [b_closed, b_secs] =
      trickle("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
              std::string(200, 'b'));
  EXPECT_TRUE(b_closed);
  EXPECT_LT(b_secs, 3.0);
  // A handler slower than the deadlines is not the client's fault, nor a slow read between requests.
  RawClient keep(port_);
  ASSERT_TRUE(keep.send(get_request("/slow")));
  auto slow = keep.read_response();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->body, "slow done");
  std::this_thread::sleep_for(std::chrono::milliseconds(900));  // idle: bounded by read_timeout
  ASSERT_TRUE(keep.send(get_request("/hello")));
  auto again = keep.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  // A body that keeps up with the rate may take longer than body_timeout in total.
  RawClient up(port_);
  ASSERT_TRUE(up.send("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n"));
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(up.send(std::string(500, 'u')));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto done = up.read_response();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
}

TEST_F(ServerTest, ConnectionsPerAddressAreCapped) {
  ServerOptions o;
  o.trusted_proxies = {};  // loopback is not a proxy here, so it is capped
  o.max_connections_per_address = 3;
  start(o);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(held.back()->send(get_request("/hello")));
    ASSERT_TRUE(held.back()->read_response());
  }
  auto refused = roundtrip(port_, get_request("/api/v1/hello"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->header("connection"), "close");
  held.pop_back();  // one closes: there is room again
  std::optional<sy::test::RawResponse> ok;
  for (int i = 0; i < 50 && !(ok && ok->status == 200); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ok = roundtrip(port_, get_request("/hello"));
  }
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, TrustedProxiesAreNotCapped) {
  ServerOptions o;  // loopback is a trusted proxy by default
  o.max_connections_per_address = 2;
  start(o);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(held.back()->send(get_request("/hello")));
    auto r = held.back()->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}
