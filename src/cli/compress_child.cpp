// `schoolyard compress-child` (hidden): the sandboxed decoder the workers spawn for each upload
// (jobs/sandbox.h). Not for people: it reads a framed request on stdin and answers on stdout.
#include "cli/commands.h"
#include "jobs/sandbox.h"

namespace sy::cli {

void add_compress_child(CLI::App& app, Common&, Action& action) {
  auto* cmd = app.add_subcommand("compress-child", "");
  cmd->group("");  // hidden from --help
  auto a = std::make_shared<jobs::sandbox::ChildArgs>();
  auto netns = std::make_shared<int>(1);
  cmd->add_option("--memory-bytes", a->memory_bytes);
  cmd->add_option("--cpu-seconds", a->cpu_seconds);
  cmd->add_flag("--zygote", a->zygote);
  cmd->add_option("--max-files", a->max_files)->check(CLI::Range(8, 1024));
  cmd->add_option("--netns", *netns)->check(CLI::Range(0, 1));
  cmd->callback([&action, a, netns] {
    action = [a, netns] {
      a->network_namespace = *netns == 1;
      return jobs::sandbox::child_main(*a);
    };
  });
}

}  // namespace sy::cli
