// Credential sources: environment, ECS/EKS container endpoint, EC2 IMDSv2 (served by a fake).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "core/config.h"
#include "storage/credentials.h"
#include "storage/s3_store.h"
#include "storage/testing_env.h"
#include "storage/testing_fake_s3.h"

namespace sy::storage::testing {
namespace {

std::string iso(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string creds_json(const std::string& id, std::int64_t expires) {
  return R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":")" + id + R"(","SecretAccessKey":"secret-)" + id +
         R"(","Token":"token-)" + id + R"(","Expiration":")" + iso(expires) + "\"}";
}

// No variables that would pick another source.
struct CleanAwsEnv {
  EnvVar a{"AWS_ACCESS_KEY_ID", nullptr}, b{"AWS_SECRET_ACCESS_KEY", nullptr}, c{"AWS_SESSION_TOKEN", nullptr},
      d{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", nullptr}, e{"AWS_CONTAINER_CREDENTIALS_FULL_URI", nullptr},
      f{"AWS_CONTAINER_AUTHORIZATION_TOKEN", nullptr}, g{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", nullptr},
      h{"AWS_EC2_METADATA_DISABLED", nullptr}, i{"AWS_EC2_METADATA_SERVICE_ENDPOINT", nullptr};
};

// IMDSv2: token, role name, credentials; `lifetime` seconds each, a new key id per fetch.
struct FakeImds {
  std::int64_t lifetime;
  std::atomic<int> fetches{0};
  FakeS3 server;
  explicit FakeImds(std::int64_t life)
      : lifetime(life), server([this](const FakeRequest& r, int) { return answer(r); }) {}
  FakeResponse answer(const FakeRequest& r) {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      if (r.header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return FakeResponse{400, {}, ""};
      return FakeResponse{200, {}, "IMDS-TOKEN"};
    }
    if (r.header("x-aws-ec2-metadata-token") != "IMDS-TOKEN") return FakeResponse{401, {}, ""};
    if (r.target == "/latest/meta-data/iam/security-credentials/") return FakeResponse{200, {}, "app-role\n"};
    if (r.target == "/latest/meta-data/iam/security-credentials/app-role") {
      int n = ++fetches;
      return FakeResponse{200, {}, creds_json("ASIA" + std::to_string(n), std::time(nullptr) + lifetime)};
    }
    return FakeResponse{404, {}, ""};
  }
};

TEST(Credentials, EnvironmentComesFirst) {
  CleanAwsEnv clean;
  EnvVar a("AWS_ACCESS_KEY_ID", "AKID"), b("AWS_SECRET_ACCESS_KEY", "SK"), t("AWS_SESSION_TOKEN", "ST"),
      r("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
  auto src = default_credentials();
  auto c = src->get();
  EXPECT_EQ(c.access_key_id, "AKID");
  EXPECT_EQ(c.secret_access_key, "SK");
  EXPECT_EQ(c.session_token, "ST");
  EXPECT_EQ(src->describe(), "environment");
}

TEST(Credentials, HalfSetEnvironmentIsAConfigError) {
  CleanAwsEnv clean;
  EnvVar a("AWS_ACCESS_KEY_ID", "AKID");
  EXPECT_THROW(default_credentials(), ConfigError);
}

TEST(Credentials, Ec2InstanceProfileViaImdsV2IsCachedUntilNearExpiry) {
  CleanAwsEnv clean;
  FakeImds imds(3600);
  EnvVar e("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.endpoint().c_str());
  auto src = default_credentials();
  EXPECT_EQ(src->describe(), "EC2 instance profile");
  auto c = src->get();
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.secret_access_key, "secret-ASIA1");
  EXPECT_EQ(c.session_token, "token-ASIA1");
  EXPECT_EQ(src->get().access_key_id, "ASIA1");
  EXPECT_EQ(imds.fetches.load(), 1);
  src->invalidate();
  EXPECT_EQ(src->get().access_key_id, "ASIA2");
}

TEST(Credentials, ShortLivedCredentialsAreRefreshed) {
  CleanAwsEnv clean;
  FakeImds imds(120);  // inside the five-minute refresh window
  EnvVar e("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.endpoint().c_str());
  auto src = default_credentials();
  EXPECT_EQ(src->get().access_key_id, "ASIA2");
  EXPECT_EQ(src->get().access_key_id, "ASIA3");
}

TEST(Credentials, UnreachableMetadataServiceIsAConfigError) {
  CleanAwsEnv clean;
  EnvVar e("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(default_credentials(), ConfigError);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EnvVar d("AWS_EC2_METADATA_DISABLED", "true");
  EXPECT_THROW(default_credentials(), ConfigError);
}

TEST(Credentials, ContainerEndpointWithAuthorizationToken) {
  CleanAwsEnv clean;
  FakeS3 agent([](const FakeRequest& r, int) {
    if (r.target != "/v2/creds" || r.header("authorization") != "Bearer-xyz") return FakeResponse{403, {}, ""};
    return FakeResponse{200, {}, creds_json("ASIACONTAINER", std::time(nullptr) + 3600)};
  });
  EnvVar f("AWS_CONTAINER_CREDENTIALS_FULL_URI", (agent.endpoint() + "/v2/creds").c_str()),
      t("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-xyz");
  auto src = default_credentials();
  EXPECT_EQ(src->get().access_key_id, "ASIACONTAINER");
  EXPECT_EQ(src->get().session_token, "token-ASIACONTAINER");
}

TEST(Credentials, ContainerFullUriMustBeLocalOrHttps) {
  CleanAwsEnv clean;
  EnvVar f("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://attacker.example.com/creds");
  EXPECT_THROW(default_credentials(), ConfigError);
}

TEST(Credentials, MalformedAnswersAreErrors) {
  EXPECT_THROW(parse_credentials_json("not json"), StorageError);
  EXPECT_THROW(parse_credentials_json(R"({"Code":"Failure","AccessKeyId":"a","SecretAccessKey":"b"})"), StorageError);
  EXPECT_THROW(parse_credentials_json(R"({"AccessKeyId":"a"})"), StorageError);
  auto f = parse_credentials_json(R"({"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"2030-01-01T00:00:00Z"})");
  EXPECT_EQ(f.expires_at, 1893456000);
  EXPECT_EQ(f.credentials.session_token, "");
}

TEST(Credentials, StoreSignsWithFetchedCredentialsAndRefetchesOnExpiredToken) {
  CleanAwsEnv clean;
  FakeImds imds(3600);
  EnvVar e("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.endpoint().c_str());
  FakeS3 s3([](const FakeRequest& r, int) {
    if (r.header("x-amz-security-token") == "token-ASIA1")
      return FakeResponse{400, {}, error_xml("ExpiredToken", "The provided token has expired.")};
    return FakeResponse{200, {}, "object"};
  });
  S3Config cfg = parse_s3_url("s3://sy-test?endpoint=" + s3.endpoint() + "&max_attempts=1");
  cfg.credential_source = default_credentials();
  S3Store store(cfg);
  EXPECT_EQ(store.get("uploads/1").value_or(""), "object");
  auto reqs = s3.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].header("authorization").find("Credential=ASIA1/"), std::string::npos);
  EXPECT_NE(reqs[1].header("authorization").find("Credential=ASIA2/"), std::string::npos);
  EXPECT_EQ(reqs[1].header("x-amz-security-token"), "token-ASIA2");
}

}  // namespace
}  // namespace sy::storage::testing
