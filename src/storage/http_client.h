#pragma once
// A small libcurl wrapper for the S3 store: one request at a time per call, any number of calls
// in parallel. Easy handles are pooled so connections (and TLS sessions) are reused. Request
// bodies are streamed from the caller's buffer and response bodies appended straight into the
// result, so an object is never copied more than once on the way.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::storage {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // PUT only; must outlive perform()
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; the last value wins
  std::string body;
};

struct HttpResult {
  int curl_code = 0;       // CURLE_OK (0) when a response arrived
  bool retryable = false;  // for transport failures: connection refused/reset, timeout, ...
  std::string error;       // transport error text
  HttpResponse response;
};

struct HttpTimeouts {
  long connect_ms = 5000;
  long total_ms = 120000;   // whole request, including the body
  long stall_seconds = 30;  // abort when under 1 byte/s for this long
};

class HttpClient {
 public:
  explicit HttpClient(HttpTimeouts timeouts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult perform(const HttpRequest& request, long total_ms_override = 0);

 private:
  void* acquire();
  void release(void* handle);

  HttpTimeouts timeouts_;
  std::mutex mu_;
  std::vector<void*> idle_;
};

}  // namespace sy::storage
