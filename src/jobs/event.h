#pragma once
// S3 ObjectCreated event records: what the upload outbox writes and what S3 sends to Lambda.
// Delivery is at least once and unordered, so consumers compare the per-key `sequencer`.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sy::jobs {

struct ObjectEvent {
  std::string source = "aws:s3";
  std::string event_name = "ObjectCreated:Put";
  std::string event_time;  // ISO-8601
  std::string bucket;
  std::string key;  // decoded
  std::int64_t size = 0;
  std::string etag;       // without quotes
  std::string sequencer;  // hex
};

// The "Records" of an S3 event notification (eventVersion 2.x). Keys arrive URL-encoded ('+' is a
// space). Throws std::invalid_argument for JSON that is not an S3 notification.
std::vector<ObjectEvent> parse_s3_event(const std::string& json);
// One record in the documented notification shape (the outbox's view of an upload).
nlohmann::json to_s3_record(const ObjectEvent& e);

// <0, 0, >0 like strcmp. Hex strings of different lengths compare after right-padding the shorter
// with zeros (as AWS documents); case is ignored.
int compare_sequencer(const std::string& a, const std::string& b);
// A sequencer for events we announce ourselves: increases with time within a process.
std::string new_sequencer();
// ETags compare without quotes and case.
std::string normalize_etag(const std::string& etag);
// %XX and '+' decoding of S3 event keys.
std::string decode_event_key(const std::string& key);

// How an event relates to what the queue knows of its key (S3 delivers at least once, in no
// particular order): a key not seen before, a duplicate of the version known, a newer version,
// or an older one.
enum class EventOrder { new_key, same, newer, stale };
const char* to_string(EventOrder o);  // "new", "same", "newer", "stale" (for logs)
// same / newer / stale against the version known (its normalised ETag and sequencer).
EventOrder order_against(const ObjectEvent& e, const std::string& known_etag, const std::string& known_sequencer);

}  // namespace sy::jobs
