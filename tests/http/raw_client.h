#pragma once
// A tiny blocking HTTP/1.1 client on raw POSIX sockets, so tests control every byte they send
// (malformed request lines, a Content-Length without the body, pipelining).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace sy::test {

struct RawResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool has(const std::string& name) const { return headers.count(name) > 0; }
};

class RawClient {
 public:
  explicit RawClient(int port, int timeout_ms = 5000) : timeout_ms_(timeout_ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the peer closed or reset the connection.
  bool send(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one response (Content-Length framing; HEAD and 204/304 without a body when asked).
  std::optional<RawResponse> read_response(bool expect_body = true) {
    auto end = buf_.find("\r\n\r\n");
    while (end == std::string::npos) {
      if (!fill()) return std::nullopt;
      end = buf_.find("\r\n\r\n");
    }
    RawResponse r;
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    auto eol = head.find("\r\n");
    std::string status_line = head.substr(0, eol);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    std::size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      auto e = head.find("\r\n", pos);
      std::string line = head.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
      pos = e == std::string::npos ? head.size() : e + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace(name, value);
    }
    std::size_t len = r.has("content-length") ? std::stoul(r.header("content-length")) : 0;
    if (!expect_body || r.status == 204 || r.status == 304) len = 0;
    while (buf_.size() < len)
      if (!fill()) return std::nullopt;
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  // True when the server closed the connection (EOF) within the timeout.
  bool closed_by_peer() {
    while (true) {
      char tmp[4096];
      if (!wait_readable()) return false;
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

  // Reads until `needle` has arrived (true) or the peer closed or the timeout passed (false); for
  // streamed responses, where no framing tells when to stop.
  bool read_until(const std::string& needle) {
    while (buf_.find(needle) == std::string::npos)
      if (!fill()) return false;
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  const std::string& buffered() const { return buf_; }  // received, not yet read as a response

 private:
  bool wait_readable() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms_) > 0;
  }
  bool fill() {
    if (!wait_readable()) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  int timeout_ms_;
  std::string buf_;
};

// One request on a fresh connection.
inline std::optional<RawResponse> roundtrip(int port, const std::string& request, bool expect_body = true) {
  RawClient c(port);
  if (!c.send(request)) return std::nullopt;
  return c.read_response(expect_body);
}

inline std::string get_request(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

}  // namespace sy::test
