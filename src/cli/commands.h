#pragma once
// Subcommands of the `schoolyard` binary. Each add_* registers one subcommand on the app and, when
// it is chosen, stores what to run in `action` (returning the process exit code).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace sy::cli {

struct Common {
  std::string config_path;  // --config FILE (TOML)
};
using Action = std::function<int()>;

void add_serve(CLI::App& app, Common& common, Action& action);
void add_migrate(CLI::App& app, Common& common, Action& action);
void add_admin(CLI::App& app, Common& common, Action& action);
void add_compress(CLI::App& app, Common& common, Action& action);
void add_worker(CLI::App& app, Common& common, Action& action);
void add_lambda(CLI::App& app, Common& common, Action& action);
void add_jobs(CLI::App& app, Common& common, Action& action);
void add_backup(CLI::App& app, Common& common, Action& action);
void add_restore(CLI::App& app, Common& common, Action& action);
void add_compress_child(CLI::App& app, Common& common, Action& action);
void add_import(CLI::App& app, Common& common, Action& action);

int run(int argc, char** argv);

}  // namespace sy::cli
