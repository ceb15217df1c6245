#pragma once
// The behaviour every ObjectStore must show, run against each store: include this header in one
// .cpp of a test binary and INSTANTIATE_TEST_SUITE_P(Name, StoreConformance, Values(factories)).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "core/random.h"
#include "storage/object_store.h"
#include "storage/testing_env.h"

namespace sy::storage::testing {

struct StoreFactory {
  std::string name;
  // Returns nullptr and sets *why when the store cannot be made (server env missing).
  std::function<std::unique_ptr<ObjectStore>(std::string* why)> make;
};

inline void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

inline std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; }

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    std::string why;
    store = GetParam().make(&why);
    if (!store) {
      if (quick_mode()) GTEST_SKIP() << why;
      FAIL() << why;
    }
    prefix = "tests/" + random_id() + "/";
  }
  void TearDown() override {
    if (!store) return;
    try {
      for (const auto& o : store->list(prefix)) store->remove(o.key);
    } catch (const std::exception&) {}
  }
  std::unique_ptr<ObjectStore> store;
  std::string prefix;
};

TEST_P(StoreConformance, PutReturnsInfoAndGetReturnsTheBytes) {
  std::string bytes = binary_bytes(1000, 1);
  bytes[10] = '\0';
  ObjectInfo info = store->put(prefix + "blob", bytes, "image/jpeg");
  EXPECT_EQ(info.key, prefix + "blob");
  EXPECT_EQ(info.size, 1000);
  EXPECT_EQ(info.sha256, sy::sha256_hex(bytes));
  EXPECT_EQ(info.content_type, "image/jpeg");
  EXPECT_FALSE(info.etag.empty());
  auto got = store->get(prefix + "blob");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, bytes);
}

TEST_P(StoreConformance, EmptyObject) {
  ObjectInfo info = store->put(prefix + "empty", "", "application/octet-stream");
  EXPECT_EQ(info.size, 0);
  EXPECT_EQ(info.sha256, sy::sha256_hex(""));
  auto got = store->get(prefix + "empty");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "");
  auto h = store->head(prefix + "empty");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->size, 0);
}

TEST_P(StoreConformance, HeadReportsSizeChecksumTypeAndEtag) {
  std::string bytes = binary_bytes(4321, 2);
  ObjectInfo put = store->put(prefix + "compressed/1/jpeg", bytes, "image/webp");
  auto h = store->head(prefix + "compressed/1/jpeg");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->key, prefix + "compressed/1/jpeg");
  EXPECT_EQ(h->size, 4321);
  EXPECT_EQ(h->sha256, sy::sha256_hex(bytes));
  EXPECT_EQ(h->content_type, "image/webp");
  EXPECT_EQ(h->etag, put.etag);
}

TEST_P(StoreConformance, AbsentObjectsAreNulloptAndRemoveIsIdempotent) {
  EXPECT_FALSE(store->get(prefix + "nope").has_value());
  EXPECT_FALSE(store->head(prefix + "nope").has_value());
  EXPECT_FALSE(store->head(prefix + "no/such/dir").has_value());
  EXPECT_NO_THROW(store->remove(prefix + "nope"));
}

TEST_P(StoreConformance, OverwriteReplacesContentAndChecksum) {
  store->put(prefix + "k", "first version, longer", "text/plain");
  store->put(prefix + "k", "second", "text/csv");
  EXPECT_EQ(store->get(prefix + "k").value_or(""), "second");
  auto h = store->head(prefix + "k");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->size, 6);
  EXPECT_EQ(h->sha256, sy::sha256_hex("second"));
  EXPECT_EQ(h->content_type, "text/csv");
}

TEST_P(StoreConformance, RemoveDeletes) {
  store->put(prefix + "gone", "x", "text/plain");
  store->remove(prefix + "gone");
  EXPECT_FALSE(store->get(prefix + "gone").has_value());
  EXPECT_FALSE(store->head(prefix + "gone").has_value());
  EXPECT_TRUE(store->list(prefix).empty());
}

TEST_P(StoreConformance, ListReturnsExactlyThePrefixSorted) {
  for (std::string k : {"b/2", "a/10", "a/1", "ab", "c"}) store->put(prefix + k, k + "!", "text/plain");
  auto keys = [&](const std::string& p) {
    std::vector<std::string> out;
    for (const auto& o : store->list(p)) out.push_back(o.key.substr(prefix.size()));
    return out;
  };
  EXPECT_EQ(keys(prefix), (std::vector<std::string>{"a/1", "a/10", "ab", "b/2", "c"}));
  EXPECT_EQ(keys(prefix + "a/"), (std::vector<std::string>{"a/1", "a/10"}));
  EXPECT_EQ(keys(prefix + "a"), (std::vector<std::string>{"a/1", "a/10", "ab"}));
  EXPECT_EQ(keys(prefix + "a/1"), (std::vector<std::string>{"a/1", "a/10"}));
  EXPECT_TRUE(keys(prefix + "zzz/").empty());
  auto all = store->list(prefix);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].size, 4);  // "a/1!"
  EXPECT_FALSE(all[0].etag.empty());
}

TEST_P(StoreConformance, LargeObjectRoundTrip) {
  std::string bytes = binary_bytes(8 * 1024 * 1024 + 17, 3);
  ObjectInfo info = store->put(prefix + "uploads/big", bytes, "image/png");
  EXPECT_EQ(info.size, static_cast<std::int64_t>(bytes.size()));
  auto got = store->get(prefix + "uploads/big");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == bytes);
  EXPECT_EQ(store->head(prefix + "uploads/big")->sha256, sy::sha256_hex(bytes));
}

TEST_P(StoreConformance, InvalidKeysAreRejectedAsPermanent) {
  for (std::string bad :
       {std::string(""), std::string("../etc/passwd"), std::string("/abs"), std::string("a//b"), std::string("Upper"),
        std::string("a/../b"), std::string("a/.hidden"), std::string("a/"), std::string("sp ace"),
        std::string("nul\0x", 5), std::string(513, 'a'), std::string("uploads/%2e%2e")}) {
    SCOPED_TRACE(bad);
    auto expect_permanent = [&](auto&& fn) {
      try {
        fn();
        ADD_FAILURE() << "accepted";
      } catch (const StorageError& e) {
        EXPECT_TRUE(e.permanent);
      }
    };
    expect_permanent([&] { store->put(bad, "x", "text/plain"); });
    expect_permanent([&] { store->get(bad); });
    expect_permanent([&] { store->head(bad); });
    expect_permanent([&] { store->remove(bad); });
  }
  EXPECT_THROW(store->list("../"), StorageError);
  EXPECT_THROW(store->list("/"), StorageError);
  EXPECT_THROW(store->put(prefix + "ok", "x", "text/plain\r\nX-Injected: 1"), StorageError);
}

TEST_P(StoreConformance, PingAnswers) { EXPECT_TRUE(store->ping()); }

TEST_P(StoreConformance, ConcurrentPutsAndGets) {
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        std::string key = prefix + "c/" + std::to_string(t) + "/" + std::to_string(i);
        std::string bytes =
            binary_bytes(1000 + static_cast<std::size_t>(t * 100 + i), static_cast<unsigned>(t * 100 + i));
        try {
          if (store->put(key, bytes, "image/jpeg").sha256 != sy::sha256_hex(bytes)) ++mismatches;
          if (store->get(key).value_or("") != bytes) ++mismatches;
        } catch (const std::exception&) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(store->list(prefix + "c/").size(), 48u);
}

}  // namespace sy::storage::testing
