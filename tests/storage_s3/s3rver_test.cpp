// s3:// store against a real S3 implementation (s3rver, started by ./dev test), plus
// interoperability with the AWS CLI in both directions.
#include <gtest/gtest.h>

#include <fstream>

#include "storage/s3_store.h"
#include "storage/testing_conformance.h"

namespace sy::storage::testing {
namespace {

std::unique_ptr<ObjectStore> make_s3(std::string* why) {
  std::string url = env_or("SY_TEST_S3_URL");
  if (url.empty()) {
    *why = "SY_TEST_S3_URL is not set (./dev test starts s3rver and sets it)";
    return nullptr;
  }
  return open_store(url);
}

INSTANTIATE_TEST_SUITE_P(S3, StoreConformance, ::testing::Values(StoreFactory{"s3", make_s3}), factory_name);

class S3Server : public ::testing::Test {
 protected:
  void SetUp() override {
    url = env_or("SY_TEST_S3_URL");
    endpoint = env_or("SY_TEST_S3_ENDPOINT");
    if (url.empty() || endpoint.empty()) {
      if (quick_mode()) GTEST_SKIP() << "no S3 server in quick mode";
      FAIL() << "SY_TEST_S3_URL / SY_TEST_S3_ENDPOINT not set (./dev test starts s3rver and sets them)";
    }
    S3Config cfg = parse_s3_url(url);
    cfg.credentials = credentials_from_env();
    store = std::make_unique<S3Store>(cfg);
    prefix = "tests/" + random_id() + "/";
  }
  void TearDown() override {
    if (!store) return;
    try {
      for (const auto& o : store->list(prefix)) store->remove(o.key);
    } catch (const std::exception&) {}
  }

  // The Debian AWS CLI, with only the environment's credentials and no metadata-service lookups.
  std::string aws() {
    const char* bin = std::filesystem::exists("/usr/bin/aws") ? "/usr/bin/aws" : "aws";
    return std::string("env AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null ") +
           "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=" + env_or("AWS_DEFAULT_REGION", "us-east-1") +
           " " + bin + " --endpoint-url " + endpoint + " ";
  }
  bool have_aws() {
    static const bool found = std::system((aws() + "--version >/dev/null 2>&1").c_str()) == 0;
    return found;
  }
  void require_aws() {
    if (have_aws()) return;
    if (quick_mode()) GTEST_SKIP() << "AWS CLI not installed";
    FAIL() << "the AWS CLI is needed: apt-get install awscli";
  }
  std::string bucket() { return store->bucket(); }

  std::unique_ptr<S3Store> store;
  std::string url, endpoint, prefix;
  TempDir tmp;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST_F(S3Server, ListFollowsContinuationTokens) {
  S3Config cfg = store->config();
  cfg.list_page_size = 2;
  S3Store paged(cfg);
  for (int i = 0; i < 7; ++i) paged.put(prefix + "p/" + std::to_string(i), std::to_string(i), "text/plain");
  paged.put(prefix + "q", "other", "text/plain");
  auto list = paged.list(prefix + "p/");
  ASSERT_EQ(list.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(list[static_cast<std::size_t>(i)].key, prefix + "p/" + std::to_string(i));
    EXPECT_EQ(list[static_cast<std::size_t>(i)].size, 1);
  }
}

TEST_F(S3Server, MissingBucketIsAPermanentError) {
  S3Config cfg = store->config();
  cfg.bucket = "no-such-bucket-" + random_id(6);
  S3Store missing(cfg);
  EXPECT_FALSE(missing.ping());
  try {
    missing.list("");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent) << e.what();
  }
  EXPECT_TRUE(store->ping());
}

TEST_F(S3Server, AwsCliReadsWhatWeWrite) {
  require_aws();
  std::string bytes = binary_bytes(300000, 11);
  std::string key = prefix + "compressed/1/jpeg";
  ObjectInfo info = store->put(key, bytes, "image/jpeg");
  auto out = tmp.path / "from-cli.bin";
  ASSERT_EQ(std::system((aws() + "s3 cp --only-show-errors s3://" + bucket() + "/" + key + " " + out.string()).c_str()),
            0);
  EXPECT_TRUE(slurp(out) == bytes);
  // The checksum we attach is ordinary user metadata, visible to any S3 client.
  auto meta = tmp.path / "meta.txt";
  ASSERT_EQ(std::system((aws() + "s3api head-object --bucket " + bucket() + " --key " + key +
                         " --query Metadata.sha256 --output text > " + meta.string())
                            .c_str()),
            0);
  std::string sha = slurp(meta);
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
  EXPECT_EQ(sha, info.sha256);
}

TEST_F(S3Server, WeReadWhatTheAwsCliWrites) {
  require_aws();
  std::string bytes = binary_bytes(123457, 12);
  auto in = tmp.path / "to-cli.bin";
  std::ofstream(in, std::ios::binary) << bytes;
  std::string key = prefix + "uploads/77";
  ASSERT_EQ(std::system((aws() + "s3 cp --only-show-errors --content-type image/png " + in.string() + " s3://" +
                         bucket() + "/" + key)
                            .c_str()),
            0);
  auto got = store->get(key);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == bytes);
  auto h = store->head(key);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(h->content_type, "image/png");
  EXPECT_EQ(h->sha256, "") << "objects written by others carry no sha256 metadata";
  auto list = store->list(prefix + "uploads/");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].key, key);
  EXPECT_EQ(list[0].etag, h->etag);
  store->remove(key);
  EXPECT_NE(
      std::system((aws() + "s3api head-object --bucket " + bucket() + " --key " + key + " >/dev/null 2>&1").c_str()),
      0);
}

}  // namespace
}  // namespace sy::storage::testing
