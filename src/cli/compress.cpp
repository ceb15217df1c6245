// `schoolyard compress`: the upload pipeline's compressor over local files, N at a time.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "core/config.h"
#include "imaging/compressor.h"
#include "jobs/sandbox.h"

namespace sy::cli {
namespace {

namespace fs = std::filesystem;
namespace isolated = jobs::sandbox;

// Files above this are refused unread: the compressor holds a whole input in memory.
constexpr std::uintmax_t kMaxInputBytes = 256ull << 20;

struct CompressOptions {
  std::string outdir;
  int max_edge = 0;
  int quality = 0;
  std::string format = "jpeg";
  int jobs = 0;
  bool sandbox = false;  // each file in a sandboxed child, as the upload workers do
  std::vector<std::string> files;
};

struct Outcome {
  bool done = false;
  std::string reason;  // empty when written
  std::uintmax_t in_bytes = 0;
  std::uintmax_t out_bytes = 0;
};

std::string human_bytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int u = 0;
  while (b >= 1024 && u < 3) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

bool read_file(const std::string& path, std::string& out, std::string& reason) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    reason = "unreadable";
    return false;
  }
  if (size > kMaxInputBytes) {
    reason = "too_large";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reason = "unreadable";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    reason = "unreadable";
    return false;
  }
  return true;
}

// Written under a temporary name and renamed, so OUTDIR never holds half a file.
bool write_atomically(const fs::path& target, const std::string& bytes, std::size_t index) {
  fs::path tmp = target.parent_path() /
                 ("." + target.filename().string() + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(index));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

class Progress {
 public:
  Progress(std::size_t total, bool tty) : total_(total), tty_(tty), start_(std::chrono::steady_clock::now()) {}

  // Called under the output lock.
  void update(std::size_t done, std::size_t rejected, const std::string& file, const Outcome& o) {
    if (!tty_) {
      if (o.reason.empty())
        std::cerr << "[" << done << "/" << total_ << "] " << file << ": "
                  << human_bytes(static_cast<double>(o.in_bytes)) << " -> "
                  << human_bytes(static_cast<double>(o.out_bytes)) << "\n";
      return;
    }
    constexpr int width = 30;
    int filled = total_ ? static_cast<int>(width * done / total_) : width;
    std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/"
              << total_;
    if (rejected) std::cerr << ", " << rejected << " rejected";
    std::cerr << ", " << rate(done) << " images/s" << std::flush;
  }
  void clear_line() {
    if (tty_) std::cerr << "\r\033[K" << std::flush;
  }
  void finish() { clear_line(); }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  std::string rate(std::size_t done) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", done / std::max(seconds(), 1e-9));
    return buf;
  }

 private:
  std::size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
};

