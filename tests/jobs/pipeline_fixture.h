#pragma once
// Shared by the jobs and api tests: an App on a fresh database (SQLite or MariaDB) and a file or
// S3 store, users, uploads, and images made at run time (a PNG encoder with stored deflate
// blocks: no image library needed to build test input).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "core/config.h"
#include "db/accounts_repo.h"
#include "db/jobs_repo.h"
#include "db/photos_repo.h"
#include "jobs/processor.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/photos.h"
#include "storage/object_store.h"
#include "support/school_scene.h"
#include "support/testenv.h"

namespace sy::test {

inline std::uint32_t crc32(const std::string& s) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

inline void put_be32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xFF));
}

inline std::string png_chunk(const std::string& type, const std::string& data) {
  std::string out;
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string body = type + data;
  out += body;
  put_be32(out, crc32(body));
  return out;
}

inline std::string png_header(std::uint32_t w, std::uint32_t h) {
  std::string ihdr;
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  return std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr);
}

// An RGB PNG with photo-like noise over a gradient (seed varies the content).
inline std::string make_png(int w, int h, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string raw;
  raw.reserve(static_cast<std::size_t>(h) * (1 + 3 * w));
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);  // filter: none
    for (int x = 0; x < w; ++x) {
      int n = static_cast<int>(rng() % 48);
      raw.push_back(static_cast<char>((x * 255 / w + n) & 0xFF));
      raw.push_back(static_cast<char>((y * 255 / h + n) & 0xFF));
      raw.push_back(static_cast<char>((128 + n + static_cast<int>(seed) * 40) & 0xFF));
    }
  }
  // zlib stream of stored blocks, with its Adler-32.
  std::string z("\x78\x01", 2);
  std::uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  for (std::size_t i = 0; i < raw.size(); i += 65535) {
    std::size_t n = std::min<std::size_t>(65535, raw.size() - i);
    z.push_back(i + n == raw.size() ? 1 : 0);
    z.push_back(static_cast<char>(n & 0xFF));
    z.push_back(static_cast<char>(n >> 8));
    z.push_back(static_cast<char>(~n & 0xFF));
    z.push_back(static_cast<char>((~n >> 8) & 0xFF));
    z.append(raw, i, n);
  }
  put_be32(z, (b << 16) | a);
  return png_header(w, h) + png_chunk("IDAT", z) + png_chunk("IEND", "");
}

// Sniffs as PNG with a sane header, but the image data is garbage: only decoding finds out.
inline std::string corrupt_png(int w, int h) {
  std::string junk(4000, '\0');
  std::mt19937 rng(7);
  for (auto& c : junk) c = static_cast<char>(rng());
  return png_header(w, h) + png_chunk("IDAT", junk) + png_chunk("IEND", "");
}

// Wraps a store; while `down` is set every call fails like an unreachable server.
class FlakyStore : public storage::ObjectStore {
 public:
  explicit FlakyStore(std::unique_ptr<storage::ObjectStore> inner) : inner_(std::move(inner)) {}
  std::atomic<bool> down{false};
  std::atomic<int> failures{0};
  storage::ObjectInfo put(const std::string& k, const std::string& b, const std::string& ct) override {
    check("PUT " + k);
    return inner_->put(k, b, ct);
  }
  std::optional<std::string> get(const std::string& k) override {
    check("GET " + k);
    return inner_->get(k);
  }
  std::optional<storage::ObjectInfo> head(const std::string& k) override {
    check("HEAD " + k);
    return inner_->head(k);
  }
  void remove(const std::string& k) override {
    check("DELETE " + k);
    inner_->remove(k);
  }
  std::vector<storage::ObjectInfo> list(const std::string& p) override {
    check("LIST " + p);
    return inner_->list(p);
  }
  std::string bucket() const override { return inner_->bucket(); }
  bool ping() override { return !down && inner_->ping(); }
  storage::ObjectStore& inner() { return *inner_; }

