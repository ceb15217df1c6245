#pragma once
// Process metrics: counters, gauges and histograms with labels, exposed in the Prometheus text format
// (version 0.0.4). Thread-safe. Series are never removed, so the references the registry hands out
// stay valid for its lifetime and updating them takes no lock.
// Keep label values bounded (route patterns, status codes — never raw paths or user ids).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sy::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double v = 1.0);  // v must be >= 0
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) { v_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) { v_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // sorted, finite; +Inf is implicit
  void observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Seconds, suited to request and job latencies: 5 ms … 30 s.
std::vector<double> latency_buckets();

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returns the series for (name, labels), creating it on first use. Names must match
  // [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; one name has one type (and, for
  // histograms, one set of buckets). Violations throw std::invalid_argument (a programming error).
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       const std::vector<double>& buckets = latency_buckets());
  // A gauge read when scraped (e.g. queue depth from the database). Registering the same
  // (name, labels) again replaces the function. A throwing function just omits its sample.
  void gauge_fn(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> fn);

  std::string expose() const;  // Prometheus text format
  static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Series;
  struct Family;
  Series& series(const std::string& name, const std::string& help, int type, const Labels& labels,
                 const std::vector<double>* buckets);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

// The process-wide registry every layer registers into and /metrics exposes.
Registry& registry();

}  // namespace sy::metrics
