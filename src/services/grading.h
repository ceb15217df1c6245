#pragma once
// Grading arithmetic, pure: no database, no actor. Marks, maxima and percentages are integers in
// hundredths (7.5 marks → 750; 62.50 % → 6250) so every dialect, page and report card computes
// the same figure. The marks service, the marks grid and the report cards (results) all use these.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::services::grading {

// A band of a grade scale: at or above min_percent_x100 (0..10000) the label applies.
struct Band {
  int min_percent_x100 = 0;
  std::string label;
  std::string descriptor;
};

// A mark as entered: a score, a code, or nothing (deletes / not entered yet).
enum class MarkKind { none, score, absent, exempt };
struct Mark {
  MarkKind kind = MarkKind::none;
  std::int64_t score_x100 = 0;  // only for MarkKind::score
};

// "absent" / "exempt" as stored in marks.code; "" for a score or none.
std::string_view code_text(MarkKind k);

// User text → a mark, against the assessment's maximum (hundredths). Accepts "", "7", "7.5",
// "7.25", "7,5" (decimal comma from a spreadsheet); "a", "abs", "absent" → absent; "x", "ex",
// "exempt" → exempt (any case, surrounding spaces ignored). Anything else, more than 2 decimals,
// or a score above max is AppError 422 invalid_mark with a message a teacher can act on. The
// marks grid's script (static/marks.js) mirrors this rule.
Mark parse_mark(std::string_view text, std::int64_t max_x100);
// A score in hundredths as people write it: 750 → "7.5", 700 → "7", 725 → "7.25".
std::string format_x100(std::int64_t v);

// The percentage (hundredths, rounded half up) of a score against a maximum; max_x100 > 0.
int percent_x100(std::int64_t score_x100, std::int64_t max_x100);

// The band whose threshold is the highest at or below the percentage; nullopt when the bands
// are empty or none starts low enough (a validated scale always has a band at 0).
std::optional<Band> band_for(const std::vector<Band>& bands, int percent_x100);

// Throws AppError 422 (invalid_scale) unless: 1..20 bands, each threshold 0..10000, exactly one
// at 0, no two equal, labels 1..20 characters, descriptors up to 100. Returns the bands sorted
// by threshold, highest first (the order band_for and the pages use).
std::vector<Band> validate_bands(std::vector<Band> bands);

// One assessment's mark of a student in a subject for the term's weighted percentage.
struct WeightedMark {
  std::int64_t max_x100 = 1;
  int weight_pct = 100;  // relative weight; 100 = 1×, 0 = shown but not counted
  Mark mark;
};

// The subject's term percentage (hundredths): the weighted mean of each assessment's percentage
// (as percent_x100 gives it), rounded half up. Absent counts as 0 % — the student missed an
// assessment they had to sit. Exempt, and a mark not entered, are left out of both the sum and
// the weights — the student was excused, so the rest decide. nullopt when nothing counts (no
// assessment with a score or absent and a weight above 0).
std::optional<int> weighted_percent_x100(const std::vector<WeightedMark>& marks);

// Standard competition ranking (1, 2, 2, 4) by value, highest first. values[i] nullopt = not
// ranked (rank 0). The result has one rank per input, in input order.
std::vector<int> competition_ranks(const std::vector<std::optional<int>>& values);

}  // namespace sy::services::grading
