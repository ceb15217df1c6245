// Backup → wipe → restore gives the same rows and byte-identical objects (SQLite + file:// and
// MariaDB + s3rver), and every damaged, partial, foreign or unknown backup is refused with one
// clear line and nothing changed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "core/clock.h"
#include "core/random.h"
#include "db/backup_dump.h"
#include "db/migrations.h"
#include "services/backup.h"
#include "services/school_fixture.h"
#include "storage/digest.h"

namespace sy::test {
namespace {

namespace fs = std::filesystem;
using Objects = std::map<std::string, std::string>;  // key → bytes
using Rows = std::map<std::string, std::vector<std::string>>;

class BackupTest : public SchoolFixture {
 protected:
  std::string db_url;
  std::int64_t p1 = 0, gone = 0;

  void SetUp() override {
    db_url = fresh_db_url();
    std::string store_url = "file://" + temp_dir("objects");
    if (db_kind() == "mariadb") {
      SY_REQUIRE_ENV(s3, "SY_TEST_S3_URL");
      store_url = fresh_s3_url("sy-backup-");
    }
    app = std::make_unique<services::App>();
    app->config.storage_url = store_url;
    app->config.backup_keep = 2;
    app->config.backup_every_seconds = 3600;
    app->db = db::Database::open(db_url, 4);
    db::migrate(*app->db);
    app->store = storage::open_store(store_url);
    seed();
  }

