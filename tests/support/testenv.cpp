#include "support/testenv.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "core/random.h"
#include "db/migrations.h"
#include "db/url.h"
#include "jobs/sandbox.h"
#include "storage/digest.h"

namespace sy::test {

namespace {
// The workers inside a test binary decode in the sandbox like the server's: the child is the
// schoolyard binary built alongside (a test binary has no compress-child subcommand).
[[maybe_unused]] const bool sandbox_child_set = [] {
  jobs::sandbox::set_executable(SY_BINARY);
  return true;
}();
}  // namespace

bool quick_mode() {
  const char* m = std::getenv("SY_TEST_MODE");
  return m && std::string(m) == "quick";
}

std::string temp_dir(const std::string& tag) {
  static std::atomic<int> n{0};
  const char* base = std::getenv("SY_TEST_TMP");
  std::filesystem::path p = std::filesystem::path(base ? base : "/tmp") /
                            ("t-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

std::string db_kind() {
  const char* k = std::getenv("SY_TEST_DB");
  return k && std::string(k) == "mariadb" ? "mariadb" : "sqlite";
}

std::string require_env(const char* name) {
  const char* v = std::getenv(name);
  if (v && *v) return v;
  if (!quick_mode()) ADD_FAILURE() << name << " must be set in full test mode (./dev test starts the server)";
  return "";
}

std::string fresh_db_url() {
  static std::atomic<int> n{0};
  if (db_kind() == "sqlite") return "sqlite://" + temp_dir("db") + "/test.db";
  const char* base = std::getenv("SY_TEST_MYSQL_URL");
  if (!base || !*base) {
    ADD_FAILURE() << "SY_TEST_DB=mariadb but SY_TEST_MYSQL_URL is not set";
    throw std::runtime_error("no MariaDB for this test");
  }
  std::string name = "sy_t_" + std::to_string(getpid()) + "_" + std::to_string(n++);
  auto admin = db::Database::open(base, 1);
  admin->with_session([&](db::Tx& t) {
    t.exec("DROP DATABASE IF EXISTS " + name);
    t.exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
  });
  std::string url = base;
  return url.substr(0, url.rfind('/') + 1) + name;
}

std::unique_ptr<db::Database> fresh_db(bool migrated, std::size_t pool) {
  auto d = db::Database::open(fresh_db_url(), pool);
  if (migrated) db::migrate(*d);
  return d;
}

std::string fresh_s3_url(const std::string& prefix) {
  std::string url = std::getenv("SY_TEST_S3_URL") ? std::getenv("SY_TEST_S3_URL") : "";
  std::string endpoint = std::getenv("SY_TEST_S3_ENDPOINT") ? std::getenv("SY_TEST_S3_ENDPOINT") : "";
  if (url.empty() || endpoint.empty()) return "";
  std::string bucket = prefix + storage::sha256_hex(random_token(8)).substr(0, 10);
  std::string cmd =
      "env AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "
      "aws --endpoint-url " +
      endpoint + " s3api create-bucket --bucket " + bucket + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create bucket " + bucket + " on s3rver");
  return "s3://" + bucket + url.substr(url.find('?'));
}

}  // namespace sy::test
