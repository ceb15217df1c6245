#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sy {

void init_logging(const std::string& level) {
  auto logger = spdlog::get("schoolyard");
  if (!logger) logger = spdlog::stderr_color_mt("schoolyard");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

std::string log_safe(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out;
}

}  // namespace sy
