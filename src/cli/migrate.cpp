#include <iostream>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "db/migrations.h"

namespace sy::cli {

void add_migrate(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  cmd->callback([&common, &action] {
    action = [&common] {
      Config cfg = load_config(common);
      auto app = services::App::open(cfg, false);
      int n = db::migrate(*app->db);
      std::cout << "applied " << n << " migration(s); schema version " << db::current_version(*app->db) << "\n";
      return 0;
    };
  });
}

}  // namespace sy::cli
