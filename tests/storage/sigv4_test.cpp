// SigV4: AWS's published S3 examples, then a table of our requests signed by botocore too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "storage/digest.h"
#include "storage/s3_store.h"
#include "storage/sigv4.h"
#include "storage/testing_env.h"

namespace sy::storage::testing {
namespace {

const sigv4::Credentials kDocCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::int64_t k20130524 = 1369353600;
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string header_value(const sigv4::Headers& h, const std::string& name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return "";
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (examples)
TEST(SigV4, AwsExampleGetObject) {
  auto s = sigv4::sign({"GET", "https://examplebucket.s3.amazonaws.com/test.txt", {{"Range", "bytes=0-9"}}, kEmpty},
                       kDocCreds, "us-east-1", k20130524);
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                kEmpty +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                kEmpty);
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(header_value(s.headers, "Host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(header_value(s.headers, "X-Amz-Date"), "20130524T000000Z");
}

TEST(SigV4, AwsExamplePutObject) {
  std::string body = "Welcome to Amazon S3.";
  auto s = sigv4::sign({"PUT",
                        "https://examplebucket.s3.amazonaws.com/" + sigv4::uri_encode("test$file.text", false),
                        {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                        sha256_hex(body)},
                       kDocCreds, "us-east-1", k20130524);
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, AwsExampleGetLifecycleAndListObjects) {
  auto lifecycle = sigv4::sign({"GET", "https://examplebucket.s3.amazonaws.com/?lifecycle", {}, kEmpty}, kDocCreds,
                               "us-east-1", k20130524);
  EXPECT_EQ(lifecycle.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  // Parameters out of order on the wire: the canonical query sorts them.
  auto list = sigv4::sign({"GET", "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2", {}, kEmpty}, kDocCreds,
                          "us-east-1", k20130524);
  EXPECT_EQ(list.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(sigv4::uri_encode("a b/c+d=e&f~g_h.i-j", false), "a%20b/c%2Bd%3De%26f~g_h.i-j");
  EXPECT_EQ(sigv4::uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(sigv4::uri_encode("caf\xC3\xA9", true), "caf%C3%A9");
  EXPECT_EQ(sigv4::query_string({{"prefix", "a b/"}, {"list-type", "2"}}), "prefix=a%20b%2F&list-type=2");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  auto s = sigv4::sign({"GET", "https://b.s3.amazonaws.com/k", {}, kEmpty}, {"AKID", "SECRET", "tok/+="}, "us-east-1",
                       k20130524);
  EXPECT_EQ(header_value(s.headers, "X-Amz-Security-Token"), "tok/+=");
  EXPECT_NE(s.authorization.find("x-amz-security-token"), std::string::npos);
}

TEST(SigV4, DefaultPortsAreDroppedFromHost) {
  auto s = sigv4::sign({"GET", "https://b.example.com:443/k", {}, kEmpty}, kDocCreds, "us-east-1", k20130524);
  EXPECT_EQ(header_value(s.headers, "Host"), "b.example.com");
  auto p = sigv4::sign({"GET", "http://127.0.0.1:9000/b/k", {}, kEmpty}, kDocCreds, "us-east-1", k20130524);
  EXPECT_EQ(header_value(p.headers, "Host"), "127.0.0.1:9000");
}

// ---- the same requests signed by botocore ----

struct Case {
  std::string name, method, scheme, endpoint_host, bucket, key;
  bool path_style;
  std::vector<std::pair<std::string, std::string>> params;
  sigv4::Headers headers;
  std::string body = "";
  std::string region = "us-east-1";
  std::string token = "";
  std::int64_t time = 1700000000;
};

std::vector<Case> cases() {
  std::string body = binary_bytes(300, 9);
  std::string special = "photos/Jane Doe (1)/na\xC3\xAFve+caf\xC3\xA9~!*'();:@&=$,?#[]%.jpg";
  return {
      {"get_path_style_local", "GET", "http", "127.0.0.1:9000", "sy-test", "uploads/123", true, {}, {}, ""},
      {"list_vhost_params_needing_encoding",
       "GET",
       "https",
       "s3.us-east-1.amazonaws.com",
       "examplebucket",
       "",
       false,
       {{"list-type", "2"},
        {"prefix", "uploads/a b+c=d&e/\xC3\xBC~*'()!"},
        {"continuation-token", "1/+=ab=="},
        {"max-keys", "3"}},
       {},
       ""},
      {"list_path_style_continuation",
       "GET",
       "http",
       "localhost:4568",
       "sy-test",
       "",
       true,
       {{"continuation-token", "tok with space/and+plus"}, {"list-type", "2"}, {"prefix", "compressed/"}},
       {},
       ""},
      {"put_with_body",
       "PUT",
       "https",
       "minio.example.com:9000",
       "photos",
       "compressed/1/jpeg",
       true,
       {},
       {{"Content-Type", "image/jpeg"}, {"x-amz-meta-sha256", sha256_hex(body)}},
       body},
      {"put_empty_eu_west",
       "PUT",
       "https",
       "s3.eu-west-1.amazonaws.com",
       "sy-bucket",
       "uploads/7",
       false,
       {},
       {{"Content-Type", "application/octet-stream"}, {"x-amz-meta-sha256", sha256_hex("")}},
       "",
       "eu-west-1"},
      {"head_default_port", "HEAD", "https", "s3.example.com:443", "sy-bucket", "uploads/9", false, {}, {}, ""},
      {"delete",
       "DELETE",
       "https",
       "s3.us-east-2.amazonaws.com",
       "sy-bucket",
       "backups/2024/db.sql.gz",
       false,
       {},
       {},
       "",
       "us-east-2",
       "",
       2000000000},
      {"special_key_path_style", "GET", "http", "127.0.0.1:9000", "sy-test", special, true, {}, {}, ""},
      {"special_key_vhost",
       "PUT",
       "https",
       "s3.us-east-1.amazonaws.com",
       "sy-bucket",
       special,
       false,
       {},
       {{"Content-Type", "image/jpeg"}},
       "x"},
      {"session_token",
       "GET",
       "https",
       "s3.us-east-1.amazonaws.com",
       "sy-bucket",
       "uploads/1",
       false,
       {},
       {},
       "",
       "us-east-1",
       "FQoGZXIvYXdzE//////////wEaDG+token/with+chars=="},
      {"header_whitespace_and_case",
       "GET",
       "https",
       "s3.us-east-1.amazonaws.com",
       "sy-bucket",
       "k",
       false,
       {},
       {{"X-Amz-Meta-Note", "  spaced   out\tvalue  "}, {"Range", "bytes=0-9"}, {"CONTENT-TYPE", "text/plain"}},
       "",
       "us-east-1",
       "",
       1369353600},
      {"ipv6_endpoint", "GET", "http", "[::1]:9000", "sy-test", "uploads/1", true, {{"list-type", "2"}}, {}, ""},
  };
}

TEST(SigV4, MatchesBotocoreForATableOfRequests) {
  const std::string python = "/usr/bin/python3";
  if (std::system((python + " -c 'import botocore' >/dev/null 2>&1").c_str()) != 0) {
    if (quick_mode()) GTEST_SKIP() << "python3-botocore not installed";
    FAIL() << "python3-botocore is needed: apt-get install python3-botocore (or SY_TEST_MODE=quick)";
  }
  TempDir dir;
  nlohmann::json in = nlohmann::json::array();
  std::map<std::string, sigv4::Signed> ours;
  std::map<std::string, std::string> our_paths;
  for (const Case& c : cases()) {
    S3Config cfg;
    cfg.scheme = c.scheme;
    cfg.endpoint_host = c.endpoint_host;
    cfg.bucket = c.bucket;
    cfg.path_style = c.path_style;
    cfg.region = c.region;
    std::string url = s3_url(cfg, c.key, sigv4::query_string(c.params));
    std::string rest = url.substr(url.find("://") + 3);
    our_paths[c.name] = rest.substr(
        rest.find('/'), rest.find('?') == std::string::npos ? std::string::npos : rest.find('?') - rest.find('/'));
    ours[c.name] = sigv4::sign({c.method, url, c.headers, sha256_hex(c.body)},
                               {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", c.token}, c.region, c.time);
    in.push_back({{"name", c.name},
                  {"method", c.method},
                  {"scheme", c.scheme},
                  {"endpoint_host", c.endpoint_host},
                  {"bucket", c.bucket},
                  {"key", c.key},
                  {"path_style", c.path_style},
                  {"params", c.params},
                  {"headers", c.headers},
                  {"body_hex", sy::text::hex(c.body)},
                  {"region", c.region},
                  {"access_key", "AKIDEXAMPLE"},
                  {"secret_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
                  {"token", c.token},
                  {"time", c.time}});
  }
  std::ofstream(dir.path / "in.json") << in.dump();
  std::string cmd = python + " " + SY_SOURCE_DIR + "/tests/storage/botocore_sign.py " +
                    (dir.path / "in.json").string() + " > " + (dir.path / "out.json").string() + " 2> " +
                    (dir.path / "err.txt").string();
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream err(dir.path / "err.txt");
    FAIL() << "botocore_sign.py failed: " << std::string((std::istreambuf_iterator<char>(err)), {});
  }
  nlohmann::json out = nlohmann::json::parse(std::ifstream(dir.path / "out.json"));
  ASSERT_EQ(out.size(), cases().size());
  for (const auto& r : out) {
    std::string name = r["name"];
    SCOPED_TRACE(name);
    const sigv4::Signed& s = ours.at(name);
    EXPECT_EQ(our_paths[name], r["url_path"].get<std::string>());
    EXPECT_EQ(s.authorization, r["authorization"].get<std::string>()) << "canonical request:\n" << s.canonical_request;
    EXPECT_EQ(header_value(s.headers, "X-Amz-Date"), r["x-amz-date"].get<std::string>());
    EXPECT_EQ(header_value(s.headers, "X-Amz-Content-SHA256"), r["x-amz-content-sha256"].get<std::string>());
    EXPECT_EQ(header_value(s.headers, "X-Amz-Security-Token"), r["x-amz-security-token"].get<std::string>());
  }
}

}  // namespace
}  // namespace sy::storage::testing
