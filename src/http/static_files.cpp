#include "http/static_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "core/error.h"
#include "core/random.h"
#include "core/text.h"

namespace sy::http {
namespace {

namespace fs = std::filesystem;
constexpr std::uintmax_t kMaxFileBytes = 64ull * 1024 * 1024;

struct Asset {
  std::string body;
  std::string etag;
  std::string_view type;
};

std::string make_etag(const std::string& body) { return "\"" + sha256_hex(body).substr(0, 32) + "\""; }

// A relative asset path made only of safe segments.
bool safe_relative(const std::string& p) {
  if (p.empty() || p.size() > 512) return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    auto slash = p.find('/', start);
    auto seg = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg.front() == '.') return false;  // also "." and ".."
    for (unsigned char c : seg)
      if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '+')) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

bool etag_matches(const std::string& header, const std::string& etag) {
  // If-None-Match: "a", W/"b" or * — weak comparison, as RFC 9110 asks for this header.
  std::string_view rest = header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

namespace {

Response serve(const Request& req, const Asset& a, int max_age) {
  Response r;
  if (auto inm = req.header("if-none-match"); inm && etag_matches(*inm, a.etag)) {
    r.status = 304;
  } else {
    r.status = 200;
    r.body = a.body;
    r.set_header("Content-Type", std::string(a.type));
  }
  r.set_header("ETag", a.etag);
  r.set_header("Cache-Control", "public, max-age=" + std::to_string(max_age));
  return r;
}

std::string route_pattern(std::string prefix) {
  if (prefix.empty() || prefix.front() != '/') throw std::invalid_argument("static URL prefix must start with '/'");
  if (prefix.back() != '/') prefix += '/';
  return prefix + "{path*}";
}

class DiskAssets {
 public:
  explicit DiskAssets(const std::string& dir) {
    std::error_code ec;
    root_ = fs::canonical(dir, ec);
    if (ec || !fs::is_directory(root_)) throw std::invalid_argument("static directory not found: " + dir);
  }

  std::shared_ptr<const Asset> get(const std::string& rel) {
    if (!safe_relative(rel)) return nullptr;
    std::error_code ec;
    fs::path p = fs::canonical(root_ / rel, ec);  // resolves symlinks
    if (ec) return nullptr;
    auto [r, _] = std::mismatch(root_.begin(), root_.end(), p.begin(), p.end());
    if (r != root_.end() || !fs::is_regular_file(p, ec)) return nullptr;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) return nullptr;
    {
      std::lock_guard lock(mu_);
      auto it = cache_.find(p.string());
      if (it != cache_.end() && it->second.size == st.st_size && it->second.mtime == st.st_mtim.tv_sec &&
          it->second.mtime_ns == st.st_mtim.tv_nsec)
        return it->second.asset;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) return nullptr;
    auto a = std::make_shared<Asset>();
    a->body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    a->etag = make_etag(a->body);
    a->type = mime_type(p.filename().string());
    std::lock_guard lock(mu_);
    cache_[p.string()] = {st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, a};
    return a;
  }

 private:
  struct Entry {
    off_t size;
    time_t mtime;
    long mtime_ns;
    std::shared_ptr<const Asset> asset;
  };
  fs::path root_;
  std::mutex mu_;
  std::map<std::string, Entry> cache_;
};

}  // namespace

std::string_view mime_type(std::string_view name) {
  auto dot = name.rfind('.');
  std::string ext = text::to_lower(dot == std::string_view::npos ? "" : name.substr(dot + 1));
  static const std::map<std::string, std::string_view> types = {
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"html", "text/html; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"webmanifest", "application/manifest+json"},
  };
  auto it = types.find(ext);
  return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

void mount_static(Router& router, const std::string& dir, std::string url_prefix, int max_age) {
  auto assets = std::make_shared<DiskAssets>(dir);
  router.get(route_pattern(std::move(url_prefix)), [assets, max_age](Request& req) {
    auto a = assets->get(req.params.at("path"));
    if (!a) not_found();
    return serve(req, *a, max_age);
  });
}

void mount_static_files(Router& router, const std::map<std::string, std::string>& files, std::string url_prefix,
                        int max_age) {
  auto assets = std::make_shared<std::map<std::string, Asset>>();
  for (const auto& [name, body] : files) {
    if (!safe_relative(name)) continue;  // never reachable by URL anyway
    (*assets)[name] = Asset{body, make_etag(body), mime_type(name)};
  }
  router.get(route_pattern(std::move(url_prefix)), [assets, max_age](Request& req) {
    auto it = assets->find(req.params.at("path"));
    if (it == assets->end()) not_found();
    return serve(req, it->second, max_age);
  });
}

}  // namespace sy::http
