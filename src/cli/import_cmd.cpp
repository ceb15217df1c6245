// `schoolyard import KIND FILE [--dry-run]`: the same import as the web page, from a terminal.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "api/school_core_api.h"
#include "cli/commands.h"
#include "cli/open_app.h"
#include "core/error.h"
#include "services/school_import.h"

namespace sy::cli {

namespace {

// A one-line bar redrawn in place: only on a terminal, so logs and pipes get the report alone.
class ProgressBar {
 public:
  explicit ProgressBar(bool on) : on_(on) {}
  void operator()(std::size_t done, std::size_t total) {
    if (!on_ || total == 0) return;
    if (done < last_) ++pass_;  // the write pass starts again from the first row
    last_ = done;
    const int width = 30;
    int filled = static_cast<int>(width * done / total);
    std::printf("\r%-9s [%s%s] %zu/%zu", pass_ == 0 ? "checking" : "importing", std::string(filled, '#').c_str(),
                std::string(width - filled, ' ').c_str(), done, total);
    std::fflush(stdout);
  }
  void clear() {
    if (on_ && last_ > 0) std::printf("\r\033[K");
    std::fflush(stdout);
  }

 private:
  bool on_;
  std::size_t last_ = 0;
  int pass_ = 0;
};

bool read_file(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string kinds_list() {
  std::string out;
  for (const auto& i : services::importers()) out += (out.empty() ? "" : ", ") + i.kind;
  return out;
}

void print_report(const services::ImportReport& r) {
  for (const auto& row : r.rows)
    std::cout << "line " << row.line << "\t" << row.outcome << "\t" << row.key
              << (row.message.empty() ? "" : "\t" + row.message) << "\n";
  std::cout << r.created << " created, " << r.updated << " updated, " << r.unchanged << " unchanged, " << r.errors
            << " with errors";
  if (r.errors)
    std::cout << ": nothing was imported";
  else if (r.dry_run)
    std::cout << " (dry run: nothing was written)";
  else
    std::cout << " (imported)";
  std::cout << "\n";
  for (const auto& a : r.accounts)
    std::cout << "new " << to_string(a.role) << " " << a.username << " password: " << a.password << "\n";
}

}  // namespace

void add_import(CLI::App& app, Common& common, Action& action) {
  auto* cmd = app.add_subcommand("import", "Import a CSV file (dry run with --dry-run); all or nothing");
  auto kind = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto dry = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("KIND", *kind, "students, staff, classes, enrolments, subjects (and any added kinds)")->required();
  cmd->add_option("FILE", *file, "the CSV file ('-' for standard input)")->required();
  cmd->add_flag("--dry-run", *dry, "check every row and report; write nothing");
  cmd->add_flag("--json", *as_json, "print the report as JSON");
  cmd->callback([&common, &action, kind, file, dry, as_json] {
    action = [&common, kind, file, dry, as_json] {
      std::string csv;
      if (!read_file(*file, csv)) {
        std::cerr << "error: cannot read " << *file << "\n";
        return 2;
      }
      auto app = open_app(load_config(common), true);
      try {
        services::importer_for(*kind);
      } catch (const AppError&) {
        std::cerr << "error: unknown import kind '" << *kind << "' (kinds: " << kinds_list() << ")\n";
        return 2;
      }
      if (csv.size() > services::kImportMaxBytes) {
        std::cerr << "error: " << *file << " is larger than " << services::kImportMaxBytes / (1024 * 1024)
                  << " MiB; split it\n";
        return 1;
      }
      ProgressBar bar(!*as_json && isatty(STDOUT_FILENO) == 1);
      try {
        auto report = services::run_import(*app, services::Actor::system("cli"), *kind, csv, *dry,
                                           [&bar](std::size_t d, std::size_t t) { bar(d, t); });
        bar.clear();
        if (*as_json)
          std::cout << api::import_report_json(report).dump(2) << "\n";
        else
          print_report(report);
        return report.errors ? 1 : 0;
      } catch (const AppError& e) {
        bar.clear();
        std::cerr << "error: " << e.what() << "\n";
        return 1;
      }
    };
  });
}

}  // namespace sy::cli
