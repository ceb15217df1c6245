#include "jobs/lambda_runtime.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/text.h"

namespace sy::jobs {

namespace {

constexpr const char* kPrefix = "/2018-06-01/runtime";

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct HeaderSink {
  std::string request_id, deadline, trace_id;
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = text::to_lower(line.substr(0, colon));
    std::string value = text::trim_copy(line.substr(colon + 1));
    auto* h = static_cast<HeaderSink*>(out);
    if (name == "lambda-runtime-aws-request-id")
      h->request_id = value;
    else if (name == "lambda-runtime-deadline-ms")
      h->deadline = value;
    else if (name == "lambda-runtime-trace-id")
      h->trace_id = value;
  }
  return size * n;
}

std::string error_body(const std::string& type, const std::string& message) {
  return nlohmann::json{{"errorMessage", message}, {"errorType", type}, {"stackTrace", nlohmann::json::array()}}.dump();
}

// Request ids come from the Runtime API; keep them to characters safe in a URL path.
bool safe_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace

RuntimeClient::RuntimeClient(std::string api) : base_("http://" + std::move(api)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl_ = curl_easy_init();
  if (!curl_) throw RuntimeApiError("libcurl could not be initialised");
}

RuntimeClient::~RuntimeClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

RuntimeClient::Reply RuntimeClient::call(const std::string& method, const std::string& path, const std::string& body,
                                         const std::string& error_type, long timeout_ms) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  Reply r;
  HeaderSink h;
  std::string url = base_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);  // 0 = none: /next blocks until an event
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
  curl_slist* headers = nullptr;
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (!error_type.empty())
      headers = curl_slist_append(headers, ("Lambda-Runtime-Function-Error-Type: " + error_type).c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  }
  CURLcode rc = curl_easy_perform(c);
  if (headers) curl_slist_free_all(headers);
  if (rc != CURLE_OK) throw RuntimeApiError(method + " " + path + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.request_id = h.request_id;
  r.deadline = h.deadline;
  r.trace_id = h.trace_id;
  return r;
}

Invocation RuntimeClient::next() {
  Reply r = call("GET", std::string(kPrefix) + "/invocation/next", "", "", 0);
  if (r.status != 200) throw RuntimeApiError("invocation/next answered " + std::to_string(r.status));
  if (!safe_id(r.request_id)) throw RuntimeApiError("invocation/next without a usable request id");
  Invocation inv;
  inv.request_id = r.request_id;
  inv.trace_id = r.trace_id;
  inv.body = std::move(r.body);
  try {
    inv.deadline_ms = std::stoll(r.deadline);
  } catch (...) {
    inv.deadline_ms = now_ms() + 60000;
  }
  return inv;
}

void RuntimeClient::respond(const std::string& request_id, const std::string& json) {
  Reply r = call("POST", std::string(kPrefix) + "/invocation/" + request_id + "/response", json, "", 30000);
  if (r.status != 202) throw RuntimeApiError("invocation response answered " + std::to_string(r.status));
}

void RuntimeClient::error(const std::string& request_id, const std::string& type, const std::string& message) {
  Reply r = call("POST", std::string(kPrefix) + "/invocation/" + request_id + "/error", error_body(type, message), type,
                 30000);
  if (r.status != 202) throw RuntimeApiError("invocation error answered " + std::to_string(r.status));
}

void RuntimeClient::init_error(const std::string& type, const std::string& message) {
  call("POST", std::string(kPrefix) + "/init/error", error_body(type, message), type, 30000);
}

std::string handle_invocation(Processor& p, const Invocation& inv) {
  auto events = parse_s3_event(inv.body);
  nlohmann::json records = nlohmann::json::array();
  std::string failures;
  for (const auto& e : events) {
    try {
      std::string what = p.handle_event(e, inv.deadline_ms - 1000);
      records.push_back({{"key", e.key}, {"result", what}});
      spdlog::info("lambda: {} {}: {}", inv.request_id, log_safe(e.key), log_safe(what));
    } catch (const std::exception& ex) {
      records.push_back({{"key", e.key}, {"error", ex.what()}});
      failures += (failures.empty() ? "" : "; ") + e.key + ": " + ex.what();
    }
  }
  if (!failures.empty()) throw std::runtime_error(failures);
  return nlohmann::json{{"records", records}}.dump();
}

void run_lambda(Processor& p, RuntimeClient& client, int max_invocations) {
  for (int n = 0; max_invocations == 0 || n < max_invocations; ++n) {
    Invocation inv = client.next();
    if (!inv.trace_id.empty()) setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    std::string response;
    try {
      response = handle_invocation(p, inv);
    } catch (const std::invalid_argument& e) {
      spdlog::error("lambda: {} rejected: {}", inv.request_id, e.what());
      client.error(inv.request_id, "InvalidEvent", e.what());
      continue;
    } catch (const std::exception& e) {
      spdlog::error("lambda: {} failed: {}", inv.request_id, e.what());
      client.error(inv.request_id, "ProcessingFailed", e.what());
      continue;
    }
    client.respond(inv.request_id, response);
  }
}

}  // namespace sy::jobs
