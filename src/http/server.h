#pragma once
// The HTTP server: RESTinio on a pool of threads, hidden behind this header. Handlers run on those
// threads (one request at a time per connection), see only http/types.h and are routed by Router.
//
//   sy::http::Router router;            // mount everything first; the router must outlive the server
//   mount_ops(router, ready_check);     // http/ops.h
//   sy::http::Server server(router, {.host = cfg.host, .port = cfg.port, ...});
//   server.run_until_signal();          // or start() … stop() (tests)
//
// What the server adds around Router::dispatch: the client address (X-Forwarded-* only from
// trusted proxies), 413 before a too-large body is read (Content-Length or chunked; the limit per
// route, decided from method and path at header time), 400/414/431 for
// malformed requests, HEAD without a body, the JSON access log, request metrics, graceful shutdown.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"

namespace sy::http {

struct AccessLogEntry {
  std::int64_t ts_ms = 0;  // Unix time, milliseconds
  std::string method, path, route;
  int status = 0;
  std::size_t bytes = 0;  // response body bytes
  double duration_ms = 0;
  std::string request_id, remote_ip;
  std::int64_t user_id = 0;  // 0 = anonymous
};
// One JSON line: ts (UTC, ms), method, path (no query string), route, status, bytes, duration_ms,
// request_id, remote_ip, user_id (when logged in). Never cookies, tokens or query values.
std::string access_log_line(const AccessLogEntry& e);

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address (or "localhost")
  int port = 8080;                 // 0: the system picks a free port, see Server::port()
  int threads = 4;
  // Body limit of routes without their own (Router::limit_body): JSON and forms stay small.
  std::int64_t max_body_bytes = 64 * 1024;
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};  // addresses or CIDR blocks
  std::chrono::milliseconds shutdown_deadline{10000};            // for in-flight requests after stop()
  std::chrono::seconds read_timeout{120};                        // to receive one whole request (uploads included)
  std::chrono::seconds write_timeout{60};                        // to send one response
  std::chrono::seconds handler_timeout{120};                     // a handler running longer loses its connection
  std::size_t max_connections = 1000;
  // Slow clients (slowloris): a header block must arrive within header_timeout of its first byte, a
  // body within body_timeout plus one second per min_body_rate bytes received; else the connection
  // is closed. Idle keep-alive connections are bounded by read_timeout.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{10000};
  std::uint64_t min_body_rate = 8 * 1024;  // bytes per second
  // Connections one client address may hold open (0: no cap); more are answered 429 and closed.
  // Trusted proxies are never capped: behind one, the peer is the proxy, which caps per client
  // itself (deploy/nginx.conf: limit_conn).
  std::size_t max_connections_per_address = 200;
  // Server-sent event streams (Response::event_stream). Past a limit the request is answered with
  // an error instead of a stream: 429 too_many_streams per user (the logged-in user, or the client
  // address when anonymous), 503 too_many_streams in total. The heartbeat (a comment line) keeps
  // proxies from timing an idle stream out and finds clients that left; it is kept below
  // handler_timeout, which RESTinio applies between writes of an unfinished response. On stop()
  // every stream is ended (the client's EventSource reconnects, to another instance behind a
  // balancer); an open stream counts as in flight until its last bytes are written.
  struct Streams {
    std::size_t max_total = 1000;
    std::size_t max_per_user = 4;
    std::chrono::milliseconds heartbeat{15000};
  } streams;
  metrics::Registry* metrics = &metrics::registry();  // nullptr: no request metrics
  // Receives one access_log_line per request; the default writes it to stderr. Empty: no log.
  std::function<void(const std::string&)> access_log = default_access_log();

  static std::function<void(const std::string&)> default_access_log();
};

class Server {
 public:
  // Throws std::invalid_argument for bad options (host, trusted proxies).
  Server(const Router& router, ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens and starts the threads; returns once the port is bound. Throws std::runtime_error when
  // it cannot listen (address in use, ...).
  void start();
  int port() const;  // the bound port (useful with port 0), valid after start()

  // Graceful: stop accepting, let in-flight requests finish (answered with Connection: close) up
  // to shutdown_deadline, then close everything and join the threads. Idempotent, any thread.
  void stop();

  // start() if needed, block until SIGINT or SIGTERM (or stop() from elsewhere), then stop().
  // A second signal during the drain skips the rest of the deadline.
  void run_until_signal();

  int in_flight() const;     // requests being handled or written right now (open streams included)
  int open_streams() const;  // event streams currently open

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::http
