// Server-sent events through the real server: a stream stays open after its handler returned,
// carries events written later from any thread and heartbeats, is bounded per user and in total,
// ends when the client leaves and when the server stops.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/events.h"
#include "http/ops.h"
#include "http/server.h"
#include "raw_client.h"

using namespace sy::http;
using sy::test::RawClient;

namespace {

TEST(EventFormat, OneFieldPerLineAndNoForgedFields) {
  EXPECT_EQ(format_event("photo", "{\"a\":1}"), "event: photo\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(format_event("", "x"), "data: x\n\n");
  // A newline in the payload cannot start a new field or end the event early.
  EXPECT_EQ(format_event("a\nb", "1\r\nevent: evil\n\n2\r3"),
            "event: ab\ndata: 1\ndata: event: evil\ndata: \ndata: 2\ndata: 3\n\n");
}

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.get("/api/events", [this](Request& r) {
      if (r.query_param("user"))
        r.user = Principal{std::stoll(*r.query_param("user")), "u", sy::Role::student, "U", "", ""};
      return Response::event_stream([this](std::shared_ptr<EventSink> s) {
        s->send("hello", "first");
        std::lock_guard l(mu_);
        sinks_.push_back(std::move(s));
      });
    });
    router_.get("/plain", [](Request&) { return Response::text(200, "plain"); });
  }

  void start(ServerOptions o = {}) {
    o.port = 0;
    o.threads = 1;  // a stream must not hold the only thread
    o.access_log = {};
    o.metrics = &registry_;
    server_ = std::make_unique<Server>(router_, std::move(o));
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
    set_draining(false);  // process-wide (/readyz): the ops tests that run later expect a live process
  }

  std::unique_ptr<RawClient> open_stream(const std::string& query = "") {
    auto c = std::make_unique<RawClient>(server_->port());
    c->send("GET /api/events" + query + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
    return c;
  }
  void send_all(const std::string& event, const std::string& data) {
    std::lock_guard l(mu_);
    for (auto& s : sinks_) s->send(event, data);
  }
  bool wait_for_streams(int n) {
    for (int i = 0; i < 300 && server_->open_streams() != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return server_->open_streams() == n;
  }

  Router router_;
  sy::metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::shared_ptr<EventSink>> sinks_;
};

TEST_F(EventsTest, StreamCarriesLaterEventsWithoutHoldingAThread) {
  start();
  auto c = open_stream();
  ASSERT_TRUE(c->read_until("event: hello\ndata: first\n\n")) << c->buffered();
  const auto& head = c->buffered();
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(head.find("X-Accel-Buffering: no"), std::string::npos);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos);
  // The one server thread is free: an ordinary request is answered while the stream is open.
  RawClient other(server_->port());
  other.send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = other.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "plain");
  // An event written from another thread, after the handler returned, reaches the client.
  std::thread([this] { send_all("photo", "{\"state\":\"published\"}"); }).join();
  EXPECT_TRUE(c->read_until("event: photo\ndata: {\"state\":\"published\"}\n\n")) << c->buffered();
  EXPECT_EQ(server_->open_streams(), 1);
}

TEST_F(EventsTest, HeartbeatsKeepIdleStreamsAndEndThoseWhoseClientLeft) {
  ServerOptions o;
  o.streams.heartbeat = std::chrono::milliseconds(100);
  start(o);
  {
    auto c = open_stream();
    ASSERT_TRUE(c->read_until("data: first"));
    EXPECT_TRUE(c->read_until(": ping\n\n")) << c->buffered();
  }  // the client leaves
  EXPECT_TRUE(wait_for_streams(0));
  std::lock_guard l(mu_);
  ASSERT_EQ(sinks_.size(), 1u);
  EXPECT_TRUE(sinks_[0]->closed());
  EXPECT_FALSE(sinks_[0]->send("x", "y"));
}

TEST_F(EventsTest, StreamsAreBoundedPerUserAndInTotal) {
  ServerOptions o;
  o.streams.max_per_user = 2;
  o.streams.max_total = 3;
  start(o);
  auto a1 = open_stream("?user=1"), a2 = open_stream("?user=1");
  ASSERT_TRUE(a1->read_until("data: first"));
  ASSERT_TRUE(a2->read_until("data: first"));
  auto a3 = open_stream("?user=1");
  auto r = a3->read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_NE(r->body.find("too_many_streams"), std::string::npos);
  EXPECT_NE(r->body.find("limit 2"), std::string::npos);
  auto b1 = open_stream("?user=2");
  ASSERT_TRUE(b1->read_until("data: first"));
  auto b2 = open_stream("?user=2");  // user 2 is within their own limit, the server is full
  r = b2->read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("too_many_streams"), std::string::npos);
  EXPECT_EQ(r->header("retry-after"), "5");
  // A closed stream gives its slot back.
  {
    std::lock_guard l(mu_);
    sinks_[0]->close();
  }
  EXPECT_TRUE(a1->closed_by_peer());
  EXPECT_TRUE(wait_for_streams(2));
  auto a4 = open_stream("?user=1");
  EXPECT_TRUE(a4->read_until("data: first")) << a4->buffered();
}

TEST_F(EventsTest, StopEndsStreamsCleanlyAndPromptly) {
  ServerOptions o;
  o.shutdown_deadline = std::chrono::seconds(20);
  start(o);
  auto c = open_stream();
  ASSERT_TRUE(c->read_until("data: first"));
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  // The last chunk, then the connection closes.
  EXPECT_TRUE(c->read_until("0\r\n\r\n")) << c->buffered();
  EXPECT_TRUE(c->closed_by_peer());
  std::lock_guard l(mu_);
  EXPECT_TRUE(sinks_[0]->closed());
}

}  // namespace
