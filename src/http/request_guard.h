#pragma once
// Internal to src/http. RESTinio drops a connection without a word when a request is malformed or
// its body is over the limit. The guard sits between the socket and RESTinio: it parses the byte
// stream itself (http_parser, as RESTinio does) and holds back each request's header block (and a
// chunked body) until it is known to be acceptable. A refused request never reaches RESTinio; in
// its place RESTinio gets a small synthetic request carrying a secret marker header, so the
// refusal is answered in order, as a normal response (413, 400, 414, 431), and the connection is
// closed after it.
#include <http_parser.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sy::http::detail {

struct GuardLimits {
  std::uint64_t max_body = 64 * 1024;
  // The body limit of one request, decided from its method and raw target once its headers are in
  // (before any body byte is passed on or held); max_body when empty.
  std::function<std::uint64_t(std::string_view method, std::string_view target)> body_limit;
  std::size_t max_header_bytes = 64 * 1024;  // request line + header fields
  std::size_t max_url = 8 * 1024;
  std::size_t max_fields = 100;
};

struct Refusal {
  int status = 400;
  std::string method;  // "" when the request line did not parse
};

class RequestGuard {
 public:
  RequestGuard(GuardLimits limits, std::string secret);
  RequestGuard(const RequestGuard&) = delete;
  RequestGuard& operator=(const RequestGuard&) = delete;

  // Parses bytes just received; what may go on to RESTinio becomes pending(). After a refusal the
  // synthetic request is the last thing added and further input is ignored.
  void feed(std::string_view data);
  std::string_view pending() const { return std::string_view(ready_).substr(ready_pos_); }
  void consume(std::size_t n);  // n bytes of pending() were handed on
  bool refused() const { return refused_; }

  // For read deadlines: idle between messages (no byte of the next one yet), reading a header
  // block, or reading a body; how many body bytes of the current message arrived; how many
  // messages were passed on whole.
  enum class Stage { idle, headers, body };
  Stage stage() const;
  std::uint64_t body_received() const { return body_; }
  std::uint64_t completed() const { return completed_; }
  // Refuses the connection before its first request (too many connections from one address).
  void refuse_connection(int status) { refuse(status, false); }

  // Name of the marker header and its value "<secret> <status> <method>".
  static constexpr const char* marker_header = "x-sy-refused";

 private:
  enum class Phase { headers, pass, hold };
  static int on_url(http_parser* p, const char* at, std::size_t n);
  static int on_header_field(http_parser* p, const char* at, std::size_t n);
  static int on_header_value(http_parser* p, const char* at, std::size_t n);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, std::size_t n);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings& settings();
  void refuse(int status, bool with_method = true);
  void start_message();

  GuardLimits limits_;
  std::string secret_;
  http_parser parser_;
  Phase phase_ = Phase::headers;
  std::string held_;
  std::string ready_;
  std::size_t ready_pos_ = 0;
  std::string url_;
  std::size_t fields_ = 0;
  bool last_was_value_ = true;
  std::uint64_t body_ = 0;
  std::uint64_t max_body_ = 0;  // of the message being parsed
  int callback_status_ = 0;     // why a callback stopped the parser
  enum class Event { none, headers_complete, message_complete } event_ = Event::none;
  bool refused_ = false;
  bool in_message_ = false;  // a byte of the current message arrived
  std::uint64_t completed_ = 0;
};

// Parses a marker header value; returns the refusal when the secret matches.
std::optional<Refusal> parse_refusal_marker(std::string_view value, std::string_view secret);

}  // namespace sy::http::detail
