#include "http/server.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <restinio/all.hpp>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "core/text.h"
#include "http/guarded_socket.h"
#include "http/ops.h"
#include "http/proxy.h"
#include "http/request_guard.h"

namespace sy::http {
namespace {

struct Traits : restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t,
                                   restinio::details::autodetect_request_handler_type, restinio::default_strand_t,
                                   detail::GuardedSocket> {
  static constexpr bool use_connection_count_limiter = true;
};
using HttpServer = restinio::http_server_t<Traits>;

// Handlers still queued when the threads stop hold connections, and a connection's destructor
// reaches into the acceptor. shutdown() destroys them while the acceptor is still alive (the
// io_context destructor would do it only after the HttpServer is gone).
struct IoContext : asio::io_context {
  using asio::io_context::shutdown;
};

std::string iso_ms(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string metric_method(const std::string& m) {
  static const char* known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  for (const char* k : known)
    if (m == k) return m;
  return "other";
}

// The decoded path of a request target, and its raw query (without '#...'). Nothing for targets we
// cannot route: not origin-form, a broken %-escape or a NUL in the path. raw_path gets the path as
// sent even then (for the error's format: /api/ → JSON).
std::optional<std::string> target_path(std::string_view target, std::string_view* query = nullptr,
                                       std::string* raw_path_out = nullptr) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.substr(0, scheme.size()) == scheme) {  // absolute-form: keep only the path part
      auto slash = target.find_first_of("/?", scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      if (!target.empty() && target.front() == '?') return std::nullopt;
    }
  }
  if (target.empty() || target.front() != '/') return std::nullopt;
  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  if (raw_path_out) *raw_path_out = std::string(raw_path);
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    if (raw_path[i] != '%') continue;
    if (i + 2 >= raw_path.size() || !std::isxdigit(static_cast<unsigned char>(raw_path[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(raw_path[i + 2])))
      return std::nullopt;
  }
  auto path = url_decode(raw_path, false);
  if (path.find('\0') != std::string::npos) return std::nullopt;
  if (query && q != std::string_view::npos) {
    *query = target.substr(q + 1);
    *query = query->substr(0, query->find('#'));
  }
  return path;
}

// Splits the request target into a decoded path and query. False for targets we cannot route.
// The query's own limits (FormLimits) throw AppError.
bool parse_target(std::string_view target, Request& req) {
  std::string_view query;
  auto path = target_path(target, &query, &req.path);
  if (!path) return false;
  req.path = std::move(*path);
  if (!query.empty()) req.query = parse_urlencoded(query);
  return true;
}

// Why the target cannot be routed (malformed, or a query over its limits), or nothing.
std::optional<AppError> target_error(Request& req) {
  try {
    if (!parse_target(req.target, req))
      return AppError(ErrorKind::bad_request, "bad_request", "malformed request target");
  } catch (const AppError& e) {
    return e;
  }
  return std::nullopt;
}

std::string limit_text(std::int64_t bytes) {
  constexpr std::int64_t mib = 1024 * 1024;
  if (bytes % mib == 0) return std::to_string(bytes / mib) + " MB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes) + " bytes";
}

bool header_text_ok(const std::string& s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

// One open text/event-stream response. The builder is RESTinio's chunked output: append + flush
// only queue bytes on the connection (its strand does the writing), so no thread waits for the
// client. A failed write (client gone, write timeout) only sets `failed_`, because RESTinio may call
// the write callback inline from inside flush(); the heartbeat sweep then ends the stream.
class Stream final : public EventSink, public std::enable_shared_from_this<Stream> {
 public:
  using Builder = restinio::response_builder_t<restinio::chunked_output_t>;
  // Called once when the stream ends, with the bytes sent: releases its slot, logs, counts.
  // `id` is this stream's address, for the registry only (the stream may be gone by then).
  using Finish = std::function<void(const void* id, std::size_t bytes)>;

  Stream(Builder b, Finish f) : builder_(std::move(b)), finish_(std::move(f)) {}

  bool send(std::string_view event, std::string_view data) override { return write(format_event(event, data)); }
  bool closed() const override { return ended_.load() || failed_.load(); }
  void close() override { end(); }

  bool write(std::string text) {
    std::lock_guard lock(mu_);
    if (ended_ || failed_) return false;
    bytes_ += text.size();
    builder_->append_chunk(std::move(text));
    builder_->flush([w = weak_from_this()](const asio::error_code& ec) {
      if (!ec) return;
      if (auto self = w.lock()) self->failed_ = true;
    });
    return true;
  }

  // The heartbeat: a comment line, or the end of a stream whose client has gone.
  void beat() {
    if (failed_ || !write(heartbeat_text())) end();
  }

  void end() {
    auto self = shared_from_this();  // the finish callback may drop the registry's reference inline
    std::lock_guard lock(mu_);
    if (ended_.exchange(true)) return;
    builder_->done([fin = std::move(finish_), id = static_cast<const void*>(this),
                    bytes = bytes_](const asio::error_code&) { fin(id, bytes); });
    builder_.reset();
  }

 private:
  std::mutex mu_;
  std::optional<Builder> builder_;
  Finish finish_;
  std::size_t bytes_ = 0;
  std::atomic<bool> ended_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace

std::string access_log_line(const AccessLogEntry& e) {
  nlohmann::json j = {{"ts", iso_ms(e.ts_ms)},      {"type", "access"},
                      {"method", e.method},         {"path", e.path.substr(0, 300)},
                      {"route", e.route},           {"status", e.status},
                      {"bytes", e.bytes},           {"duration_ms", std::round(e.duration_ms * 1000) / 1000},
                      {"request_id", e.request_id}, {"remote_ip", e.remote_ip}};
  if (e.user_id) j["user_id"] = e.user_id;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::function<void(const std::string&)> ServerOptions::default_access_log() {
  return [](const std::string& line) {
    static auto logger = [] {
      auto l = spdlog::get("access");
      if (!l) {
        l = spdlog::stderr_logger_mt("access");
        l->set_pattern("%v");
      }
      return l;
    }();
    logger->info(line);
  };
}

struct Server::Impl {
  // What outlives the request handlers' write callbacks, which may run during teardown.
  struct Shared {
    metrics::Registry* metrics = nullptr;
    std::function<void(const std::string&)> access_log;
    std::atomic<int> in_flight{0};
    std::atomic<bool> draining{false};
    std::mutex mu;
    std::condition_variable cv;
    bool stop_requested = false;
    bool force = false;
    metrics::Gauge* in_flight_gauge = nullptr;

    // Series by "method route status", so a request costs one lookup, not two registry walks.
    struct Series {
      metrics::Histogram* duration;
      metrics::Counter* count;
    };
    std::mutex series_mu;
    std::unordered_map<std::string, Series> series;

    void record(const std::string& method, const std::string& route, int status, double secs) {
      std::string key = method + " " + route + " " + std::to_string(status);
      Series s;
      {
        std::lock_guard lock(series_mu);
        auto it = series.find(key);
        if (it == series.end()) {
          metrics::Labels labels{{"method", method}, {"route", route}};
          auto& d =
              metrics->histogram("schoolyard_http_request_duration_seconds", "HTTP request latency by route", labels);
          labels.emplace_back("status", std::to_string(status));
          auto& c = metrics->counter("schoolyard_http_requests_total", "HTTP requests by route and status", labels);
          it = series.emplace(std::move(key), Series{&d, &c}).first;
        }
        s = it->second;
      }
      s.duration->observe(secs);
      s.count->inc();
    }
  };

  const Router& router;
  ServerOptions opts;
  TrustedProxies trusted;
  std::string secret = random_token(24);
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  IoContext io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<HttpServer> server;
  std::vector<std::thread> threads;
  std::atomic<int> bound_port{0};
  std::mutex stop_mu;
  bool started = false;
  bool stopped = false;

  // Open event streams, and how many each user (or anonymous address) holds.
  struct StreamSet {
    std::mutex mu;
    std::unordered_map<Stream*, std::shared_ptr<Stream>> open;
    std::unordered_map<std::string, std::size_t> per_key;
    std::size_t total = 0;  // reserved slots: open, or being opened
  };
  std::shared_ptr<StreamSet> streams = std::make_shared<StreamSet>();
  std::optional<asio::steady_timer> heartbeat;
  metrics::Gauge* streams_gauge = nullptr;

  Impl(const Router& r, ServerOptions o) : router(r), opts(std::move(o)), trusted(opts.trusted_proxies) {
    if (opts.threads < 1) throw std::invalid_argument("server threads must be at least 1");
    if (opts.max_body_bytes < 0) throw std::invalid_argument("max_body_bytes must not be negative");
    shared->metrics = opts.metrics;
    shared->access_log = opts.access_log;
    if (opts.metrics)
      shared->in_flight_gauge =
          &opts.metrics->gauge("schoolyard_http_requests_in_flight", "HTTP requests being handled");
    auto& svc = asio::use_service<detail::GuardService>(io);
    svc.limits.max_body = static_cast<std::uint64_t>(opts.max_body_bytes);
    svc.limits.body_limit = [this](std::string_view method, std::string_view target) {
      return body_limit(method, target);
    };
    svc.header_timeout = opts.header_timeout;
    svc.body_timeout = opts.body_timeout;
    svc.min_body_rate = opts.min_body_rate;
    svc.max_per_address = opts.max_connections_per_address;
    svc.uncapped = [this](const asio::ip::address& a) {
      auto ip = normalize_ip(a.to_string());
      return ip && trusted.contains(*ip);
    };
    svc.secret = secret;
    if (opts.metrics)
      streams_gauge = &opts.metrics->gauge("schoolyard_http_event_streams_open", "Server-sent event streams open");
    // RESTinio closes a connection whose unfinished response is silent for handler_timeout.
    auto most = std::chrono::duration_cast<std::chrono::milliseconds>(opts.handler_timeout) / 2;
    if (opts.streams.heartbeat <= std::chrono::milliseconds(0) || opts.streams.heartbeat > most)
      opts.streams.heartbeat = most;
  }

  // Why this request may not open a stream now, or nothing (and then its slot is taken).
  std::optional<std::pair<int, std::string>> reserve_stream(const std::string& key) {
    std::lock_guard lock(streams->mu);
    if (shared->draining) return std::pair{503, std::string("the server is shutting down; reconnect")};
    if (streams->total >= opts.streams.max_total)
      return std::pair{503, "the server has too many live-update streams open (limit " +
                                std::to_string(opts.streams.max_total) + "); retry later"};
    auto& n = streams->per_key[key];
    if (n >= opts.streams.max_per_user) {
      return std::pair{429, "too many live-update streams open for you (limit " +
                                std::to_string(opts.streams.max_per_user) + "); close other tabs and retry"};
    }
    ++n;
    ++streams->total;
    return std::nullopt;
  }

  void schedule_heartbeat() {
    heartbeat->expires_after(opts.streams.heartbeat);
    heartbeat->async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      for (auto& s : snapshot_streams()) s->beat();  // ends the streams of clients that left
      schedule_heartbeat();
    });
  }

  std::vector<std::shared_ptr<Stream>> snapshot_streams() {
    std::lock_guard lock(streams->mu);
    std::vector<std::shared_ptr<Stream>> all;
    all.reserve(streams->open.size());
    for (auto& [_, s] : streams->open) all.push_back(s);
    return all;
  }

  // Decided from the headers alone; a path that does not decode gets the default.
  std::uint64_t body_limit(std::string_view method, std::string_view target) const {
    auto path = target_path(target);
    std::optional<std::uint64_t> own;
    if (path) own = router.body_limit(method, *path);
    return own.value_or(static_cast<std::uint64_t>(opts.max_body_bytes));
  }

  asio::ip::address listen_address() const {
    std::string host = opts.host == "localhost" ? "127.0.0.1" : opts.host;
    asio::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) throw std::invalid_argument("listen host must be an IP address, got '" + opts.host + "'");
    return addr;
  }

  restinio::request_handling_status_t handle(const restinio::request_handle_t& rq) {
    auto started_at = std::chrono::steady_clock::now();
    std::int64_t ts_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    ++shared->in_flight;
    if (shared->in_flight_gauge) shared->in_flight_gauge->inc();

    Request req;
    req.method = rq->header().method().c_str();
    req.target = rq->header().request_target();
    std::optional<detail::Refusal> refusal;
    rq->header().for_each_field([&](const restinio::http_header_field_t& f) {
      std::string name = text::to_lower(f.name());
      if (name == detail::RequestGuard::marker_header) {
        if (!refusal) refusal = detail::parse_refusal_marker(f.value(), secret);
        return;  // never visible to handlers
      }
      req.headers.emplace_back(std::move(name), f.value());
    });
    // RESTinio hands the body out as const, but the request object is ours alone and dies after
    // this call: move it instead of copying an upload.
    req.body = std::move(const_cast<std::string&>(rq->body()));
    auto peer = rq->remote_endpoint().address().to_string();
    auto client = resolve_client(peer, false, req.header("x-forwarded-for"), req.header("x-forwarded-proto"), trusted);
    req.remote_ip = client.ip;
    req.secure = client.secure;

    Response resp;
    bool close = false;
    std::string route_label;
    if (refusal) {
      close = true;
      req.method = refusal->method.empty() ? "-" : refusal->method;
      try {
        if (!parse_target(req.target, req)) req.path = "/";
      } catch (const AppError&) {  // an over-long query: the refusal is what matters
      }
      int st = refusal->status;
      const char* code = st == 413   ? "payload_too_large"
                         : st == 414 ? "uri_too_long"
                         : st == 431 ? "headers_too_large"
                         : st == 429 ? "too_many_connections"
                                     : "bad_request";
      std::string msg = st == 413 ? "request body is larger than the limit of " +
                                        limit_text(static_cast<std::int64_t>(body_limit(req.method, req.target)))
                        : st == 414 ? "request target is too long"
                        : st == 431 ? "request header fields are too large"
                        : st == 429 ? "too many connections from your address; close some and retry"
                                    : "malformed HTTP request";
      resp = router.error_response(req, st, code, msg);
      route_label = "refused";
    } else if (auto bad = target_error(req)) {
      resp = router.error_response(req, status_of(bad->kind), bad->code, bad->what());
      route_label = "refused";
    } else {
      resp = router.dispatch(req);
      route_label = req.route.empty() ? "none" : req.route;
    }
    close = close || shared->draining.load();  // after the handler: stop() may have begun meanwhile
    for (const auto& [k, v] : resp.headers) {
      if (!header_text_ok(k) || !header_text_ok(v)) {
        spdlog::error("request {}: response header with CR/LF dropped the response", req.request_id);
        resp = router.error_response(req, 500, "internal", "internal error (request id " + req.request_id + ")");
        break;
      }
    }

    bool head = req.method == "HEAD";
    if (resp.stream && (head || resp.status != 200)) resp.stream = nullptr;
    std::string stream_key;
    if (resp.stream) {
      stream_key = req.user ? "user:" + std::to_string(req.user->id) : "addr:" + req.remote_ip;
      if (auto refused = reserve_stream(stream_key)) {
        resp = router.error_response(req, refused->first, "too_many_streams", refused->second);
        if (refused->first == 503) resp.set_header("Retry-After", "5");
      }
    }

    AccessLogEntry entry;
    entry.ts_ms = ts_ms;
    entry.method = req.method;
    entry.path = req.path.empty() ? req.target.substr(0, req.target.find('?')) : req.path;
    entry.route = req.route;
    entry.status = resp.status;
    entry.request_id = req.request_id;
    entry.remote_ip = req.remote_ip;
    entry.user_id = req.user ? req.user->id : 0;
    auto finish = [sh = shared, entry, started_at, route_label,
                   method = metric_method(req.method)](std::size_t bytes) mutable {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
      entry.duration_ms = secs * 1000;
      entry.bytes = bytes;
      try {
        if (sh->metrics) sh->record(method, route_label, entry.status, secs);
        if (sh->access_log) sh->access_log(access_log_line(entry));
      } catch (const std::exception& e) {
        spdlog::error("access log/metrics failed: {}", log_safe(e.what()));
      }
      if (sh->in_flight_gauge) sh->in_flight_gauge->dec();
      if (--sh->in_flight == 0) {
        std::lock_guard lock(sh->mu);
        sh->cv.notify_all();
      }
    };

    if (resp.stream) return open_stream(rq, req, resp, stream_key, std::move(finish));

    auto builder = rq->create_response<restinio::user_controlled_output_t>(
        restinio::http_status_line_t{restinio::http_status_code_t{static_cast<std::uint16_t>(resp.status)},
                                     std::string(reason_phrase(resp.status))});
    builder.append_header_date_field();
    for (auto& [k, v] : resp.headers) {
      if (text::iequals(k, "content-length") || text::iequals(k, "connection") || text::iequals(k, "transfer-encoding"))
        continue;  // framing is ours
      builder.append_header(k, v);
    }
    if (close) builder.connection_close();
    std::size_t body_bytes = resp.body.size();
    builder.set_content_length(body_bytes);
    if (!head && body_bytes) builder.set_body(std::move(resp.body));
    builder.done([finish = std::move(finish), bytes = head ? 0 : body_bytes](const asio::error_code&) mutable {
      finish(bytes);
    });
    return restinio::request_accepted();
  }

  // Headers now, events later through the EventSink; the slot for `key` is already reserved.
  template <typename Finish>
  restinio::request_handling_status_t open_stream(const restinio::request_handle_t& rq, Request& req, Response& resp,
                                                  const std::string& key, Finish finish) {
    auto builder = rq->create_response<restinio::chunked_output_t>(
        restinio::http_status_line_t{restinio::http_status_code_t{200}, std::string(reason_phrase(200))});
    builder.append_header_date_field();
    for (auto& [k, v] : resp.headers) {
      if (text::iequals(k, "content-length") || text::iequals(k, "connection") || text::iequals(k, "transfer-encoding"))
        continue;
      builder.append_header(k, v);
    }
    // RESTinio fixes keep-alive when the headers go out: a stream is the connection's last response,
    // so that its end (done()) closes the connection.
    builder.connection_close();
    builder.flush();  // the headers: EventSource reports the stream open at once
    auto set = streams;
    auto* gauge = streams_gauge;
    auto stream = std::make_shared<Stream>(
        std::move(builder), [set, key, gauge, finish = std::move(finish)](const void* id, std::size_t bytes) mutable {
          std::shared_ptr<Stream> last;  // released outside the lock
          {
            std::lock_guard lock(set->mu);
            if (auto it = set->open.find(static_cast<Stream*>(const_cast<void*>(id))); it != set->open.end()) {
              last = std::move(it->second);
              set->open.erase(it);
            }
            if (auto it = set->per_key.find(key); it != set->per_key.end() && --it->second == 0) set->per_key.erase(it);
            --set->total;
          }
          if (gauge) gauge->dec();
          finish(bytes);
        });
    {
      std::lock_guard lock(set->mu);
      set->open.emplace(stream.get(), stream);
    }
    if (gauge) gauge->inc();
    // It leaves the registry when it ends, whoever ends it (heartbeat, the app, stop()).
    auto on_open = std::move(resp.stream);
    try {
      on_open(stream);
    } catch (const std::exception& e) {
      spdlog::error("request {}: opening the event stream failed: {}", req.request_id, log_safe(e.what()));
      stream->close();
    }
    return restinio::request_accepted();
  }

  // Ends every stream (the client reconnects elsewhere); their last writes finish in the drain.
  void close_streams() {
    for (auto& s : snapshot_streams()) s->end();
  }

  void start() {
    std::lock_guard lock(stop_mu);
    if (started) throw std::logic_error("server already started");
    started = true;
    auto addr = listen_address();
    auto settings = restinio::server_settings_t<Traits>{};
    settings.address(addr)
        .port(static_cast<std::uint16_t>(opts.port))
        .buffer_size(16 * 1024)
        .read_next_http_message_timelimit(opts.read_timeout)
        .write_http_response_timelimit(opts.write_timeout)
        .handle_request_timeout(opts.handler_timeout)
        .max_parallel_connections(opts.max_connections)
        // Backstops only: the guard refuses with a response long before these bite.
        .incoming_http_msg_limits(
            restinio::incoming_http_msg_limits_t{}
                .max_url_size(16 * 1024)
                .max_field_name_size(64 * 1024)
                .max_field_value_size(64 * 1024)
                .max_field_count(200)
                .max_body_size(std::max(static_cast<std::uint64_t>(opts.max_body_bytes), router.largest_body_limit())))
        .acceptor_post_bind_hook([this](asio::ip::tcp::acceptor& a) { bound_port = a.local_endpoint().port(); })
        .request_handler([this](const restinio::request_handle_t& rq) { return handle(rq); });
    server = std::make_unique<HttpServer>(restinio::external_io_context(io), std::move(settings));
    try {
      server->open_sync();
    } catch (const std::exception& e) {
      server.reset();
      started = false;
      throw std::runtime_error("cannot listen on " + opts.host + ":" + std::to_string(opts.port) + ": " + e.what());
    }
    set_draining(false);
    work.emplace(io.get_executor());
    heartbeat.emplace(io);
    schedule_heartbeat();
    for (int i = 0; i < opts.threads; ++i) threads.emplace_back([this] { io.run(); });
    spdlog::info("listening on http://{}:{} ({} threads)", opts.host, bound_port.load(), opts.threads);
  }

  void stop() {
    std::lock_guard lock(stop_mu);
    {
      std::lock_guard l(shared->mu);
      shared->stop_requested = true;
      shared->cv.notify_all();
    }
    if (!started || stopped || !server) {
      stopped = true;
      return;
    }
    shared->draining = true;
    set_draining(true);
    std::promise<void> closed;
    auto done = closed.get_future();
    server->close_async([&closed] { closed.set_value(); }, [&closed](std::exception_ptr) { closed.set_value(); });
    if (done.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      spdlog::warn("stopping the acceptor timed out");
    close_streams();
    {
      std::unique_lock l(shared->mu);
      bool drained = shared->cv.wait_for(l, opts.shutdown_deadline,
                                         [&] { return shared->in_flight.load() == 0 || shared->force; });
      if (!drained || shared->in_flight.load() > 0)
        spdlog::warn("shutting down with {} request(s) still in flight", shared->in_flight.load());
    }
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    threads.clear();
    heartbeat.reset();
    io.shutdown();
    stopped = true;
  }

  void run_until_signal() {
    {
      std::lock_guard lock(stop_mu);
      if (stopped) return;
    }
    if (!started) start();
    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int sig) {
      if (ec) return;
      std::lock_guard l(shared->mu);
      if (shared->stop_requested) {
        spdlog::warn("signal {} again: not waiting for in-flight requests", sig);
        shared->force = true;
      } else {
        spdlog::info("signal {}: shutting down (deadline {} ms)", sig, opts.shutdown_deadline.count());
        shared->stop_requested = true;
        signals.async_wait(on_signal);
      }
      shared->cv.notify_all();
    };
    signals.async_wait(on_signal);
    {
      std::unique_lock l(shared->mu);
      shared->cv.wait(l, [&] { return shared->stop_requested; });
    }
    stop();
    asio::error_code ignored;
    signals.cancel(ignored);
  }
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {
  impl_->listen_address();  // fail early on a bad host
}

Server::~Server() {
  try {
    impl_->stop();
  } catch (const std::exception& e) {
    spdlog::error("server stop failed: {}", e.what());
  }
}

void Server::start() { impl_->start(); }
int Server::port() const { return impl_->bound_port.load(); }
void Server::stop() { impl_->stop(); }
void Server::run_until_signal() { impl_->run_until_signal(); }
int Server::in_flight() const { return impl_->shared->in_flight.load(); }
int Server::open_streams() const {
  std::lock_guard lock(impl_->streams->mu);
  return static_cast<int>(impl_->streams->open.size());
}

}  // namespace sy::http
