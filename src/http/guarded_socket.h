#pragma once
// Internal to src/http: the socket type RESTinio is instantiated with. It is an ordinary asio TCP
// socket whose reads pass through RequestGuard (see request_guard.h), and which, once a request
// was refused, closes "lingering": it sends FIN and reads away what the client is still sending
// for a short while before closing, so the client gets to read the 413 instead of a reset.
#include <restinio/asio_include.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <string>

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

 private:
  void shutdown() override {}
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
    // Runs on the caller's strand, so the handler may be called directly.
    base::async_read_some(asio::buffer(st.in),
                          asio::bind_executor(ex, [this, buffers, h = std::forward<Handler>(handler)](
                                                      const asio::error_code& ec, std::size_t n) mutable {
                            if (ec) return h(ec, 0);
                            State& s = *state_;
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
    State(const GuardService& svc)
        : guard(svc.limits, svc.secret), linger(svc.linger), linger_bytes(svc.linger_bytes) {}
    RequestGuard guard;
    std::chrono::milliseconds linger;
    std::size_t linger_bytes;
    std::array<char, 16 * 1024> in;
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
      state_ = std::make_unique<State>(asio::use_service<GuardService>(ctx));
    }
    return *state_;
  }

  std::unique_ptr<State> state_;
};

}  // namespace sy::http::detail