 private:
  void check(const std::string& what) {
    if (down) {
      ++failures;
      throw storage::StorageError(what + ": connection refused (test outage)");
    }
  }
  std::unique_ptr<storage::ObjectStore> inner_;
};

class PipelineFixture : public ::testing::Test {
 protected:
  std::unique_ptr<services::App> app;
  std::string db_url, store_url, store_dir;

  // storage_url "" = a file store in a temp dir.
  void open_app(const std::string& storage_url = "") {
    Config c;
    c.data_dir = temp_dir("pipeline");
    db_url = fresh_db_url();
    store_dir = c.data_dir + "/objects";
    store_url = storage_url.empty() ? "file://" + store_dir : storage_url;
    c.db_url = db_url;
    c.storage_url = store_url;
    c.db_pool_size = 12;
    c.job_lease_seconds = 5;
    c.job_max_attempts = 3;
    c.jpeg_max_edge = 640;
    c.thumb_max_edge = 160;
    c.max_upload_bytes = 8 * 1024 * 1024;
    c.max_pixels = 40000000;
    app = services::App::open(c, true);
  }

  void SetUp() override { open_app(); }

  // Photo ids restart at 1 in every fresh database; a shared S3 bucket needs them apart.
  void spread_photo_ids() {
    std::int64_t base = 1000000 + (static_cast<std::int64_t>(getpid()) % 50000) * 1000 + (counter()++ % 1000) * 10;
    app->db->with_session([&](db::Tx& t) {
      if (t.dialect() == db::Dialect::mysql)
        t.exec("ALTER TABLE photos AUTO_INCREMENT = " + std::to_string(base));
      else
        t.exec("INSERT INTO sqlite_sequence (name, seq) VALUES ('photos', " + std::to_string(base) + ")");
    });
  }
  static std::atomic<int>& counter() {
    static std::atomic<int> n{std::random_device{}() % 1000};
    return n;
  }

  jobs::Options fast_options(int max_attempts = 3) {
    jobs::Options o = jobs::options_from(app->config);
    o.max_attempts = max_attempts;
    o.backoff_base_ms = 20;
    o.backoff_max_ms = 100;
    return o;
  }

  std::int64_t add_user(const std::string& username, Role role) { return insert_user(*app->db, username, role); }

  services::Actor actor(std::int64_t id, Role role) {
    return services::Actor{id, "user" + std::to_string(id), role, "127.0.0.1", "test"};
  }

  std::int64_t upload(std::int64_t student, const std::string& bytes, const std::string& quote = "") {
    return services::upload_photo(*app, actor(student, Role::student), bytes, quote).photo_id;
  }

  db::PhotoRow photo(std::int64_t id) {
    auto p = app->db->read_result<std::optional<db::PhotoRow>>([&](db::Tx& t) { return db::photos::by_id(t, id); });
    if (!p) throw std::runtime_error("no photo " + std::to_string(id));
    return *p;
  }
  std::vector<db::PhotoVariantRow> variants(std::int64_t id) {
    return app->db->read_result<std::vector<db::PhotoVariantRow>>(
        [&](db::Tx& t) { return db::photos::variants(t, id); });
  }
  db::JobRow job_of(std::int64_t photo_id) {
    auto j = app->db->read_result<std::optional<db::JobRow>>(
        [&](db::Tx& t) { return db::jobs::latest_for_photo(t, photo_id); });
    if (!j) throw std::runtime_error("no job for photo " + std::to_string(photo_id));
    return *j;
  }

  // Runs jobs until none is visible; returns how many ran.
  int drain(jobs::Processor& p, int max = 100) {
    int n = 0;
    while (n < max) {
      auto j = p.claim_next();
      if (!j) break;
      p.run(*j);
      ++n;
    }
    return n;
  }

  bool wait_for(const std::function<bool()>& cond, int timeout_ms = 30000) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return cond();
  }
};

}  // namespace sy::test
