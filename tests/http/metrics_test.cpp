#include <gtest/gtest.h>

#include <thread>

#include "core/metrics.h"

using sy::metrics::Registry;

TEST(Metrics, CountersGaugesAndExposition) {
  Registry r;
  r.counter("jobs_total", "Jobs done", {{"kind", "compress"}}).inc();
  r.counter("jobs_total", "Jobs done", {{"kind", "compress"}}).inc(2);
  r.counter("jobs_total", "Jobs done", {{"kind", "odd \"one\"\\\n"}}).inc();
  auto& g = r.gauge("queue_depth", "Jobs waiting");
  g.set(5);
  g.dec();
  EXPECT_EQ(g.value(), 4);
  std::string text = r.expose();
  EXPECT_NE(text.find("# HELP jobs_total Jobs done\n# TYPE jobs_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("jobs_total{kind=\"compress\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("jobs_total{kind=\"odd \\\"one\\\"\\\\\\n\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE queue_depth gauge\nqueue_depth 4\n"), std::string::npos);
}

TEST(Metrics, LabelOrderDoesNotSplitSeries) {
  Registry r;
  r.counter("c", "h", {{"a", "1"}, {"b", "2"}}).inc();
  r.counter("c", "h", {{"b", "2"}, {"a", "1"}}).inc();
  EXPECT_NE(r.expose().find("c{a=\"1\",b=\"2\"} 2\n"), std::string::npos);
}

TEST(Metrics, Histogram) {
  Registry r;
  auto& h = r.histogram("lat_seconds", "Latency", {{"route", "/x"}}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.5);
  h.observe(7);
  std::string t = r.expose();
  EXPECT_NE(t.find("# TYPE lat_seconds histogram\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_sum{route=\"/x\"} 7.65\n"), std::string::npos);
  EXPECT_NE(t.find("lat_seconds_count{route=\"/x\"} 4\n"), std::string::npos);
}

TEST(Metrics, GaugeFunctionsReadAtScrape) {
  Registry r;
  int depth = 3;
  r.gauge_fn("jobs_queued", "Queued jobs", {}, [&] { return static_cast<double>(depth); });
  EXPECT_NE(r.expose().find("jobs_queued 3\n"), std::string::npos);
  depth = 8;
  EXPECT_NE(r.expose().find("jobs_queued 8\n"), std::string::npos);
  r.gauge_fn("jobs_queued", "Queued jobs", {}, []() -> double { throw std::runtime_error("db down"); });
  std::string t = r.expose();
  EXPECT_EQ(t.find("jobs_queued 8"), std::string::npos);  // no stale or made-up sample
}

TEST(Metrics, MisuseThrows) {
  Registry r;
  r.counter("x_total", "h");
  EXPECT_THROW(r.gauge("x_total", "h"), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name", "h"), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "h", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "h", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h1", "h", {{"le", "1"}}), std::invalid_argument);
  r.histogram("h2", "h", {}, {1, 2});
  EXPECT_THROW(r.histogram("h2", "h", {{"a", "b"}}, {1, 3}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h3", "h", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "h").inc(-1), std::invalid_argument);
}

TEST(Metrics, ConcurrentUpdates) {
  Registry r;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&r, t] {
      for (int i = 0; i < 10000; ++i) {
        r.counter("hits_total", "h", {{"route", i % 2 ? "/a" : "/b"}}).inc();
        r.histogram("d_seconds", "h").observe(0.001 * (i % 100));
        if (i % 1000 == 0) r.expose();
      }
      (void)t;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(r.counter("hits_total", "h", {{"route", "/a"}}).value(), 20000);
  EXPECT_NE(r.expose().find("d_seconds_count 40000\n"), std::string::npos);
}
