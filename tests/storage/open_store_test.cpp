// Storage URLs: file:// and s3:// with their defaults and the errors for bad ones.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/config.h"
#include "storage/file_store.h"
#include "storage/s3_store.h"
#include "storage/testing_env.h"

namespace sy::storage::testing {
namespace {

TEST(S3Url, AwsDefaultsAreHttpsRegionalEndpointAndVirtualHosted) {
  EnvVar r1("AWS_REGION", nullptr), r2("AWS_DEFAULT_REGION", nullptr);
  S3Config c = parse_s3_url("s3://my-bucket");
  EXPECT_EQ(c.bucket, "my-bucket");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.scheme, "https");
  EXPECT_EQ(c.endpoint_host, "s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(c.path_style);
  EXPECT_EQ(s3_url(c, "uploads/1"), "https://my-bucket.s3.us-east-1.amazonaws.com/uploads/1");
  EXPECT_EQ(s3_url(c, "", "list-type=2"), "https://my-bucket.s3.us-east-1.amazonaws.com/?list-type=2");

  S3Config eu = parse_s3_url("s3://my-bucket?region=eu-central-1");
  EXPECT_EQ(eu.endpoint_host, "s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(eu.region, "eu-central-1");
}

TEST(S3Url, RegionFallsBackToTheAwsEnvironment) {
  EnvVar r1("AWS_REGION", "ap-southeast-2"), r2("AWS_DEFAULT_REGION", "us-west-1");
  EXPECT_EQ(parse_s3_url("s3://b-1").region, "ap-southeast-2");
  EXPECT_EQ(parse_s3_url("s3://b-1?region=sa-east-1").region, "sa-east-1");
}

TEST(S3Url, CustomEndpointDefaultsToPathStyle) {
  S3Config c = parse_s3_url("s3://sy-test?endpoint=http%3A%2F%2F127.0.0.1%3A9000%2F&region=us-east-1");
  EXPECT_EQ(c.scheme, "http");
  EXPECT_EQ(c.endpoint_host, "127.0.0.1:9000");
  EXPECT_TRUE(c.path_style);
  EXPECT_EQ(s3_url(c, "compressed/1/jpeg"), "http://127.0.0.1:9000/sy-test/compressed/1/jpeg");
  EXPECT_EQ(s3_url(c, "", "list-type=2"), "http://127.0.0.1:9000/sy-test?list-type=2");

  S3Config v = parse_s3_url("s3://sy-test?endpoint=https://MinIO.example.com&path_style=0");
  EXPECT_FALSE(v.path_style);
  EXPECT_EQ(s3_url(v, "a"), "https://sy-test.minio.example.com/a");
  EXPECT_TRUE(parse_s3_url("s3://sy-test?endpoint=https://s3.us-east-1.amazonaws.com").path_style == false);
  EXPECT_TRUE(parse_s3_url("s3://sy-test?endpoint=http://[::1]:9000").path_style);
}

TEST(S3Url, TimeoutsAndAttempts) {
  S3Config c = parse_s3_url("s3://sy-test?timeout=30&connect_timeout=2&max_attempts=6");
  EXPECT_EQ(c.timeout_ms, 30000);
  EXPECT_EQ(c.connect_timeout_ms, 2000);
  EXPECT_EQ(c.max_attempts, 6);
}

TEST(S3Url, BadUrlsAreConfigErrors) {
  for (const char* bad :
       {"s3://", "s3://ab", "s3://bucket/some/path", "s3://bu cket", "s3://bucket?unknown=1",
        "s3://bucket?path_style=2", "s3://bucket?endpoint=ftp://host", "s3://bucket?endpoint=host:9000",
        "s3://bucket?endpoint=http://h/path", "s3://bucket?endpoint=http://user@h", "s3://bucket?timeout=0",
        "s3://bucket?max_attempts=x", "s3://bucket?region=../x", "s3://dotted.bucket", "s3://Upper_Case",
        "s3://bucket?endpoint=%zz"})
    EXPECT_THROW(parse_s3_url(bad), ConfigError) << bad;
  // Names that cannot be host names work path-style.
  EXPECT_NO_THROW(parse_s3_url("s3://dotted.bucket?path_style=1"));
  EXPECT_NO_THROW(parse_s3_url("s3://Upper_Case?endpoint=http://127.0.0.1:9000"));
}

TEST(OpenStore, S3NeedsCredentials) {
  EnvVar m("AWS_EC2_METADATA_DISABLED", "true"), r("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", nullptr),
      f("AWS_CONTAINER_CREDENTIALS_FULL_URI", nullptr);
  {
    EnvVar a("AWS_ACCESS_KEY_ID", nullptr), b("AWS_SECRET_ACCESS_KEY", nullptr);
    EXPECT_THROW(open_store("s3://sy-test?endpoint=http://127.0.0.1:1"), ConfigError);
  }
  EnvVar a("AWS_ACCESS_KEY_ID", "AKID"), b("AWS_SECRET_ACCESS_KEY", "SECRET"), t("AWS_SESSION_TOKEN", "TOKEN");
  auto store = open_store("s3://sy-test?endpoint=http://127.0.0.1:1");
  auto* s3 = dynamic_cast<S3Store*>(store.get());
  ASSERT_NE(s3, nullptr);
  EXPECT_EQ(s3->bucket(), "sy-test");
  ASSERT_NE(s3->config().credential_source, nullptr);
  auto creds = s3->config().credential_source->get();
  EXPECT_EQ(creds.access_key_id, "AKID");
  EXPECT_EQ(creds.secret_access_key, "SECRET");
  EXPECT_EQ(creds.session_token, "TOKEN");
}

TEST(OpenStore, FileUrls) {
  TempDir dir;
  auto store = open_store("file://" + (dir.path / "objects").string());
  ASSERT_NE(dynamic_cast<FileStore*>(store.get()), nullptr);
  EXPECT_TRUE(std::filesystem::is_directory(dir.path / "objects"));
  EXPECT_THROW(open_store("file://"), ConfigError);
  EXPECT_THROW(open_store("ftp://x"), ConfigError);
  EXPECT_THROW(open_store("/plain/path"), ConfigError);
}

}  // namespace
}  // namespace sy::storage::testing
