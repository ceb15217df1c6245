#pragma once
// Test-only: stops the clock at the moment of the call, so rules measured in seconds (login
// delays) do not depend on how fast the machine runs the test; set_clock_offset_for_tests() still
// moves it. freeze_clock_for_tests(false) lets it run again.
namespace sy {

void freeze_clock_for_tests(bool frozen);

}  // namespace sy