int run_compress(const Common& common, const CompressOptions& o) {
  Config cfg = Config::load(common.config_path);
  imaging::Settings s;
  s.main_format = o.format == "webp"   ? imaging::Format::webp
                  : o.format == "avif" ? imaging::Format::avif
                                       : imaging::Format::jpeg;
  s.max_edge = o.max_edge ? o.max_edge : cfg.jpeg_max_edge;
  s.quality = o.quality ? o.quality : cfg.jpeg_quality;
  s.webp_quality = o.quality ? o.quality : cfg.webp_quality;
  if (o.quality) s.avif_quality = o.quality;
  s.max_pixels = cfg.max_pixels;
  s.timeout_ms = cfg.job_timeout_seconds * 1000;
  s.make_webp = false;
  s.make_thumb = false;

  fs::path outdir(o.outdir);
  std::error_code ec;
  fs::create_directories(outdir, ec);
  if (!fs::is_directory(outdir)) {
    std::cerr << "compress: cannot create output directory " << o.outdir << "\n";
    return 2;
  }
  std::vector<fs::path> targets;
  std::set<fs::path> seen;
  for (const auto& f : o.files) {
    fs::path t = outdir / (fs::path(f).stem().string() + "." + imaging::extension(s.main_format));
    if (!seen.insert(t).second) {
      std::cerr << "compress: two inputs would both be written to " << t.string() << "; rename one\n";
      return 2;
    }
    targets.push_back(t);
  }

  imaging::init();
  isolated::Limits lim = isolated::limits_from(cfg);
  int jobs = o.jobs ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::min<int>(jobs, static_cast<int>(o.files.size()));
  std::vector<Outcome> outcomes(o.files.size());
  // Biggest files first: with several jobs, the run then ends on small files rather than with
  // one job still busy on a big one while the others idle.
  std::vector<std::size_t> order(o.files.size());
  std::vector<std::uintmax_t> sizes(o.files.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    std::error_code size_ec;
    auto n = fs::file_size(o.files[i], size_ec);
    if (!size_ec) sizes[i] = n;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
  std::atomic<std::size_t> next{0};
  std::mutex out_mu;
  std::size_t done = 0, rejected = 0;
  Progress progress(o.files.size(), ::isatty(STDERR_FILENO) == 1);

  auto worker = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < o.files.size();) {
      const std::size_t i = order[k];
      Outcome out;
      std::string bytes;
      if (read_file(o.files[i], bytes, out.reason)) {
        out.in_bytes = bytes.size();
        imaging::Result r;
        try {
          r = o.sandbox ? isolated::compress(bytes, s, lim) : imaging::compress(bytes, s);
        } catch (const std::exception& e) {
          r.reason = "internal";
          r.detail = e.what();
        }
        if (!r.ok) {
          out.reason = r.reason;
        } else if (!write_atomically(targets[i], r.derivatives.front().bytes, i)) {
          out.reason = "unwritable";
        } else {
          out.out_bytes = r.derivatives.front().bytes.size();
        }
      }
      out.done = true;
      std::lock_guard lock(out_mu);
      outcomes[i] = out;
      ++done;
      if (!out.reason.empty()) {
        ++rejected;
        progress.clear_line();  // the bar and this line may share a terminal
        std::cout << o.files[i] << ": rejected: " << out.reason << std::endl;
      }
      progress.update(done, rejected, o.files[i], out);
    }
    imaging::release_thread();
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(jobs));
  for (int t = 0; t < jobs; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  progress.finish();

  std::map<std::string, int> by_reason;
  std::uintmax_t in_total = 0, out_total = 0;
  for (const auto& out : outcomes) {
    if (!out.reason.empty())
      ++by_reason[out.reason];
    else {
      in_total += out.in_bytes;
      out_total += out.out_bytes;
    }
  }
  std::ostringstream sum;
  sum << "compressed " << (o.files.size() - rejected) << " of " << o.files.size() << " files in "
      << static_cast<int>(progress.seconds() * 1000) << " ms (" << progress.rate(o.files.size()) << " images/s, "
      << jobs << " jobs)";
  sum << "; bytes in " << human_bytes(static_cast<double>(in_total)) << " -> out "
      << human_bytes(static_cast<double>(out_total));
  if (in_total) sum << " (" << (100 * out_total / in_total) << "%)";
  if (rejected) {
    sum << "; rejected " << rejected << ":";
    for (const auto& [reason, n] : by_reason) sum << " " << reason << " " << n;
  }
  std::cerr << sum.str() << "\n";
  return rejected ? 1 : 0;
}

}  // namespace

void add_compress(CLI::App& app, Common& common, Action& action) {
  auto o = std::make_shared<CompressOptions>();
  CLI::App* cmd = app.add_subcommand("compress", "Compress image files the way uploads are compressed");
  cmd->add_option("-o,--output", o->outdir, "Output directory (created if missing)")->required();
  cmd->add_option("--max-edge", o->max_edge, "Long edge in pixels (default: SCHOOLYARD_JPEG_MAX_EDGE, 1600)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--quality", o->quality, "Encoder quality 1-100")->check(CLI::Range(1, 100));
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"jpeg", "webp", "avif"}));
  cmd->add_option("--jobs", o->jobs, "Files compressed in parallel (default: cores)")->check(CLI::Range(1, 256));
  cmd->add_flag("--sandbox", o->sandbox,
                "Decode each file in a sandboxed child process, as the upload workers do (reasons then include "
                "decoder_crashed and decoder_out_of_memory)");
  cmd->add_option("files", o->files, "Image files")->required()->check(CLI::ExistingFile);
  cmd->callback([&action, &common, o] { action = [&common, o] { return run_compress(common, *o); }; });
}

}  // namespace sy::cli
