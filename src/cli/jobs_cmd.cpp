// `schoolyard jobs list [--dead] | retry ID`: the compression queue for operators.
#include <iostream>

#include "api/photos_api.h"
#include "cli/commands.h"
#include "cli/open_app.h"
#include "core/clock.h"
#include "core/error.h"
#include "jobs/admin.h"

namespace sy::cli {

void add_jobs(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("jobs", "Inspect and retry compression jobs");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "List jobs, newest first");
  auto dead = std::make_shared<bool>(false);
  auto status = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(50);
  auto json = std::make_shared<bool>(false);
  list->add_flag("--dead", *dead, "only dead-lettered jobs");
  list->add_flag("--json", *json, "one JSON object per line (as GET /api/v1/admin/jobs)");
  list->add_option("--status", *status, "queued|running|done|dead")
      ->check(CLI::IsMember({"queued", "running", "done", "dead"}));
  list->add_option("--limit", *limit, "at most this many (default 50)")->check(CLI::Range(1, 1000));
  list->callback([&common, &action, dead, status, limit, json] {
    action = [&common, dead, status, limit, json] {
      Config cfg = load_config(common);
      auto app = open_app(cfg, false);
      std::vector<db::JobRow> rows;
      app->db->read([&](db::Tx& t) { rows = jobs::list_jobs(t, *dead ? "dead" : *status, *limit); });
      if (*json) {
        for (const auto& j : rows) std::cout << api::job_json(j).dump() << "\n";
        return 0;
      }
      std::cout << "id\tstatus\tattempts\tphoto\tkey\tupdated\tresult/error\n";
      for (const auto& j : rows)
        std::cout << j.id << "\t" << to_string(j.status) << "\t" << j.attempts << "\t"
                  << (j.photo_id ? std::to_string(*j.photo_id) : "-") << "\t" << j.object_key << "\t"
                  << iso8601_utc(j.updated_at_ms / 1000) << "\t"
                  << (j.status == JobStatus::dead || j.status == JobStatus::queued ? j.last_error : j.result) << "\n";
      return 0;
    };
  });

  auto* retry = cmd->add_subcommand("retry", "Queue a dead-lettered job again");
  auto id = std::make_shared<std::int64_t>(0);
  retry->add_option("ID", *id, "job id (see jobs list --dead)")->required();
  retry->callback([&common, &action, id] {
    action = [&common, id] {
      if (*id <= 0) {
        std::cerr << "schoolyard jobs retry: ID must be a positive job id\n";
        return 2;
      }
      Config cfg = load_config(common);
      auto app = open_app(cfg, false);
      try {
        db::JobRow j;
        app->db->tx([&](db::Tx& t) { j = jobs::retry_job(t, *id); });
        std::cout << "job " << j.id << " queued again (" << j.object_key << ")\n";
        return 0;
      } catch (const AppError& e) {
        std::cerr << "schoolyard jobs retry: " << e.what() << "\n";
        return 1;
      }
    };
  });
}

}  // namespace sy::cli
