#pragma once
// Just enough ICC parsing to skip a colour transform that would change nothing.
#include <string_view>

namespace sy::imaging::detail {

// True for an RGB profile whose description names sRGB (the common "sRGB IEC61966-2.1" and its
// relatives). Converting such images sRGB→sRGB through lcms costs more than the whole decode.
bool is_srgb_profile(std::string_view icc);

}  // namespace sy::imaging::detail
