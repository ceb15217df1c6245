#include "http/request_guard.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "core/random.h"

namespace sy::http::detail {
namespace {

RequestGuard* self(http_parser* p) { return static_cast<RequestGuard*>(p->data); }

bool printable_target(const std::string& s) {
  if (s.empty() || s.front() != '/' || s.size() > 2048) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

}  // namespace

const http_parser_settings& RequestGuard::settings() {
  static const http_parser_settings s = [] {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_url = on_url;
    s.on_header_field = on_header_field;
    s.on_header_value = on_header_value;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return s;
}

RequestGuard::RequestGuard(GuardLimits limits, std::string secret)
    : limits_(std::move(limits)), secret_(std::move(secret)), max_body_(limits_.max_body) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

void RequestGuard::start_message() {
  phase_ = Phase::headers;
  url_.clear();
  fields_ = 0;
  last_was_value_ = true;
  body_ = 0;
  max_body_ = limits_.max_body;
  in_message_ = false;
}

int RequestGuard::on_url(http_parser* p, const char* at, std::size_t n) {
  auto* g = self(p);
  if (g->url_.size() + n > g->limits_.max_url) {
    g->callback_status_ = 414;
    return -1;
  }
  g->url_.append(at, n);
  return 0;
}

int RequestGuard::on_header_field(http_parser* p, const char* at, std::size_t n) {
  auto* g = self(p);
  // http_parser takes "Content-Length : 3" as a Content-Length; RFC 9112 5.1 says 400 (a proxy
  // may read it otherwise).
  if (std::string_view(at, n).find_first_of(" \t") != std::string_view::npos) {
    g->callback_status_ = 400;
    return -1;
  }
  if (g->last_was_value_ && ++g->fields_ > g->limits_.max_fields) {
    g->callback_status_ = 431;
    return -1;
  }
  g->last_was_value_ = false;
  return 0;
}

int RequestGuard::on_header_value(http_parser* p, const char*, std::size_t) {
  self(p)->last_was_value_ = true;
  return 0;
}

int RequestGuard::on_headers_complete(http_parser* p) {
  self(p)->event_ = Event::headers_complete;
  http_parser_pause(p, 1);
  return 0;
}

int RequestGuard::on_body(http_parser* p, const char*, std::size_t n) {
  auto* g = self(p);
  g->body_ += n;
  if (g->body_ > g->max_body_) {
    g->callback_status_ = 413;
    return -1;
  }
  return 0;
}

int RequestGuard::on_message_complete(http_parser* p) {
  self(p)->event_ = Event::message_complete;
  http_parser_pause(p, 1);
  return 0;
}

RequestGuard::Stage RequestGuard::stage() const {
  if (phase_ == Phase::headers) return in_message_ ? Stage::headers : Stage::idle;
  return Stage::body;
}

void RequestGuard::refuse(int status, bool with_method) {
  refused_ = true;
  held_.clear();
  std::string method = !with_method ? ""
                       : parser_.http_errno == HPE_OK || parser_.http_errno == HPE_PAUSED || status == 413
                           ? http_method_str(static_cast<http_method>(parser_.method))
                           : "";
  // Only the path survives into the synthetic request, and only when it is plain printable ASCII:
  // it decides between the JSON and the HTML error.
  std::string target = printable_target(url_) ? url_ : "/";
  ready_ += "GET " + target + " HTTP/1.1\r\nHost: refused\r\nConnection: close\r\n" + marker_header + ": " + secret_ +
            " " + std::to_string(status) + " " + (method.empty() ? "-" : method) + "\r\n\r\n";
}

void RequestGuard::consume(std::size_t n) {
  ready_pos_ += std::min(n, ready_.size() - ready_pos_);
  if (ready_pos_ == ready_.size()) {
    ready_.clear();
    ready_pos_ = 0;
  }
}

void RequestGuard::feed(std::string_view data) {
  while (!data.empty() && !refused_) {
    event_ = Event::none;
    std::size_t n = http_parser_execute(&parser_, &settings(), data.data(), data.size());
    auto part = data.substr(0, n);
    data.remove_prefix(n);
    auto err = HTTP_PARSER_ERRNO(&parser_);
    if (err != HPE_OK && err != HPE_PAUSED) {
      if (callback_status_)
        refuse(callback_status_);
      else if (err == HPE_HEADER_OVERFLOW)
        refuse(431);
      else
        refuse(400);
      return;
    }
    // Bytes belong to the message being parsed; where they go depends on its phase so far.
    if (n) in_message_ = true;
    if (phase_ == Phase::pass)
      ready_.append(part);
    else
      held_.append(part);
    if (phase_ == Phase::headers && held_.size() > limits_.max_header_bytes) return refuse(431);
    // Chunk framing may double a body's size on the wire; beyond that the guard holds nothing more.
    if (phase_ == Phase::hold && held_.size() > 2 * max_body_ + limits_.max_header_bytes) return refuse(413);

    if (event_ == Event::headers_complete) {
      if (parser_.upgrade) return refuse(400);  // no WebSocket/h2c; RESTinio would switch protocols
      if (parser_.http_major != 1) return refuse(400);
      // Transfer-Encoding without chunked last: http_parser fails only after this callback, once
      // the headers would have gone on. RFC 7230 3.3.3: 400 and close.
      if (parser_.uses_transfer_encoding && !(parser_.flags & F_CHUNKED)) return refuse(400);
      if (limits_.body_limit)
        max_body_ = limits_.body_limit(http_method_str(static_cast<http_method>(parser_.method)), url_);
      std::uint64_t cl = parser_.content_length;
      if (cl != ULLONG_MAX && cl > max_body_) return refuse(413);
      if (parser_.flags & F_CHUNKED) {
        phase_ = Phase::hold;  // the size is only known at the end
      } else {
        ready_ += held_;
        held_.clear();
        phase_ = Phase::pass;
      }
    } else if (event_ == Event::message_complete) {
      ready_ += held_;
      held_.clear();
      ++completed_;
      start_message();
    }
    if (err == HPE_PAUSED)
      http_parser_pause(&parser_, 0);
    else if (n == 0)
      break;
  }
}

std::optional<Refusal> parse_refusal_marker(std::string_view value, std::string_view secret) {
  if (secret.empty()) return std::nullopt;
  auto sp1 = value.find(' ');
  if (sp1 == std::string_view::npos || !constant_time_equal(value.substr(0, sp1), secret)) return std::nullopt;
  auto rest = value.substr(sp1 + 1);
  auto sp2 = rest.find(' ');
  if (sp2 != 3 || rest.size() < 5 || !std::isdigit(static_cast<unsigned char>(rest[0])) ||
      !std::isdigit(static_cast<unsigned char>(rest[1])) || !std::isdigit(static_cast<unsigned char>(rest[2])))
    return std::nullopt;
  Refusal r;
  r.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  if (r.status < 400 || r.status > 599) return std::nullopt;
  auto method = rest.substr(4);
  if (method != "-") r.method = std::string(method);
  return r;
}

}  // namespace sy::http::detail
