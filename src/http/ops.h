#pragma once
// Operational endpoints (CONTRACT.md "HTTP"): GET /healthz (200 while the process answers),
// GET /readyz (200 only while ready_check() returns true; 503 when false or when it throws) and
// GET /metrics (Prometheus text format of `registry`: request counts and latency per route pattern,
// plus whatever other layers register).
// /readyz probes at most once per `ready_cache_ms` however many callers ask (it cannot be used to
// hammer the database and storage). /metrics needs `Authorization: Bearer <metrics_token>` when a
// token is configured (401 otherwise); without one it answers only clients on loopback or in
// `trusted_proxies` (403 otherwise), judged after X-Forwarded-For as everywhere else.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"

namespace sy::http {

// Set by Server::stop() (SIGTERM): /readyz answers 503 from then on, so a load balancer stops
// sending new requests while the in-flight ones finish. Server::start() clears it.
void set_draining(bool on);
bool draining();

struct OpsOptions {
  std::string metrics_token;
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};
  std::int64_t ready_cache_ms = 1000;
  std::function<std::int64_t()> now_ms;  // monotonic milliseconds; tests pass their own clock
};

void mount_ops(Router& router, std::function<bool()> ready_check, metrics::Registry& registry = metrics::registry(),
               OpsOptions opts = {});

}  // namespace sy::http