  // A small school with photos, a NULL, non-ASCII text, and a deleted last user (so the next id
  // comes from the auto-increment counter, not from max(id) + 1).
  void seed() {
    seed_two_classes();
    consent(s1, "yearbook");
    p1 = photo(s1, "ready", "approved", true, "Ça va? 🎓 \"quoted\"\nnext line");
    photo(s2, "processing", "pending", true);
    app->db->tx([&](db::Tx& t) {
      db::school_testing::insert_variant(t, p1, "jpeg", "compressed/" + std::to_string(p1) + "/jpeg");
      db::school_testing::insert_variant(t, p1, "thumb", "compressed/" + std::to_string(p1) + "/thumb");
    });
    gone = add_user("leaver", Role::student);
    app->db->tx([&](db::Tx& t) { t.exec("DELETE FROM users WHERE id = " + std::to_string(gone)); });
    std::string big(300 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
    app->store->put("uploads/" + std::to_string(p1), big, "image/jpeg");
    app->store->put("compressed/" + std::to_string(p1) + "/jpeg", big.substr(0, 5000), "image/jpeg");
    app->store->put("compressed/" + std::to_string(p1) + "/thumb", "thumb bytes", "image/jpeg");
    app->store->put("compressed/" + std::to_string(p1) + "/webp", "thumb bytes", "image/webp");  // same bytes
  }

  Objects objects(bool with_backups = false) {
    Objects out;
    for (auto& info : app->store->list(""))
      if (with_backups || info.key.rfind("backups/", 0) != 0) out[info.key] = *app->store->get(info.key);
    return out;
  }
  Rows rows() { return db::table_contents(*app->db); }

  // The disaster: the database is gone (file deleted / database dropped) and so is every object
  // outside backups/. The new database is not even migrated.
  void wipe() {
    app->db.reset();
    if (db_kind() == "sqlite") {
      std::string path = db_url.substr(std::string("sqlite://").size());
      for (auto suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
    } else {
      std::string name = db_url.substr(db_url.rfind('/') + 1);
      auto admin = db::Database::open(db_url, 1);
      admin->with_session([&](db::Tx& t) {
        t.exec("DROP DATABASE " + name);
        t.exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
      });
    }
    for (auto& info : app->store->list(""))
      if (info.key.rfind("backups/", 0) != 0) app->store->remove(info.key);
    app->db = db::Database::open(db_url, 4);
  }

  std::string refusal(const std::string& id, services::RestoreOptions o = {}) {
    try {
      services::restore_backup(*app, id, o);
    } catch (const services::BackupError& e) {
      return e.what();
    }
    return "";
  }

  // Refused, with `expect` in the message, and neither the database nor any object changed.
  void expect_refused(const std::string& id, const std::string& expect, services::RestoreOptions o = {}) {
    auto rows_before = rows();
    auto objects_before = objects(true);
    auto why = refusal(id, o);
    EXPECT_NE(why.find(expect), std::string::npos) << "refusal was: '" << why << "'";
    EXPECT_EQ(why.find('\n'), std::string::npos) << "one line: " << why;
    EXPECT_EQ(rows(), rows_before);
    EXPECT_EQ(objects(true), objects_before);
  }

  std::string copy_key(const std::string& key) {
    return "backups/objects/" + storage::sha256_hex(*app->store->get(key));
  }
};

TEST_F(BackupTest, WipeThenRestoreGivesTheSameRowsAndObjects) {
  auto rows_before = rows();
  auto objects_before = objects();
  ASSERT_GE(rows_before.at("users").size(), 8u);
  ASSERT_EQ(objects_before.size(), 4u);

  auto b = services::create_backup(*app);
  EXPECT_EQ(b.objects, 4);
  EXPECT_EQ(b.new_objects, 3);  // two objects share their bytes: one copy
  wipe();
  ASSERT_FALSE(db::holds_data(*app->db));
  ASSERT_TRUE(objects().empty());

  auto r = services::restore_backup(*app, b.id, {});
  EXPECT_EQ(r.id, b.id);
  EXPECT_EQ(rows(), rows_before);  // every row, id and auto-increment counter
  EXPECT_EQ(objects(), objects_before);
  EXPECT_EQ(db::schema_version_readonly(*app->db), db::latest_version(app->db->dialect()));

  // New rows continue after the deleted user's id, as they would have before the disaster.
  EXPECT_EQ(add_user("newcomer", Role::student), gone + 1);

  // A second backup copies nothing new: the objects are shared by content.
  auto b2 = services::create_backup(*app);
  EXPECT_EQ(b2.new_objects, 0);
  EXPECT_EQ(b2.objects, 4);
}

TEST_F(BackupTest, ReplaceOverwritesADeploymentThatMovedOn) {
  auto rows_before = rows();
  auto objects_before = objects();
  auto b = services::create_backup(*app);
  add_user("later", Role::teacher);
  app->store->put("uploads/999", "later upload", "image/jpeg");
  app->store->put("compressed/" + std::to_string(p1) + "/jpeg", "overwritten", "image/jpeg");

  expect_refused(b.id, "the database is not empty");
  services::RestoreOptions replace;
  replace.replace = true;
  services::restore_backup(*app, b.id, replace);
  EXPECT_EQ(rows(), rows_before);
  EXPECT_EQ(objects(), objects_before);
}

TEST_F(BackupTest, TamperedObjectIsRefused) {
  auto b = services::create_backup(*app);
  auto key = copy_key("uploads/" + std::to_string(p1));
  auto bytes = *app->store->get(key);
  bytes[1000] ^= 1;
  app->store->put(key, bytes, "application/octet-stream");
  wipe();
  expect_refused(b.id, "fails its SHA-256 check");
}

TEST_F(BackupTest, MissingObjectCopyIsRefused) {
  auto b = services::create_backup(*app);
  app->store->remove(copy_key("compressed/" + std::to_string(p1) + "/thumb"));
  wipe();
  expect_refused(b.id, "is missing");
}

TEST_F(BackupTest, TamperedDumpIsRefused) {
  auto b = services::create_backup(*app);
  auto key = "backups/" + b.id + "/dump/00000";
  auto bytes = *app->store->get(key);
  bytes[bytes.size() / 2] ^= 0x20;
  app->store->put(key, bytes, "application/octet-stream");
  wipe();
  expect_refused(b.id, "dump part backups/" + b.id + "/dump/00000 fails its SHA-256 check");
}

TEST_F(BackupTest, TamperedManifestIsRefused) {
  auto b = services::create_backup(*app);
  auto key = "backups/" + b.id + "/manifest.json";
  auto text = *app->store->get(key);
  app->store->put(key, text.substr(0, text.size() / 2), "application/json");
  wipe();
  expect_refused(b.id, "manifest is malformed");
}

TEST_F(BackupTest, PartialBackupIsRefused) {
  auto b = services::create_backup(*app);
  app->store->remove("backups/" + b.id + "/manifest.json");  // as if the backup died before its last write
  wipe();
  expect_refused(b.id, "is partial");
  auto listed = services::list_backups(*app);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].partial);
}

TEST_F(BackupTest, ForeignBackupIsRefusedUnlessAllowed) {
  auto b = services::create_backup(*app);
  app->store->put("backups/installation-id", "0123456789abcdef0123456789abcdef", "text/plain");
  wipe();
  expect_refused(b.id, "belongs to another installation");
  services::RestoreOptions foreign;
  foreign.allow_foreign = true;
  services::restore_backup(*app, b.id, foreign);
  EXPECT_TRUE(db::holds_data(*app->db));
  EXPECT_NE(*app->store->get("backups/installation-id"), "0123456789abcdef0123456789abcdef");  // adopted
}

TEST_F(BackupTest, UnknownOrMalformedIdIsRefused) {
  services::create_backup(*app);
  wipe();
  expect_refused("20200101t000000z-00000000", "no backup 20200101t000000z-00000000");
  expect_refused("../../etc", "is not a backup id");
}

TEST_F(BackupTest, ListIsNewestFirstAndRetentionKeepsTheNewest) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(services::create_backup(*app).id);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // ids sort by the second
  }
  auto list = services::list_backups(*app);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, ids[2]);
  EXPECT_EQ(list[2].id, ids[0]);
  EXPECT_EQ(list[0].objects, 4);
  EXPECT_EQ(list[0].dialect, db_kind() == "sqlite" ? "sqlite" : "mysql");

  // An object only an old backup holds: retention must delete its copy.
  auto next_second = [] { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); };
  app->store->put("uploads/only-in-old", "old bytes", "image/jpeg");
  services::create_backup(*app);
  app->store->remove("uploads/only-in-old");
  next_second();
  services::create_backup(*app);
  next_second();
  services::create_backup(*app);
  EXPECT_EQ(services::prune_backups(*app, 2), 4);
  EXPECT_EQ(services::list_backups(*app).size(), 2u);
  EXPECT_FALSE(app->store->head("backups/objects/" + storage::sha256_hex("old bytes")));
  for (auto& [key, bytes] : objects()) EXPECT_TRUE(app->store->head("backups/objects/" + storage::sha256_hex(bytes)));
}

TEST_F(BackupTest, OneInstancePerPeriodTakesTheScheduledBackup) {
  // Two instances ask at the same moment: one wins, the other sees the lease (or the new due time).
  auto first = services::run_scheduled_backup(*app, "instance-a");
  auto second = services::run_scheduled_backup(*app, "instance-b");
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(services::list_backups(*app).size(), 1u);
  // Held by a (crashed) instance: nobody else starts one until the lease runs out.
  EXPECT_TRUE(db::claim_scheduled_backup(*app->db, "instance-c", now_unix() + 7200, 600));
  EXPECT_FALSE(db::claim_scheduled_backup(*app->db, "instance-d", now_unix() + 7200, 600));
}

}  // namespace
}  // namespace sy::test
