#pragma once
// Internal to src/http: the socket type RESTinio is instantiated with. It is an ordinary asio TCP
// socket whose reads pass through RequestGuard (see request_guard.h), and which, once a request
// was refused, closes "lingering": it sends FIN and reads away what the client is still sending
// for a short while before closing, so the client gets to read the 413 instead of a reset.
//
// Slow clients: a header block must arrive within header_timeout of its first byte, and a body
// within body_timeout plus one second per min_body_rate bytes received (so an upload may take its
// time, a trickle may not); otherwise the pending read is cancelled and RESTinio drops the
// connection. Idle keep-alive connections are RESTinio's read timeout's business. Each client
// address may hold max_per_address connections; more are answered 429 and closed.
#include <restinio/asio_include.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/request_guard.h"

namespace sy::http::detail {

// RESTinio constructs sockets from the io_context alone, so their settings live in an io_context
// service that the Server fills in before it opens the acceptor.
class GuardService : public asio::execution_context::service {
 public:
  using key_type = GuardService;
  inline static asio::execution_context::id id;
  explicit GuardService(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}

  GuardLimits limits;
  std::string secret;
  std::chrono::milliseconds linger{2000};
  std::size_t linger_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{10000};
  std::uint64_t min_body_rate = 8 * 1024;  // bytes per second
  std::size_t max_per_address = 0;         // 0: no cap
  // Peers never capped: trusted proxies, whose connections carry many clients.
  std::function<bool(const asio::ip::address&)> uncapped;

  // Counts a connection from `address`; false when that is one too many (it is not counted then).
  bool enter(const std::string& address) {
    std::lock_guard lock(mu_);
    auto& n = per_address_[address];
    if (n >= max_per_address) {
      if (n == 0) per_address_.erase(address);
      return false;
    }
    ++n;
    return true;
  }
  void leave(const std::string& address) {
    std::lock_guard lock(mu_);
    auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }

 private:
  void shutdown() override {}
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> per_address_;
};

class GuardedSocket : public asio::ip::tcp::socket {
  using base = asio::ip::tcp::socket;

 public:
  explicit GuardedSocket(asio::io_context& io) : base(io) {}
  GuardedSocket(GuardedSocket&&) noexcept = default;
  GuardedSocket& operator=(GuardedSocket&&) noexcept = default;

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    State& st = state();
    auto ex = asio::get_associated_executor(handler, get_executor());
    if (!st.guard.pending().empty()) {
      std::size_t n = take(st, buffers);
      asio::post(ex, [h = std::forward<Handler>(handler), n]() mutable { h(asio::error_code{}, n); });
      return;
    }
    st.sock = this;
    st.track();
    st.read_pending = true;
    State::arm(state_, ex);
    // Runs on the caller's strand, so the handler may be called directly.
    base::async_read_some(asio::buffer(st.in),
                          asio::bind_executor(ex, [this, buffers, h = std::forward<Handler>(handler)](
                                                      const asio::error_code& ec, std::size_t n) mutable {
                            State& s = *state_;
                            s.read_pending = false;
                            if (ec) return h(s.timed_out ? asio::error_code(asio::error::timed_out) : ec, 0);
                            s.guard.feed(std::string_view(s.in.data(), n));
                            if (s.guard.pending().empty())
                              return async_read_some(buffers, std::move(h));  // all held back
                            std::size_t m = take(s, buffers);
                            h(asio::error_code{}, m);
                          }));
  }

  void shutdown(shutdown_type what, asio::error_code& ec) {
    if (state_ && state_->guard.refused()) {
      ec = {};  // close() below lingers instead
      return;
    }
    base::shutdown(what, ec);
  }

  void close() {
    asio::error_code ec;
    close(ec);
  }

  void close(asio::error_code& ec) {
    ec = {};
    if (state_ && state_->guard.refused() && is_open()) {
      base::cancel(ec);
      Linger::start(base(std::move(static_cast<base&>(*this))), state_->linger, state_->linger_bytes);
      return;
    }
    base::close(ec);
  }

 private:
  struct State {
    using clock = std::chrono::steady_clock;
    State(GuardService& s, const asio::any_io_executor& ex)
        : svc(s), guard(s.limits, s.secret), linger(s.linger), linger_bytes(s.linger_bytes), timer(ex) {}
    ~State() {
      if (!address.empty()) svc.leave(address);
    }
    GuardService& svc;
    RequestGuard guard;
    std::chrono::milliseconds linger;
    std::size_t linger_bytes;
    std::array<char, 16 * 1024> in;
    std::string address;  // counted against max_per_address ("" when not)

