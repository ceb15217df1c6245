#include "http/ops.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "core/log.h"
#include "core/random.h"
#include "http/proxy.h"

namespace sy::http {
namespace {

Response plain(int status, std::string body) {
  auto r = Response::text(status, std::move(body));
  r.set_header("Cache-Control", "no-store");
  return r;
}

std::atomic<bool> g_draining{false};

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One probe per interval however many callers: the answer is shared, and while a probe runs the
// others get the previous answer (or wait for the very first one).
struct ReadyCache {
  std::function<bool()> check;
  std::int64_t interval_ms;
  std::function<std::int64_t()> now_ms;
  std::mutex probe_mu;  // held while probing
  std::mutex value_mu;  // guards the fields below
  bool have = false;
  bool ready = false;
  std::int64_t at_ms = 0;

  bool fresh(std::int64_t now, bool& out) {
    std::lock_guard l(value_mu);
    if (!have || now - at_ms >= interval_ms) return false;
    out = ready;
    return true;
  }

  bool get() {
    bool out = false;
    if (fresh(now_ms(), out)) return out;
    std::unique_lock probe(probe_mu, std::try_to_lock);
    if (!probe.owns_lock()) {
      {
        std::lock_guard l(value_mu);
        if (have) return ready;  // a probe is running; its predecessor's answer will do
      }
      probe.lock();
      if (fresh(now_ms(), out)) return out;
    } else if (fresh(now_ms(), out)) {
      return out;
    }
    bool ok = false;
    try {
      ok = !check || check();
    } catch (const std::exception& e) {
      spdlog::warn("readiness check failed: {}", log_safe(e.what()));
    }
    std::lock_guard l(value_mu);
    have = true;
    ready = ok;
    at_ms = now_ms();
    return ok;
  }
};

// Loopback always counts as local; so do the configured trusted proxies (the monitoring host or
// the load balancer scraping directly). req.remote_ip is the client after X-Forwarded-For, so a
// request relayed by a trusted proxy from outside is judged by its real origin.
bool local_peer(const Request& req, const TrustedProxies& trusted) {
  static const TrustedProxies loopback({"127.0.0.0/8", "::1"});
  return loopback.contains(req.remote_ip) || trusted.contains(req.remote_ip);
}

}  // namespace

void set_draining(bool on) { g_draining = on; }
bool draining() { return g_draining.load(); }

void mount_ops(Router& router, std::function<bool()> ready_check, metrics::Registry& registry, OpsOptions opts) {
  router.get("/healthz", [](Request&) { return plain(200, "ok\n"); });
  auto cache = std::make_shared<ReadyCache>();
  cache->check = std::move(ready_check);
  cache->interval_ms = opts.ready_cache_ms;
  cache->now_ms = opts.now_ms ? opts.now_ms : steady_ms;
  router.get("/readyz", [cache](Request&) {
    // Draining (SIGTERM) turns readiness red at once, whatever the cached probe says.
    return !draining() && cache->get() ? plain(200, "ready\n") : plain(503, "not ready\n");
  });

  auto trusted = std::make_shared<TrustedProxies>(opts.trusted_proxies);
  router.get("/metrics", [&registry, token = opts.metrics_token, trusted](Request& req) {
    if (!token.empty()) {
      std::string auth = req.header("authorization").value_or("");
      if (auth.rfind("Bearer ", 0) != 0 || !constant_time_equal(auth.substr(7), token)) {
        auto r =
            Response::json(401, {{"error", {{"code", "unauthorized"}, {"message", "metrics need the bearer token"}}}});
        r.set_header("WWW-Authenticate", "Bearer");
        r.set_header("Cache-Control", "no-store");
        return r;
      }
    } else if (!local_peer(req, *trusted)) {
      spdlog::warn("metrics refused to {}", log_safe(req.remote_ip));
      auto r = Response::json(
          403,
          {{"error", {{"code", "forbidden"}, {"message", "metrics are served to loopback and trusted proxies only"}}}});
      r.set_header("Cache-Control", "no-store");
      return r;
    }
    auto r = Response::text(200, registry.expose(), metrics::Registry::content_type);
    r.set_header("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace sy::http
