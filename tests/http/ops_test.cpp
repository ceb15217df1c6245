// /readyz probes at most once per second however many callers ask; /metrics behind a bearer token
// or the loopback/trusted-proxy rule. Router-level (no socket); the clock is the test's.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/ops.h"

using namespace sy::http;

namespace {

Response get(Router& r, const std::string& path, const std::string& ip = "127.0.0.1",
             std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request req;
  req.method = "GET";
  req.path = req.target = path;
  req.remote_ip = ip;
  req.headers = std::move(headers);
  return r.dispatch(req);
}

}  // namespace

TEST(Readyz, OneProbePerSecondHoweverManyCallers) {
  std::atomic<int> probes{0};
  std::atomic<bool> ready{true};
  std::atomic<std::int64_t> now{5000};
  Router r;
  sy::metrics::Registry reg;
  OpsOptions o;
  o.now_ms = [&] { return now.load(); };
  mount_ops(
      r,
      [&] {
        ++probes;
        return ready.load();
      },
      reg, o);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(get(r, "/readyz").status, 200);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) get(r, "/readyz");
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(probes.load(), 1);
  // Still cached 999 ms later; probed again at one second, and the new state shows.
  ready = false;
  now += 999;
  EXPECT_EQ(get(r, "/readyz").status, 200);
  EXPECT_EQ(probes.load(), 1);
  now += 1;
  EXPECT_EQ(get(r, "/readyz").status, 503);
  EXPECT_EQ(probes.load(), 2);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(get(r, "/readyz").status, 503);
  EXPECT_EQ(probes.load(), 2);
}

TEST(Readyz, AThrowingProbeIsNotReadyAndCachedToo) {
  int probes = 0;
  std::int64_t now = 0;
  Router r;
  sy::metrics::Registry reg;
  OpsOptions o;
  o.now_ms = [&] { return now; };
  mount_ops(
      r,
      [&]() -> bool {
        ++probes;
        throw std::runtime_error("db down");
      },
      reg, o);
  EXPECT_EQ(get(r, "/readyz").status, 503);
  EXPECT_EQ(get(r, "/readyz").status, 503);
  EXPECT_EQ(probes, 1);
}

TEST(Metrics, TrustedProxyPeersAndLoopbackOnlyWithoutAToken) {
  Router r;
  sy::metrics::Registry reg;
  OpsOptions o;
  o.trusted_proxies = {"10.0.0.0/8"};
  mount_ops(
      r, [] { return true; }, reg, o);
  EXPECT_EQ(get(r, "/metrics", "127.0.0.1").status, 200);
  EXPECT_EQ(get(r, "/metrics", "127.0.0.2").status, 200);
  EXPECT_EQ(get(r, "/metrics", "::1").status, 200);
  EXPECT_EQ(get(r, "/metrics", "10.1.2.3").status, 200);
  EXPECT_EQ(get(r, "/metrics", "192.0.2.8").status, 403);
  EXPECT_EQ(get(r, "/metrics", "::ffff:192.0.2.8").status, 403);
}

TEST(Metrics, BearerTokenWhenConfigured) {
  Router r;
  sy::metrics::Registry reg;
  OpsOptions o;
  o.metrics_token = "0123456789abcdef-token";
  mount_ops(
      r, [] { return true; }, reg, o);
  EXPECT_EQ(get(r, "/metrics", "127.0.0.1").status, 401);
  EXPECT_EQ(get(r, "/metrics", "192.0.2.8", {{"authorization", "Bearer 0123456789abcdef-tokeN"}}).status, 401);
  EXPECT_EQ(get(r, "/metrics", "192.0.2.8", {{"authorization", "Basic 0123456789abcdef-token"}}).status, 401);
  auto ok = get(r, "/metrics", "192.0.2.8", {{"authorization", "Bearer 0123456789abcdef-token"}});
  EXPECT_EQ(ok.status, 200);
}

TEST(Readyz, DrainingIsNotReadyWhateverTheCachedProbeSays) {
  Router r;
  sy::metrics::Registry reg;
  OpsOptions o;
  o.now_ms = [] { return std::int64_t{0}; };  // the probe's answer stays cached throughout
  mount_ops(
      r, [] { return true; }, reg, o);
  EXPECT_EQ(get(r, "/readyz").status, 200);
  set_draining(true);  // what Server::stop() does on SIGTERM
  EXPECT_EQ(get(r, "/readyz").status, 503);
  set_draining(false);
  EXPECT_EQ(get(r, "/readyz").status, 200);
}
