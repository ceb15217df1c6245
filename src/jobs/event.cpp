#include "jobs/event.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include "core/text.h"

namespace sy::jobs {

namespace {

std::string upper(std::string_view s) { return text::to_upper(s); }

std::int64_t size_of(const nlohmann::json& o) {
  auto it = o.find("size");
  if (it == o.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string str(const nlohmann::json& o, const char* name) {
  auto it = o.find(name);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string decode_event_key(const std::string& key) { return text::percent_decode(key, true); }

std::vector<ObjectEvent> parse_s3_event(const std::string& json) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("event is not valid JSON: ") + e.what());
  }
  // S3 sends this once when a notification is configured; there is nothing to process.
  if (doc.is_object() && doc.contains("Event") && doc["Event"] == "s3:TestEvent") return {};
  if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array())
    throw std::invalid_argument("event has no \"Records\" array (not an S3 event notification)");
  std::vector<ObjectEvent> out;
  for (const auto& r : doc["Records"]) {
    if (!r.is_object() || !r.contains("s3") || !r["s3"].is_object())
      throw std::invalid_argument("event record without an \"s3\" object");
    const auto& s3 = r["s3"];
    if (!s3.contains("bucket") || !s3["bucket"].is_object() || !s3.contains("object") || !s3["object"].is_object())
      throw std::invalid_argument("event record without s3.bucket or s3.object");
    ObjectEvent e;
    e.source = str(r, "eventSource");
    e.event_name = str(r, "eventName");
    e.event_time = str(r, "eventTime");
    e.bucket = str(s3["bucket"], "name");
    const auto& obj = s3["object"];
    e.key = decode_event_key(str(obj, "key"));
    e.size = size_of(obj);
    e.etag = normalize_etag(str(obj, "eTag"));
    e.sequencer = str(obj, "sequencer");
    if (e.bucket.empty() || e.key.empty()) throw std::invalid_argument("event record without bucket name or key");
    // S3 keys are UTF-8; a key that decodes to anything else is not one of ours and could not be
    // written back as JSON (found by fuzz/fuzz_lambda_event.cpp, kept in fuzz/regressions/).
    if (!text::valid_utf8(e.key)) throw std::invalid_argument("event record whose key is not UTF-8");
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json to_s3_record(const ObjectEvent& e) {
  return {{"eventVersion", "2.1"},
          {"eventSource", e.source},
          {"eventTime", e.event_time},
          {"eventName", e.event_name},
          {"s3",
           {{"s3SchemaVersion", "1.0"},
            {"bucket", {{"name", e.bucket}}},
            {"object", {{"key", e.key}, {"size", e.size}, {"eTag", e.etag}, {"sequencer", e.sequencer}}}}}};
}

int compare_sequencer(const std::string& a, const std::string& b) {
  std::string x = upper(a), y = upper(b);
  std::size_t n = std::max(x.size(), y.size());
  x.append(n - x.size(), '0');
  y.append(n - y.size(), '0');
  return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
}

std::string new_sequencer() {
  static std::atomic<std::int64_t> last{0};
  using namespace std::chrono;
  std::int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  std::int64_t prev = last.load();
  while (true) {
    std::int64_t next = std::max(us, prev + 1);
    if (last.compare_exchange_weak(prev, next)) {
      us = next;
      break;
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(us));
  return buf;
}

std::string normalize_etag(const std::string& etag) {
  std::string s = etag;
  if (s.rfind("W/", 0) == 0) s = s.substr(2);
  s.erase(std::remove(s.begin(), s.end(), '"'), s.end());
  return text::to_lower(s);
}

const char* to_string(EventOrder o) {
  switch (o) {
    case EventOrder::new_key:
      return "new";
    case EventOrder::same:
      return "same";
    case EventOrder::newer:
      return "newer";
    case EventOrder::stale:
      return "stale";
  }
  return "unknown";
}

EventOrder order_against(const ObjectEvent& e, const std::string& known_etag, const std::string& known_sequencer) {
  if (normalize_etag(e.etag) == known_etag) return EventOrder::same;
  return compare_sequencer(e.sequencer, known_sequencer) > 0 ? EventOrder::newer : EventOrder::stale;
}

}  // namespace sy::jobs
