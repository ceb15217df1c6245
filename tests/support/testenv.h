#pragma once
// Shared test helpers: a fresh migrated database per test on SQLite or MariaDB (SY_TEST_DB), temp
// dirs, and the full/quick mode switch. In full mode a missing server is a failure, not a skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "db/database.h"

namespace sy::test {

bool quick_mode();
std::string temp_dir(const std::string& tag);  // unique dir under SY_TEST_TMP or /tmp
std::string db_kind();                         // "sqlite" | "mariadb"

// A database URL for a brand-new empty database (created on MariaDB; a new file on SQLite).
// Fails the test when MariaDB is wanted but SY_TEST_MYSQL_URL is missing in full mode.
std::string fresh_db_url();
std::unique_ptr<db::Database> fresh_db(bool migrated = true, std::size_t pool = 8);

// "s3://<new bucket>?…" on the s3rver ./dev test starts (SY_TEST_S3_URL, SY_TEST_S3_ENDPOINT), for
// a test that lists or owns the whole store; "" when they are not set. Bucket names start with
// `prefix`.
std::string fresh_s3_url(const std::string& prefix);

// Skip in quick mode, fail in full mode, when env var `name` is missing. Returns its value.
std::string require_env(const char* name);

}  // namespace sy::test

#define SY_REQUIRE_ENV(var, name)                  \
  std::string var = ::sy::test::require_env(name); \
  if (var.empty()) GTEST_SKIP() << name << " not set (quick mode)"

// A real component a test needs (the SMTP sink, …) that could not be started: skipped in quick
// mode, a failure in full mode, where ./dev test has installed it.
#define SY_REQUIRE_COMPONENT(ok, what)                                     \
  if (!(ok)) {                                                             \
    if (::sy::test::quick_mode()) GTEST_SKIP() << what << " (quick mode)"; \
    FAIL() << what << " (full mode needs it)";                             \
  }