    // Read deadlines. The timer only acts while a read is pending: then the connection, and so
    // this socket, is alive.
    asio::steady_timer timer;
    GuardedSocket* sock = nullptr;
    bool read_pending = false;
    bool armed = false;
    bool timed_out = false;
    RequestGuard::Stage stage = RequestGuard::Stage::idle;
    std::uint64_t completed = 0;
    clock::time_point since = clock::now();

    // Restarts the clock when the stage changes, and after a message was handed on (the next read
    // may come only after its response: time spent in the handler is not the client's).
    void track() {
      auto s = guard.stage();
      if (s != stage || guard.completed() != completed) {
        stage = s;
        completed = guard.completed();
        since = clock::now();
      }
    }
    clock::time_point deadline() const {
      switch (stage) {
        case RequestGuard::Stage::idle:
          return clock::time_point::max();
        case RequestGuard::Stage::headers:
          return since + svc.header_timeout;
        case RequestGuard::Stage::body:
          break;
      }
      auto allowance =
          std::chrono::milliseconds(guard.body_received() * 1000 / std::max<std::uint64_t>(svc.min_body_rate, 1));
      return since + svc.body_timeout + allowance;
    }
    template <typename Executor>
    static void arm(const std::shared_ptr<State>& self, const Executor& ex) {
      if (self->armed || self->deadline() == clock::time_point::max()) return;
      self->armed = true;
      self->timer.expires_at(self->deadline());
      self->timer.async_wait(asio::bind_executor(ex, [w = std::weak_ptr<State>(self), ex](const asio::error_code& ec) {
        auto s = w.lock();
        if (!s) return;
        s->armed = false;
        if (ec || !s->read_pending) return;
        s->track();
        if (clock::now() >= s->deadline()) {
          s->timed_out = true;
          asio::error_code ignored;
          s->sock->base::cancel(ignored);  // the pending read completes with an error
          return;
        }
        arm(s, ex);
      }));
    }
  };

  // Half-closes, drains the client's remaining bytes for a bounded time and amount, then closes.
  struct Linger : std::enable_shared_from_this<Linger> {
    Linger(base s) : strand(asio::make_strand(s.get_executor())), sock(std::move(s)), timer(strand) {}
    static void start(base s, std::chrono::milliseconds d, std::size_t max_bytes) {
      auto l = std::make_shared<Linger>(std::move(s));
      l->left = max_bytes;
      asio::dispatch(l->strand, [l, d] {
        asio::error_code ignored;
        l->sock.shutdown(asio::socket_base::shutdown_send, ignored);
        l->timer.expires_after(d);
        l->timer.async_wait(asio::bind_executor(l->strand, [l](const asio::error_code&) {
          asio::error_code ignored2;
          l->sock.close(ignored2);
        }));
        l->read();
      });
    }
    void read() {
      sock.async_read_some(
          asio::buffer(buf),
          asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
            if (ec || n >= self->left) {
              asio::error_code ignored;
              self->timer.cancel();
              self->sock.close(ignored);
              return;
            }
            self->left -= n;
            self->read();
          }));
    }
    asio::strand<asio::any_io_executor> strand;
    base sock;
    asio::steady_timer timer;
    std::size_t left = 0;
    std::array<char, 16 * 1024> buf;
  };

  template <typename Buffers>
  static std::size_t take(State& st, const Buffers& buffers) {
    auto pending = st.guard.pending();
    std::size_t n = asio::buffer_copy(buffers, asio::buffer(pending.data(), pending.size()));
    st.guard.consume(n);
    return n;
  }

  State& state() {
    if (!state_) {
      auto& ctx = asio::query(get_executor(), asio::execution::context);
      auto& svc = asio::use_service<GuardService>(ctx);
      state_ = std::make_shared<State>(svc, get_executor());
      asio::error_code ec;
      auto peer = base::remote_endpoint(ec);
      if (!ec && svc.max_per_address && !(svc.uncapped && svc.uncapped(peer.address()))) {
        auto address = peer.address().to_string();
        if (svc.enter(address))
          state_->address = address;
        else
          state_->guard.refuse_connection(429);
      }
    }
    return *state_;
  }

  std::shared_ptr<State> state_;
};

}  // namespace sy::http::detail
