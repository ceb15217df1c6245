#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sy::metrics {
namespace {

enum Type { kCounter, kGauge, kHistogram };
const char* type_name(int t) { return t == kCounter ? "counter" : t == kGauge ? "gauge" : "histogram"; }

bool valid_name(const std::string& s, bool allow_colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out.push_back(c);
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// `{a="1",b="2"}` (or "" without labels), with an optional extra label appended (le for buckets).
std::string label_text(const Labels& labels, const char* extra_name = nullptr, const std::string& extra = "") {
  if (labels.empty() && !extra_name) return "";
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"" + escape(v, true) + "\"";
  }
  if (extra_name) {
    if (out.size() > 1) out += ',';
    out += std::string(extra_name) + "=\"" + extra + "\"";
  }
  return out + "}";
}

}  // namespace

void Counter::inc(double v) {
  if (v < 0 || std::isnan(v)) throw std::invalid_argument("counter increment must be >= 0");
  v_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1]))
      throw std::invalid_argument("histogram buckets must be finite and strictly increasing");
  }
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);  // first bound >= v ("le")
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;  // derived from the buckets so +Inf and _count always agree
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets() { return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}; }

struct Registry::Series {
  Labels labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::shared_ptr<std::function<double()>> fn;
};

struct Registry::Family {
  std::string name;
  std::string help;
  int type = kCounter;
  std::vector<double> buckets;
  std::map<std::string, std::unique_ptr<Series>> series;  // by label text
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Series& Registry::series(const std::string& name, const std::string& help, int type, const Labels& given,
                                   const std::vector<double>* buckets) {
  Labels labels = given;  // sorted, so {a,b} and {b,a} are one series
  std::sort(labels.begin(), labels.end());
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& k = labels[i].first;
    if (!valid_name(k, false) || k.rfind("__", 0) == 0 || (type == kHistogram && k == "le"))
      throw std::invalid_argument("invalid label name '" + k + "' for metric " + name);
    for (std::size_t j = 0; j < i; ++j)
      if (labels[j].first == k) throw std::invalid_argument("duplicate label '" + k + "' for metric " + name);
  }
  std::lock_guard lock(mu_);
  auto& fam = families_[name];
  if (!fam) {
    fam = std::make_unique<Family>();
    fam->name = name;
    fam->help = help;
    fam->type = type;
    if (buckets) fam->buckets = *buckets;
  } else if (fam->type != type) {
    throw std::invalid_argument("metric " + name + " is already a " + type_name(fam->type));
  } else if (buckets && fam->buckets != *buckets) {
    throw std::invalid_argument("metric " + name + " is already registered with other buckets");
  }
  auto& s = fam->series[label_text(labels)];
  if (!s) {
    s = std::make_unique<Series>();
    s->labels = labels;
    if (type == kCounter) s->counter = std::make_unique<Counter>();
    if (type == kGauge) s->gauge = std::make_unique<Gauge>();
    if (type == kHistogram) s->histogram = std::make_unique<Histogram>(fam->buckets);
  }
  return *s;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  return *series(name, help, kCounter, labels, nullptr).counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  auto& s = series(name, help, kGauge, labels, nullptr);
  std::lock_guard lock(mu_);
  if (s.fn) throw std::invalid_argument("metric " + name + " is already a gauge function for these labels");
  return *s.gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               const std::vector<double>& buckets) {
  return *series(name, help, kHistogram, labels, &buckets).histogram;
}

void Registry::gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> fn) {
  auto& s = series(name, help, kGauge, labels, nullptr);
  std::lock_guard lock(mu_);
  s.fn = std::make_shared<std::function<double()>>(std::move(fn));
}

std::string Registry::expose() const {
  // Copy what to print under the lock; read values and call gauge functions outside it, so a slow
  // function (a database query) never blocks registration on the hot path.
  struct Item {
    const Series* series;
    std::shared_ptr<std::function<double()>> fn;
  };
  struct Fam {
    std::string name, help;
    int type;
    std::vector<Item> items;
  };
  std::vector<Fam> fams;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      Fam out{f->name, f->help, f->type, {}};
      for (const auto& [_, s] : f->series) out.items.push_back({s.get(), s->fn});
      fams.push_back(std::move(out));
    }
  }
  std::string out;
  for (const auto& f : fams) {
    out += "# HELP " + f.name + " " + escape(f.help, false) + "\n";
    out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
    for (const auto& item : f.items) {
      const Series& s = *item.series;
      if (f.type == kCounter) {
        out += f.name + label_text(s.labels) + " " + number(s.counter->value()) + "\n";
      } else if (f.type == kGauge) {
        double v = s.gauge->value();
        if (item.fn) {
          try {
            v = (*item.fn)();
          } catch (...) {
            continue;
          }
        }
        out += f.name + label_text(s.labels) + " " + number(v) + "\n";
      } else {
        auto snap = s.histogram->snapshot();
        for (std::size_t i = 0; i < snap.cumulative.size(); ++i) {
          std::string le = i < snap.upper_bounds.size() ? number(snap.upper_bounds[i]) : "+Inf";
          out += f.name + "_bucket" + label_text(s.labels, "le", le) + " " + std::to_string(snap.cumulative[i]) + "\n";
        }
        out += f.name + "_sum" + label_text(s.labels) + " " + number(snap.sum) + "\n";
        out += f.name + "_count" + label_text(s.labels) + " " + std::to_string(snap.count) + "\n";
      }
    }
  }
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace sy::metrics
