// libFuzzer: the S3 event notifications the Lambda runtime and the outbox consume
// (jobs::parse_s3_event, compare_sequencer). Only std::invalid_argument may escape; a parsed
// record survives a round trip through to_s3_record.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "jobs/event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string json(reinterpret_cast<const char*>(data), size);
  try {
    auto events = sy::jobs::parse_s3_event(json);
    for (const auto& e : events) {
      nlohmann::json again = {{"Records", nlohmann::json::array({sy::jobs::to_s3_record(e)})}};
      auto back = sy::jobs::parse_s3_event(again.dump());
      if (back.size() != 1 || back[0].key != e.key || back[0].bucket != e.bucket) __builtin_trap();
      sy::jobs::compare_sequencer(e.sequencer, back[0].sequencer);
    }
  } catch (const std::invalid_argument&) {}
  return 0;
}
