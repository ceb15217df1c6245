#pragma once
// Pieces of the decoder sandbox shared by its files (not for callers: see sandbox.h).
#include <string>

namespace sy::jobs::sandbox::detail {

// Installs the child's seccomp deny-list (needs no_new_privs set first). false + why when the
// kernel refuses; the child then runs with its other limits only.
bool install_seccomp(std::string& why);

}  // namespace sy::jobs::sandbox::detail
