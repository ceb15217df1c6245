#include "http/ops.h"

#include <spdlog/spdlog.h>

#include <atomic>

#include "core/log.h"

namespace sy::http {
namespace {

Response plain(int status, std::string body) {
  auto r = Response::text(status, std::move(body));
  r.set_header("Cache-Control", "no-store");
  return r;
}

std::atomic<bool> g_draining{false};

}  // namespace

void set_draining(bool on) { g_draining = on; }
bool draining() { return g_draining.load(); }

void mount_ops(Router& router, std::function<bool()> ready_check, metrics::Registry& registry) {
  router.get("/healthz", [](Request&) { return plain(200, "ok\n"); });
  router.get("/readyz", [check = std::move(ready_check)](Request& req) {
    bool ready = false;
    try {
      ready = !draining() && (!check || check());
    } catch (const std::exception& e) {
      spdlog::warn("readiness check failed: {}", log_safe(e.what()));
    }
    return ready ? plain(200, "ready\n") : plain(503, "not ready\n");
  });
  router.get("/metrics", [&registry](Request&) {
    auto r = Response::text(200, registry.expose(), metrics::Registry::content_type);
    r.set_header("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace sy::http
