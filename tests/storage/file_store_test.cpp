// file:// store: the shared conformance suite plus what only a local directory can show.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "storage/file_store.h"
#include "storage/testing_conformance.h"

namespace sy::storage::testing {
namespace fs = std::filesystem;
namespace {

TempDir& conformance_dir() {
  static TempDir dir;
  return dir;
}

INSTANTIATE_TEST_SUITE_P(File, StoreConformance,
                         ::testing::Values(StoreFactory{"file",
                                                        [](std::string*) -> std::unique_ptr<ObjectStore> {
                                                          return std::make_unique<FileStore>(conformance_dir().path /
                                                                                             "objects");
                                                        }}),
                         factory_name);

std::vector<std::string> all_entries(const fs::path& root) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root)) out.push_back(e.path().lexically_relative(root).string());
  std::sort(out.begin(), out.end());
  return out;
}

void write_raw(const fs::path& p, const std::string& bytes, int flags) {
  int fd = ::open(p.c_str(), O_WRONLY | flags, 0640);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

TEST(FileStore, ObjectIsAPlainFileAtItsKeyWithNoTempFilesLeft) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("uploads/42", "hello", "image/jpeg");
  std::ifstream in(dir.path / "uploads/42", std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "hello");
  EXPECT_EQ(all_entries(dir.path),
            (std::vector<std::string>{".sy-meta", ".sy-meta/uploads", ".sy-meta/uploads/42", "uploads", "uploads/42"}));
  struct stat st {};
  ASSERT_EQ(::stat((dir.path / "uploads/42").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077 & ~0040, 0u) << "objects must not be world-readable";
}

TEST(FileStore, EtagIsTheQuotedSha256) {
  TempDir dir;
  FileStore store(dir.path);
  auto info = store.put("k", "abc", "text/plain");
  EXPECT_EQ(info.etag, "\"" + sy::sha256_hex("abc") + "\"");
  EXPECT_EQ(store.list("")[0].etag, info.etag);
}

TEST(FileStore, RelativeRootIsResolvedAndCreated) {
  TempDir dir;
  fs::path old = fs::current_path();
  fs::current_path(dir.path);
  auto store = open_store("file://data/objects");
  fs::current_path(old);
  store->put("a", "1", "text/plain");
  EXPECT_TRUE(fs::exists(dir.path / "data/objects/a"));
  EXPECT_EQ(store->bucket(), "local");
}

TEST(FileStore, ReadersSeeTheOldOrTheNewObjectNeverAMix) {
  TempDir dir;
  FileStore store(dir.path);
  const std::string a(300000, 'a'), b(100000, 'b');
  store.put("x", a, "text/plain");
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    while (!stop) {
      auto got = store.get("x");
      if (!got || (*got != a && *got != b)) ++torn;
      ++reads;
    }
  });
  for (int i = 0; i < 60; ++i) store.put("x", i % 2 ? a : b, "text/plain");
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

TEST(FileStore, StaleSidecarIsNoticedAndRepaired) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("k", "original", "image/jpeg");
  // Replace the data file behind the store's back (a new inode, as a restore by copying makes).
  fs::remove(dir.path / "k");
  write_raw(dir.path / "k", "replaced!", O_CREAT | O_EXCL);
  auto h = store.head("k");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sha256, sy::sha256_hex("replaced!"));
  EXPECT_EQ(h->size, 9);
  EXPECT_EQ(h->content_type, "image/jpeg");
  EXPECT_EQ(store.get("k").value_or(""), "replaced!");
  EXPECT_EQ(store.list("")[0].sha256, sy::sha256_hex("replaced!")) << "head() rewrote the sidecar";
}

TEST(FileStore, MissingSidecarIsRecomputed) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("k", "data", "image/jpeg");
  fs::remove(dir.path / ".sy-meta/k");
  EXPECT_EQ(store.head("k")->sha256, sy::sha256_hex("data"));
  EXPECT_EQ(store.get("k").value_or(""), "data");
}

TEST(FileStore, CorruptionInPlaceIsDetectedOnGet) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("k", "good data", "text/plain");
  write_raw(dir.path / "k", "evil", 0);  // same inode, same size, different bytes
  try {
    store.get("k");
    FAIL() << "corruption not detected";
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos);
  }
}

TEST(FileStore, ListSkipsForeignFilesAndDirectories) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("uploads/1", "1", "text/plain");
  write_raw(dir.path / "uploads/.tmp-leftover", "x", O_CREAT);
  write_raw(dir.path / "uploads/UPPER", "x", O_CREAT);
  fs::create_directories(dir.path / "uploads/emptydir");
  fs::create_symlink("/etc/passwd", dir.path / "uploads/link");
  auto list = store.list("uploads/");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].key, "uploads/1");
  EXPECT_EQ(list[0].sha256, sy::sha256_hex("1"));
  EXPECT_FALSE(store.get("uploads/link").has_value()) << "symlinks are never followed";
}

TEST(FileStore, RejectedKeysNeverTouchTheDisk) {
  TempDir dir;
  FileStore store(dir.path / "root");
  for (std::string bad : {"../outside", "a/../../outside", "/tmp/abs", ".sy-meta/x", "a/.tmp-1"}) {
    EXPECT_THROW(store.put(bad, "x", "text/plain"), StorageError);
    EXPECT_THROW(store.remove(bad), StorageError);
  }
  EXPECT_TRUE(all_entries(dir.path / "root").empty());
  EXPECT_EQ(all_entries(dir.path), (std::vector<std::string>{"root"}));
}

TEST(FileStore, KeyUnderAnExistingObjectIsAPermanentError) {
  TempDir dir;
  FileStore store(dir.path);
  store.put("a", "file", "text/plain");
  try {
    store.put("a/b", "x", "text/plain");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
  }
  EXPECT_FALSE(store.head("a/b").has_value());
}

TEST(FileStore, PingFailsWhenTheRootIsGone) {
  TempDir dir;
  FileStore store(dir.path / "objects");
  EXPECT_TRUE(store.ping());
  fs::remove_all(dir.path / "objects");
  EXPECT_FALSE(store.ping());
}

TEST(FileStore, UnwritableRootFailsPermanently) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  FileStore store(dir.path / "objects");
  fs::permissions(dir.path / "objects", fs::perms::owner_read | fs::perms::owner_exec);
  try {
    store.put("k", "x", "text/plain");
    ADD_FAILURE();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
  }
  EXPECT_FALSE(store.ping());
  fs::permissions(dir.path / "objects", fs::perms::owner_all);
}

}  // namespace
}  // namespace sy::storage::testing
