#pragma once
#include <memory>

#include "cli/commands.h"
#include "core/config.h"
#include "services/app.h"

namespace sy::cli {
// Configuration from --config and the environment; logging set up to its level.
Config load_config(const Common& common);
// The App with database and store; ConfigError (exit 2, one clear line) when they cannot open.
std::unique_ptr<services::App> open_app(const Config& cfg, bool migrate);
}  // namespace sy::cli
