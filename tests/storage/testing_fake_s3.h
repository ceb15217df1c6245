#pragma once
// A scripted HTTP server on 127.0.0.1 standing in for S3 where a real one cannot show the case:
// failures on cue, hanging answers, virtual-hosted Host headers. Each connection serves one
// request and closes. The handler sees every request (with its 0-based index) and decides.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sy::storage::testing {

struct FakeRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string path() const { return target.substr(0, target.find('?')); }
  std::string query() const { return target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1); }
  std::string header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;  // never answer (until the server stops)
  bool drop = false;  // close the connection without answering
};

class FakeS3 {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&, int index)>;
  explicit FakeS3(Handler handler);
  ~FakeS3();
  FakeS3(const FakeS3&) = delete;
  FakeS3& operator=(const FakeS3&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<FakeRequest> requests();
  std::size_t count();

 private:
  void serve();
  void handle(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<FakeRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

std::string error_xml(const std::string& code, const std::string& message = "test");

}  // namespace sy::storage::testing
