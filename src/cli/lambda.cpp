// `schoolyard lambda`: the AWS Lambda custom runtime loop (deploy the binary as `bootstrap`, see
// docs/deploy-lambda.md). Configuration comes from the same SCHOOLYARD_* environment variables.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "jobs/lambda_runtime.h"
#include "jobs/worker_pool.h"

namespace sy::cli {

void add_lambda(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("lambda", "AWS Lambda custom runtime: handle S3 ObjectCreated events for uploads/");
  cmd->callback([&common, &action] {
    action = [&common] {
      const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
      if (!api || !*api) {
        std::cerr << "schoolyard lambda: AWS_LAMBDA_RUNTIME_API is not set (this runs inside AWS Lambda)\n";
        return 2;
      }
      jobs::RuntimeClient client(api);
      std::unique_ptr<services::App> app;
      std::unique_ptr<jobs::Processor> processor;
      try {
        Config cfg = load_config(common);
        app = open_app(cfg, cfg.auto_migrate);
        imaging::init();
        const char* stream = std::getenv("AWS_LAMBDA_LOG_STREAM_NAME");
        processor =
            std::make_unique<jobs::Processor>(*app->db, *app->store, jobs::options_from(cfg),
                                              "lambda:" + (stream ? std::string(stream) : jobs::worker_identity()));
      } catch (const std::exception& e) {
        spdlog::error("lambda: initialisation failed: {}", e.what());
        client.init_error("Runtime.InitError", e.what());
        return 1;
      }
      try {
        jobs::run_lambda(*processor, client);
      } catch (const jobs::RuntimeApiError& e) {
        // Lambda restarts the runtime; nothing here outlives the process.
        spdlog::error("lambda: runtime API: {}", e.what());
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace sy::cli
