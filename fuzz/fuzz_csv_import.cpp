// libFuzzer: the CSV reader of `schoolyard import` and POST /api/v1/import/students
// (services::parse_csv, RFC 4180) and the writer's round trip: a record written by csv_line reads
// back as one record with the same number of cells.
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
    // Exports put a header line first; any record written after it reads back as one record
    // with as many cells.
    if (!recs.empty() && !recs.back().fields.empty()) {
      const auto& f = recs.back().fields;
      std::string again = sy::services::csv_line({"h"}) + sy::services::csv_line(f);
      auto back = sy::services::parse_csv(again);
      if (back.size() != 2 || back[1].fields.size() != f.size()) __builtin_trap();
    }
  } catch (const sy::AppError&) {
  } catch (const std::invalid_argument&) {}
  return 0;
}
