// The pure grading arithmetic (services/grading.h) the marks grid and the report cards share.
#include "services/grading.h"

#include <gtest/gtest.h>

#include "core/error.h"

using namespace sy::services::grading;

namespace {

std::string code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sy::AppError& e) {
    return e.code;
  }
  return "";
}

std::vector<Band> letters() {
  return {{8000, "A", ""}, {7000, "B", ""}, {6000, "C", ""}, {5000, "D", ""}, {4000, "E", ""}, {0, "U", ""}};
}

TEST(Grading, PercentRoundsHalfUp) {
  EXPECT_EQ(percent_x100(750, 1000), 7500);  // 7.5 / 10 = 75.00 %
  EXPECT_EQ(percent_x100(100, 300), 3333);   // 33.333… %
  EXPECT_EQ(percent_x100(200, 300), 6667);   // 66.666… %
  EXPECT_EQ(percent_x100(1, 80000), 0);      // 0.00125 % → 0.00
  EXPECT_EQ(percent_x100(1, 20000), 1);      // 0.005 % → 0.01 (half up)
  EXPECT_EQ(percent_x100(1, 20001), 0);      // just under half
  EXPECT_EQ(percent_x100(0, 5000), 0);
  EXPECT_EQ(percent_x100(5000, 5000), 10000);
  EXPECT_EQ(percent_x100(100000000, 100000000), 10000);  // the largest maximum does not overflow
}

TEST(Grading, BandIsTheHighestThresholdAtOrBelow) {
  auto b = letters();
  EXPECT_EQ(band_for(b, 10000)->label, "A");
  EXPECT_EQ(band_for(b, 8000)->label, "A");  // at the threshold: that band
  EXPECT_EQ(band_for(b, 7999)->label, "B");
  EXPECT_EQ(band_for(b, 4000)->label, "E");
  EXPECT_EQ(band_for(b, 0)->label, "U");
  std::vector<Band> shuffled = {{0, "F", ""}, {9000, "A*", ""}, {5000, "P", ""}};
  EXPECT_EQ(band_for(shuffled, 9500)->label, "A*");
  EXPECT_EQ(band_for(shuffled, 6000)->label, "P");
  EXPECT_FALSE(band_for({}, 5000));
  EXPECT_FALSE(band_for({{5000, "P", ""}}, 4999));
}

TEST(Grading, ParsesMarksAndCodes) {
  EXPECT_EQ(parse_mark("7", 1000).score_x100, 700);
  EXPECT_EQ(parse_mark(" 7.5 ", 1000).score_x100, 750);
  EXPECT_EQ(parse_mark("7,25", 1000).score_x100, 725);
  EXPECT_EQ(parse_mark("0", 1000).kind, MarkKind::score);
  EXPECT_EQ(parse_mark("10", 1000).score_x100, 1000);  // the maximum itself
  EXPECT_EQ(parse_mark("", 1000).kind, MarkKind::none);
  EXPECT_EQ(parse_mark("  ", 1000).kind, MarkKind::none);
  for (const char* a : {"a", "A", "abs", "Absent"}) EXPECT_EQ(parse_mark(a, 1000).kind, MarkKind::absent) << a;
  for (const char* x : {"x", "X", "ex", "EXEMPT"}) EXPECT_EQ(parse_mark(x, 1000).kind, MarkKind::exempt) << x;
  for (const char* bad :
       {"10.01", "11", "7.125", "-1", "7.", ".5", "1e2", "seven", "7 5", "0x7", "7..5", "99999999999999"})
    EXPECT_EQ(code_of([&] { parse_mark(bad, 1000); }), "invalid_mark") << bad;
}

TEST(Grading, FormatsHundredths) {
  EXPECT_EQ(format_x100(700), "7");
  EXPECT_EQ(format_x100(750), "7.5");
  EXPECT_EQ(format_x100(725), "7.25");
  EXPECT_EQ(format_x100(705), "7.05");
  EXPECT_EQ(format_x100(0), "0");
}

TEST(Grading, ValidatesBands) {
  auto sorted = validate_bands({{0, " U ", ""}, {8000, "A", "Excellent"}, {5000, "C", ""}});
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].label, "A");  // highest first
  EXPECT_EQ(sorted[2].label, "U");  // trimmed
  EXPECT_EQ(code_of([] { validate_bands({}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{8000, "A", ""}, {5000, "C", ""}}); }), "invalid_scale");  // no band at 0
  EXPECT_EQ(code_of([] { validate_bands({{0, "U", ""}, {5000, "C", ""}, {5000, "D", ""}}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{0, "U", ""}, {10001, "A", ""}}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{0, "U", ""}, {-1, "A", ""}}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{0, "  ", ""}}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{0, std::string(21, 'L'), ""}}); }), "invalid_scale");
  EXPECT_EQ(code_of([] { validate_bands({{0, "U", ""}, {10000, "A", ""}}); }), "");  // 0 and 100 % both allowed
}

TEST(Grading, WeightedTermPercentage) {
  auto score = [](std::int64_t s) { return Mark{MarkKind::score, s}; };
  // 50 % weighted 1×, 80 % weighted 3× → (50 + 240) / 4 = 72.5 %
  EXPECT_EQ(weighted_percent_x100({{1000, 100, score(500)}, {5000, 300, score(4000)}}), 7250);
  // absent counts as 0 %: (0 + 80) / 2 = 40 %
  EXPECT_EQ(weighted_percent_x100({{1000, 100, {MarkKind::absent, 0}}, {1000, 100, score(800)}}), 4000);
  // exempt and not-entered are left out: only the 80 % counts
  EXPECT_EQ(weighted_percent_x100({{1000, 100, {MarkKind::exempt, 0}}, {1000, 100, {}}, {1000, 100, score(800)}}),
            8000);
  // weight 0 is shown but not counted
  EXPECT_EQ(weighted_percent_x100({{1000, 0, score(0)}, {1000, 100, score(900)}}), 9000);
  // a third each of 100, 100, 0 → 66.67 (half up)
  EXPECT_EQ(weighted_percent_x100({{100, 100, score(100)}, {100, 100, score(100)}, {100, 100, score(0)}}), 6667);
  EXPECT_FALSE(weighted_percent_x100({}));
  EXPECT_FALSE(weighted_percent_x100({{1000, 100, {MarkKind::exempt, 0}}}));
}

TEST(Grading, CompetitionRanksWithTies) {
  EXPECT_EQ(competition_ranks({90, 80, 80, 70}), (std::vector<int>{1, 2, 2, 4}));
  EXPECT_EQ(competition_ranks({70, 80, 90, 80}), (std::vector<int>{4, 2, 1, 2}));  // input order kept
  EXPECT_EQ(competition_ranks({std::nullopt, 50, 50, std::nullopt}), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(competition_ranks({60, 60, 60}), (std::vector<int>{1, 1, 1}));
  EXPECT_TRUE(competition_ranks({}).empty());
}

}  // namespace
