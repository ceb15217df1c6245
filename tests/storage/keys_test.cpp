#include <gtest/gtest.h>

#include "storage/object_store.h"

namespace sy::storage {
namespace {

TEST(Keys, AppKeysAreValid) {
  for (const char* k : {"uploads/123", "compressed/123/jpeg", "compressed/123/thumb.webp",
                        "backups/20240101t000000z/db.sql.gz", "a", "a-b_c.d/e"})
    EXPECT_TRUE(valid_key(k)) << k;
}

TEST(Keys, TraversalAbsoluteAndOddKeysAreRejected) {
  for (std::string k : {"",           "/uploads/1", "../x", "a/../b", "a/..", "..",
                        "a/./b",      ".",          "./a",  "a//b",   "a/",   "uploads/.hidden",
                        ".sy-meta/x", "Uploads/1",  "a b",  "a\\b",   "a\nb", "a%2fb",
                        "ü",          "a:b",        "a?b",  "a#b",    "a*b"})
    EXPECT_FALSE(valid_key(k)) << k;
  EXPECT_FALSE(valid_key(std::string("a\0b", 3)));
  EXPECT_TRUE(valid_key(std::string(512, 'a')));
  EXPECT_FALSE(valid_key(std::string(513, 'a')));
}

TEST(Keys, Prefixes) {
  for (const char* p : {"", "uploads/", "compressed/12", "backups/2024"}) EXPECT_TRUE(valid_prefix(p)) << p;
  for (const char* p : {"/", "../", "a//", "/uploads/", "UP", "a/..", "a/."}) EXPECT_FALSE(valid_prefix(p)) << p;
}

}  // namespace
}  // namespace sy::storage
