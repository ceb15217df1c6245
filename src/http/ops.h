#pragma once
// Operational endpoints (CONTRACT.md "HTTP"): GET /healthz (200 while the process answers),
// GET /readyz (200 only while ready_check() returns true; 503 when false or when it throws) and
// GET /metrics (Prometheus text format of `registry`: request counts and latency per route pattern,
// plus whatever other layers register). They are unauthenticated: expose /metrics to the
// monitoring network only (the reverse proxy should not forward it).
#include <functional>

#include "core/metrics.h"
#include "http/router.h"

namespace sy::http {

// Set by Server::stop() (SIGTERM): /readyz answers 503 from then on, so a load balancer stops
// sending new requests while the in-flight ones finish. Server::start() clears it.
void set_draining(bool on);
bool draining();

void mount_ops(Router& router, std::function<bool()> ready_check, metrics::Registry& registry = metrics::registry());

}  // namespace sy::http
