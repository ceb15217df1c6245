#include <iostream>

#include "cli/commands.h"
#include "core/config.h"

namespace sy::cli {

int run(int argc, char** argv) {
  CLI::App app{"Schoolyard — school management with a photo yearbook"};
  app.require_subcommand(1);
  Common common;
  app.add_option("--config", common.config_path, "TOML file with configuration keys")->check(CLI::ExistingFile);
  Action action;
  // Subcommands register here (one line each).
  add_serve(app, common, action);
  add_migrate(app, common, action);
  add_admin(app, common, action);
  add_compress(app, common, action);
  add_worker(app, common, action);
  add_lambda(app, common, action);
  add_jobs(app, common, action);
  add_backup(app, common, action);
  add_restore(app, common, action);
  add_compress_child(app, common, action);
  add_import(app, common, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // usage errors exit 2
  }
  try {
    return action ? action() : 2;
  } catch (const ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace sy::cli
