// `schoolyard backup`, `schoolyard backup list`, `schoolyard restore <backup-id>` (services/backup.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "core/clock.h"
#include "services/backup.h"
#include "storage/object_store.h"

namespace sy::cli {

namespace {

// A bar redrawn in place on a terminal; otherwise one plain line per finished stage (logs, CI).
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressPrinter() {
    if (tty_ && !stage_.empty()) std::fputc('\n', stderr);
  }

  void operator()(const std::string& stage, std::int64_t done, std::int64_t total) {
    auto now = std::chrono::steady_clock::now();
    bool new_stage = stage != stage_;
    if (new_stage) {
      if (tty_ && !stage_.empty()) std::fputc('\n', stderr);
      stage_ = stage;
      if (!tty_) std::fprintf(stderr, "%s...\n", stage.c_str());
    }
    bool finished = total > 0 && done >= total;
    if (!tty_) {
      if (finished && total > 1)
        std::fprintf(stderr, "%s: %lld/%lld\n", stage.c_str(), (long long)done, (long long)total);
      return;
    }
    if (!new_stage && !finished && now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    const int width = 30;
    int filled = total > 0 ? static_cast<int>(width * std::min(done, total) / total) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    if (total > 0)
      std::fprintf(stderr, "\r%-26s [%s] %3lld%% %lld/%lld\033[K", stage.c_str(), bar.c_str(),
                   (long long)(100 * std::min(done, total) / total), (long long)done, (long long)total);
    else
      std::fprintf(stderr, "\r%-26s [%s]\033[K", stage.c_str(), bar.c_str());
    std::fflush(stderr);
  }

 private:
  bool tty_;
  std::string stage_;
  std::chrono::steady_clock::time_point drawn_{};
};

std::string human_bytes(std::int64_t n) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

// Backups neither migrate nor start workers: the database is read (or written) as it is.
std::unique_ptr<services::App> open_for_backup(const Common& common) {
  Config cfg = load_config(common);
  return open_app(cfg, false);
}

// One clear line and exit 1 for anything that goes wrong after the arguments parsed.
template <class F>
int guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const ConfigError&) {
    throw;  // exit 2 (cli.cpp)
  } catch (const services::BackupError& e) {
    std::cerr << what << " refused: " << e.what() << "\n";
    return 1;
  } catch (const storage::StorageError& e) {
    std::cerr << what << " failed: object store: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << what << " failed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_backup(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("backup", "Back up the database and every object to backups/ in the object store");
  cmd->require_subcommand(0, 1);
  auto* list = cmd->add_subcommand("list", "List backups, newest first");
  cmd->callback([&common, &action, list] {
    if (list->parsed()) {
      action = [&common] {
        return guarded("backup list", [&] {
          auto app = open_for_backup(common);
          auto all = services::list_backups(*app);
          std::cout << "id\tcreated\tsize\tobjects\tdialect\n";
          for (auto& b : all) {
            if (b.partial)
              std::cout << b.id << "\t" << iso8601_utc(b.created_at) << "\t-\t-\tpartial (no manifest)\n";
            else
              std::cout << b.id << "\t" << iso8601_utc(b.created_at) << "\t"
                        << human_bytes(b.dump_bytes + b.object_bytes) << "\t" << b.objects << "\t" << b.dialect << "\n";
          }
          return 0;
        });
      };
      return;
    }
    action = [&common] {
      return guarded("backup", [&] {
        auto app = open_for_backup(common);
        ProgressPrinter progress;
        auto s = services::create_backup(*app, std::ref(progress));
        std::cerr << "backup " << s.id << ": " << s.rows << " rows, " << s.objects << " objects (" << s.new_objects
                  << " new), " << human_bytes(s.dump_bytes + s.object_bytes) << "\n";
        std::cout << s.id << "\n";  // alone on stdout, for scripts: id=$(schoolyard backup)
        return 0;
      });
    };
  });
}

void add_restore(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("restore", "Verify a backup, then restore its database and objects");
  auto id = std::make_shared<std::string>();
  auto opts = std::make_shared<services::RestoreOptions>();
  cmd->add_option("BACKUP_ID", *id, "as `schoolyard backup list` shows")->required();
  cmd->add_flag("--replace", opts->replace, "overwrite a database / object store that already holds data");
  cmd->add_flag("--allow-foreign", opts->allow_foreign, "accept a backup made by another installation");
  cmd->callback([&common, &action, id, opts] {
    action = [&common, id, opts] {
      return guarded("restore", [&] {
        auto app = open_for_backup(common);
        ProgressPrinter progress;
        auto s = services::restore_backup(*app, *id, *opts, std::ref(progress));
        std::cerr << "restored " << s.id << ": " << s.rows << " rows, " << s.objects << " objects\n";
        return 0;
      });
    };
  });
}

}  // namespace sy::cli
