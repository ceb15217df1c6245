#include "storage/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/random.h"
#include "storage/digest.h"

namespace sy::storage {
namespace fs = std::filesystem;
namespace {

const char* kMetaDir = ".sy-meta";
const char* kDefaultType = "application/octet-stream";

// Errors a retry cannot fix are permanent; a full disk or an I/O error may clear up.
[[noreturn]] void fail_errno(const std::string& what, const fs::path& p, int err) {
  bool permanent = err == EACCES || err == EPERM || err == ENOTDIR || err == EISDIR || err == EROFS ||
                   err == ENAMETOOLONG || err == ELOOP || err == EEXIST;
  throw StorageError("file store: " + what + " " + p.string() + ": " + std::strerror(err), permanent);
}

void check_key(const std::string& key) {
  if (!valid_key(key)) throw StorageError("file store: invalid object key", true);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

void fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail_errno("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) fail_errno("fsync directory", dir, errno);
}

// mkdir -p below the root, fsyncing each parent whose entries changed.
void ensure_dir(const fs::path& root, const fs::path& dir) {
  fs::path cur = root;
  for (const auto& part : dir.lexically_relative(root)) {
    if (part == ".") continue;
    fs::path next = cur / part;
    if (::mkdir(next.c_str(), 0750) == 0) {
      fsync_dir(cur);
    } else if (errno != EEXIST) {
      fail_errno("create directory", next, errno);
    } else {
      struct stat st {};
      if (::lstat(next.c_str(), &st) != 0) fail_errno("stat", next, errno);
      if (!S_ISDIR(st.st_mode)) fail_errno("create directory", next, ENOTDIR);
    }
    cur = next;
  }
}

void write_all(int fd, const char* data, std::size_t n, const fs::path& p) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_errno("write", p, errno);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Writes a new file next to `dest` (same directory, so rename is atomic) and fsyncs it.
// Returns the temp path and the inode it got.
std::pair<fs::path, ino_t> write_temp(const fs::path& dest, std::string_view bytes) {
  fs::path tmp = dest.parent_path() / (".tmp-" + random_token(12));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
  if (fd.get() < 0) fail_errno("create", tmp, errno);
  try {
    write_all(fd.get(), bytes.data(), bytes.size(), tmp);
    if (::fsync(fd.get()) != 0) fail_errno("fsync", tmp, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail_errno("stat", tmp, errno);
    if (::close(fd.release()) != 0) fail_errno("close", tmp, errno);
    return {tmp, st.st_ino};
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void rename_into_place(const fs::path& tmp, const fs::path& dest) {
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_errno("rename onto", dest, err);
  }
}

struct Meta {
  std::string sha256;
  std::string content_type;
  std::int64_t size = -1;
  std::uint64_t ino = 0;
};

std::string encode_meta(const Meta& m) {
  nlohmann::json j = {
      {"v", 1}, {"sha256", m.sha256}, {"size", m.size}, {"ino", m.ino}, {"content_type", m.content_type}};
  return j.dump() + "\n";
}

// A missing or unreadable sidecar is not an error: the caller falls back to hashing the data.
std::optional<Meta> read_meta(const fs::path& p) {
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return std::nullopt;
  char buf[1024];
  ssize_t n;
  do n = ::read(fd.get(), buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n <= 0 || n == static_cast<ssize_t>(sizeof buf)) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(std::string_view(buf, static_cast<std::size_t>(n)));
    Meta m;
    m.sha256 = j.at("sha256").get<std::string>();
    m.content_type = j.at("content_type").get<std::string>();
    m.size = j.at("size").get<std::int64_t>();
    m.ino = j.at("ino").get<std::uint64_t>();
    if (!is_sha256_hex(m.sha256) || !valid_content_type(m.content_type)) return std::nullopt;
    return m;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

bool meta_matches(const std::optional<Meta>& m, const struct stat& st) {
  return m && m->ino == static_cast<std::uint64_t>(st.st_ino) && m->size == static_cast<std::int64_t>(st.st_size);
}

std::string read_fd(int fd, std::int64_t size_hint, const fs::path& p) {
  std::string out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(size_hint, 0)));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("read", p, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string etag_of(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

bool valid_content_type(const std::string& ct) {
  if (ct.empty() || ct.size() > 255) return false;
  return std::all_of(ct.begin(), ct.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

FileStore::FileStore(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {
  if (root_.has_filename() == false && root_.has_parent_path()) root_ = root_.parent_path();
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw StorageError("file store: cannot create " + root_.string() + ": " + ec.message(), true);
  ::chmod(root_.c_str(), 0750);
}

fs::path FileStore::data_path(const std::string& key) const { return root_ / key; }
fs::path FileStore::meta_path(const std::string& key) const { return root_ / kMetaDir / key; }

ObjectInfo FileStore::put(const std::string& key, const std::string& bytes, const std::string& content_type) {
  check_key(key);
  std::string ct = content_type.empty() ? kDefaultType : content_type;
  if (!valid_content_type(ct)) throw StorageError("file store: invalid content type", true);
  fs::path data = data_path(key), meta = meta_path(key);
  ensure_dir(root_, data.parent_path());
  ensure_dir(root_, meta.parent_path());

  Meta m;
  m.sha256 = sha256_hex(bytes);
  m.content_type = ct;
  m.size = static_cast<std::int64_t>(bytes.size());
  auto [data_tmp, ino] = write_temp(data, bytes);
  m.ino = static_cast<std::uint64_t>(ino);
  try {
    // Sidecar first: until the data rename lands, its inode names the temp file, so readers
    // of the old data see a mismatch and ignore it.
    auto [meta_tmp, meta_ino] = write_temp(meta, encode_meta(m));
    rename_into_place(meta_tmp, meta);
  } catch (...) {
    ::unlink(data_tmp.c_str());
    throw;
  }
  rename_into_place(data_tmp, data);
  fsync_dir(meta.parent_path());
  fsync_dir(data.parent_path());
  return ObjectInfo{key, m.size, etag_of(m.sha256), m.sha256, ct};
}

std::optional<std::string> FileStore::get(const std::string& key) {
  check_key(key);
  fs::path data = data_path(key);
  Fd fd(::open(data.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    // ELOOP: a symlink, which the store never creates and never follows.
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return std::nullopt;
    fail_errno("open", data, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_errno("stat", data, errno);
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  std::string bytes = read_fd(fd.get(), st.st_size, data);
  // Files are replaced by rename, never rewritten, so the open inode's sidecar describes exactly
  // these bytes; a mismatch means the disk content changed behind our back.
  auto m = read_meta(meta_path(key));
  if (meta_matches(m, st) && sha256_hex(bytes) != m->sha256)
    throw StorageError("file store: checksum mismatch for " + data.string(), true);
  return bytes;
}

std::optional<ObjectInfo> FileStore::head(const std::string& key) {
  check_key(key);
  fs::path data = data_path(key);
  struct stat st {};
  if (::lstat(data.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail_errno("stat", data, errno);
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  auto m = read_meta(meta_path(key));
  if (!meta_matches(m, st)) {
    // Stale or missing sidecar: hash the data and rewrite the sidecar for next time.
    Fd fd(::open(data.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
      if (errno == ENOENT || errno == ELOOP) return std::nullopt;
      fail_errno("open", data, errno);
    }
    if (::fstat(fd.get(), &st) != 0) fail_errno("stat", data, errno);
    std::string bytes = read_fd(fd.get(), st.st_size, data);
    Meta fresh;
    fresh.sha256 = sha256_hex(bytes);
    fresh.content_type = m ? m->content_type : kDefaultType;
    fresh.size = static_cast<std::int64_t>(bytes.size());
    fresh.ino = static_cast<std::uint64_t>(st.st_ino);
    try {
      fs::path meta = meta_path(key);
      ensure_dir(root_, meta.parent_path());
      auto [tmp, tmp_ino] = write_temp(meta, encode_meta(fresh));
      rename_into_place(tmp, meta);
    } catch (const StorageError&) {
      // Repair is best effort (read-only disk, say); the answer is still right.
    }
    m = fresh;
  }
  return ObjectInfo{key, m->size, etag_of(m->sha256), m->sha256, m->content_type};
}

void FileStore::remove(const std::string& key) {
  check_key(key);
  for (const fs::path& p : {data_path(key), meta_path(key)}) {
    if (::unlink(p.c_str()) == 0)
      fsync_dir(p.parent_path());
    else if (errno != ENOENT && errno != ENOTDIR)
      fail_errno("delete", p, errno);
  }
}

std::vector<ObjectInfo> FileStore::list(const std::string& prefix) {
  if (!valid_prefix(prefix)) throw StorageError("file store: invalid list prefix", true);
  std::vector<ObjectInfo> out;
  // Walk only the directory the prefix names, pruning subtrees that cannot match.
  std::string start_key = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/') + 1);
  std::vector<std::string> pending{start_key};
  while (!pending.empty()) {
    std::string dir_key = std::move(pending.back());
    pending.pop_back();
    fs::path dir = root_ / dir_key;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      fail_errno("list", dir, errno);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    }
    ::closedir(d);
    for (const auto& name : names) {
      std::string key = dir_key + name;
      struct stat st {};
      if (::lstat((dir / name).c_str(), &st) != 0) continue;  // deleted meanwhile
      if (S_ISDIR(st.st_mode)) {
        std::string sub = key + "/";
        if (sub.starts_with(prefix) || prefix.starts_with(sub)) pending.push_back(sub);
      } else if (S_ISREG(st.st_mode) && key.starts_with(prefix) && valid_key(key)) {
        ObjectInfo info{key, static_cast<std::int64_t>(st.st_size), "", "", ""};
        auto m = read_meta(meta_path(key));
        if (meta_matches(m, st)) {
          info.etag = etag_of(m->sha256);
          info.sha256 = m->sha256;
          info.content_type = m->content_type;
        }
        out.push_back(std::move(info));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

bool FileStore::ping() {
  struct stat st {};
  return ::stat(root_.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && ::access(root_.c_str(), R_OK | W_OK | X_OK) == 0;
}

}  // namespace sy::storage
