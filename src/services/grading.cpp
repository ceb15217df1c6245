#include "services/grading.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/error.h"
#include "core/text.h"

namespace sy::services::grading {

namespace {

[[noreturn]] void bad_mark(const std::string& m) { fail(ErrorKind::invalid, "invalid_mark", m); }

// Half up, for non-negative numerators and positive denominators.
std::int64_t div_round(std::int64_t num, std::int64_t den) { return (2 * num + den) / (2 * den); }

}  // namespace

std::string_view code_text(MarkKind k) {
  switch (k) {
    case MarkKind::absent:
      return "absent";
    case MarkKind::exempt:
      return "exempt";
    default:
      return "";
  }
}

Mark parse_mark(std::string_view in, std::int64_t max_x100) {
  std::string s = text::to_lower(text::trim(in));
  if (s.empty()) return {};
  if (s == "a" || s == "abs" || s == "absent") return {MarkKind::absent, 0};
  if (s == "x" || s == "ex" || s == "exempt") return {MarkKind::exempt, 0};
  // Digits, then optionally one '.' or ',' and 1–2 digits. No sign, no exponent: "-3" is refused
  // as not a mark rather than read as something else.
  auto not_a_mark = [&] {
    bad_mark("'" + std::string(in) + "' is not a mark: enter a number, a (absent) or x (exempt)");
  };
  std::size_t i = 0;
  std::int64_t whole = 0, frac = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (whole > 100'000'000LL) bad_mark("the mark is far too large");
    whole = whole * 10 + (s[i++] - '0');
  }
  if (i == 0) not_a_mark();
  if (i < s.size()) {
    if (s[i] != '.' && s[i] != ',') not_a_mark();
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i != s.size() || i == start) not_a_mark();
    if (i - start > 2) bad_mark("a mark has at most 2 decimals");
    for (std::size_t k = start; k < i; ++k) frac = frac * 10 + (s[k] - '0');
    if (i - start == 1) frac *= 10;
  }
  std::int64_t v = whole * 100 + frac;
  if (v > max_x100) bad_mark("the mark " + format_x100(v) + " is above the maximum " + format_x100(max_x100));
  return {MarkKind::score, v};
}

std::string format_x100(std::int64_t v) {
  std::string out = std::to_string(v / 100);
  int f = static_cast<int>(v % 100);
  if (f == 0) return out;
  if (f % 10 == 0) return out + "." + std::to_string(f / 10);
  return out + "." + (f < 10 ? "0" : "") + std::to_string(f);
}

int percent_x100(std::int64_t score_x100, std::int64_t max_x100) {
  if (max_x100 <= 0) fail(ErrorKind::internal, "invalid_max", "an assessment's maximum must be above 0");
  return static_cast<int>(div_round(score_x100 * 10000, max_x100));
}

std::optional<Band> band_for(const std::vector<Band>& bands, int pct) {
  const Band* best = nullptr;
  for (const auto& b : bands)
    if (b.min_percent_x100 <= pct && (!best || b.min_percent_x100 > best->min_percent_x100)) best = &b;
  if (!best) return std::nullopt;
  return *best;
}

std::vector<Band> validate_bands(std::vector<Band> bands) {
  auto bad = [](const std::string& m) { fail(ErrorKind::invalid, "invalid_scale", m); };
  if (bands.empty() || bands.size() > 20) bad("a grade scale has 1 to 20 bands");
  std::set<int> seen;
  for (auto& b : bands) {
    b.label = text::trim_copy(b.label);
    b.descriptor = text::trim_copy(b.descriptor);
    if (b.min_percent_x100 < 0 || b.min_percent_x100 > 10000) bad("a band starts between 0 % and 100 %");
    if (b.label.empty() || !text::valid_utf8(b.label) || text::utf8_length(b.label) > 20)
      bad("every band needs a label of 1 to 20 characters");
    if (!text::valid_utf8(b.descriptor) || text::utf8_length(b.descriptor) > 100)
      bad("a band's descriptor has at most 100 characters");
    if (!seen.insert(b.min_percent_x100).second)
      bad("two bands start at " + format_x100(b.min_percent_x100) + " %; each threshold once");
  }
  if (!seen.count(0)) bad("one band must start at 0 % so that every mark has a grade");
  std::sort(bands.begin(), bands.end(),
            [](const Band& a, const Band& b) { return a.min_percent_x100 > b.min_percent_x100; });
  return bands;
}

std::optional<int> weighted_percent_x100(const std::vector<WeightedMark>& marks) {
  std::int64_t sum = 0, weights = 0;
  for (const auto& m : marks) {
    if (m.weight_pct <= 0) continue;
    int pct = 0;
    if (m.mark.kind == MarkKind::score)
      pct = percent_x100(m.mark.score_x100, m.max_x100);
    else if (m.mark.kind != MarkKind::absent)
      continue;  // exempt or not entered: left out
    sum += static_cast<std::int64_t>(m.weight_pct) * pct;
    weights += m.weight_pct;
  }
  if (weights == 0) return std::nullopt;
  return static_cast<int>(div_round(sum, weights));
}

std::vector<int> competition_ranks(const std::vector<std::optional<int>>& values) {
  // rank = 1 + how many values are strictly higher; ties share it and the next rank skips.
  std::vector<int> sorted;
  for (const auto& v : values)
    if (v) sorted.push_back(*v);
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::vector<int> ranks(values.size(), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    auto first = std::lower_bound(sorted.begin(), sorted.end(), *values[i], std::greater<>());
    ranks[i] = static_cast<int>(first - sorted.begin()) + 1;
  }
  return ranks;
}

}  // namespace sy::services::grading
