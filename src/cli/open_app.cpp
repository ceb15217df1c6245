#include "cli/open_app.h"

#include "core/log.h"

namespace sy::cli {

Config load_config(const Common& common) {
  Config cfg = Config::load(common.config_path);
  init_logging(cfg.log_level);
  return cfg;
}

std::unique_ptr<services::App> open_app(const Config& cfg, bool migrate) { return services::App::open(cfg, migrate); }

}  // namespace sy::cli
