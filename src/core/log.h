#pragma once
// Logging: spdlog to stderr. Access logs are JSON lines (see http/). Never log secrets or raw tokens.
#include <spdlog/spdlog.h>

#include <string>

namespace sy {
void init_logging(const std::string& level);
// Strip control characters so user input cannot forge log lines (ASVS 7.3.1).
std::string log_safe(std::string_view s, std::size_t max = 200);
}  // namespace sy
