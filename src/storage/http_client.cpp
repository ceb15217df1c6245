#include "storage/http_client.h"
#include "core/text.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sy::storage {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

struct Upload {
  std::string_view body;
  std::size_t offset = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t want = std::min(size * n, up->body.size() - up->offset);
  std::memcpy(buf, up->body.data() + up->offset, want);
  up->offset += want;
  return want;
}

// curl rewinds the body when it has to resend it (e.g. on a reused connection that died).
int seek_cb(void* user, curl_off_t offset, int origin) {
  auto* up = static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > up->body.size())
    return CURL_SEEKFUNC_CANTSEEK;
  up->offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Callbacks run inside C code: no exception may escape (returning a short count aborts instead).
std::size_t write_cb(char* data, std::size_t size, std::size_t n, void* user) {
  try {
    static_cast<HttpResponse*>(user)->body.append(data, size * n);
    return size * n;
  } catch (...) {
    return 0;
  }
}

std::size_t header_cb(char* data, std::size_t size, std::size_t n, void* user) try {
  auto* resp = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    resp->headers.clear();  // a new response (after a 100 Continue, say)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::string value = text::trim_copy(line.substr(colon + 1));
  if (name == "content-length") {
    // Size the body buffer once; capped so a bogus header cannot reserve absurd memory.
    try {
      auto len = std::stoull(value);
      if (len <= (1ull << 30)) resp->body.reserve(static_cast<std::size_t>(len));
    } catch (const std::exception&) {}
  }
  resp->headers[name] = std::move(value);
  return size * n;
} catch (...) {
  return 0;
}

bool retryable_curl(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_READ_ERROR:
    case CURLE_SEND_FAIL_REWIND:
      return true;
    default:
      return false;
  }
}

}  // namespace

HttpClient::HttpClient(HttpTimeouts timeouts) : timeouts_(timeouts) { global_init(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw std::runtime_error("curl_easy_init failed");
  return h;
}

void HttpClient::release(void* handle) {
  std::lock_guard lock(mu_);
  idle_.push_back(handle);
}

HttpResult HttpClient::perform(const HttpRequest& req, long total_ms_override) {
  CURL* h = static_cast<CURL*>(acquire());
  struct Release {
    HttpClient* self;
    CURL* h;
    ~Release() {
      curl_easy_reset(h);  // drops pointers into this frame; keeps the connection cache
      self->release(h);
    }
  } guard{this, h};
  HttpResult result;
  Upload upload{req.body, 0};
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip / 1 s stall
  headers = curl_slist_append(headers, "Accept:");

  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // the signed path must go out unchanged
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeouts_.connect_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms_override > 0 ? total_ms_override : timeouts_.total_ms);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeouts_.stall_seconds);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &result.response);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.response);
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

  if (req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  result.curl_code = static_cast<int>(rc);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.response.status);
  } else {
    result.retryable = retryable_curl(rc);
    result.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  }
  return result;
}

}  // namespace sy::storage
