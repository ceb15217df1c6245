// s3:// store against a scripted fake server: what goes on the wire, retries, give-up, timeouts,
// addressing styles, paging and checksum handling.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "core/config.h"
#include "storage/digest.h"
#include "storage/s3_store.h"
#include "storage/testing_env.h"
#include "storage/testing_fake_s3.h"

namespace sy::storage::testing {
namespace {

using Clock = std::chrono::steady_clock;

S3Config config_for(const std::string& endpoint, const std::string& extra = "&path_style=1") {
  S3Config cfg = parse_s3_url("s3://sy-test?endpoint=" + endpoint + "&region=us-east-1" + extra);
  cfg.credentials = {"AKIDTEST", "SECRETTEST", ""};
  cfg.backoff_base_ms = 10;
  return cfg;
}

FakeResponse ok(std::string body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
  return FakeResponse{200, std::move(headers), std::move(body)};
}

FakeResponse s3_error(int status, const std::string& code) {
  return FakeResponse{status, {{"Content-Type", "application/xml"}}, error_xml(code)};
}

std::int64_t parse_amz_date(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return 0;
  return timegm(&tm);
}

std::string field(const std::string& auth, const std::string& name) {
  auto b = auth.find(name + "=");
  if (b == std::string::npos) return "";
  b += name.size() + 1;
  auto e = auth.find(',', b);
  return auth.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

// Re-signs what actually arrived (after libcurl): equal only if nothing signed was altered on the way.
void expect_wire_matches_signature(const FakeRequest& r, const S3Config& cfg) {
  std::string auth = r.header("authorization");
  ASSERT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=" + cfg.credentials.access_key_id + "/", 0), 0u) << auth;
  sigv4::Headers signed_headers;
  std::string names = field(auth, "SignedHeaders");
  for (std::size_t b = 0; b <= names.size();) {
    std::size_t e = names.find(';', b);
    if (e == std::string::npos) e = names.size();
    std::string n = names.substr(b, e - b);
    signed_headers.emplace_back(n, r.header(n));
    b = e + 1;
  }
  auto s = sigv4::sign(
      {r.method, cfg.scheme + "://" + r.header("host") + r.target, signed_headers, r.header("x-amz-content-sha256")},
      cfg.credentials, cfg.region, parse_amz_date(r.header("x-amz-date")));
  EXPECT_EQ(s.authorization, auth);
}

std::string http_date(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(S3Wire, PutSendsBodyChecksumsAndAValidSignature) {
  FakeS3 fake([](const FakeRequest&, int) { return ok("", {{"ETag", "\"abc\""}}); });
  S3Config cfg = config_for(fake.endpoint());
  S3Store store(cfg);
  std::string bytes = binary_bytes(200000, 4);
  ObjectInfo info = store.put("uploads/1", bytes, "image/jpeg");
  EXPECT_EQ(info.etag, "\"abc\"");
  EXPECT_EQ(info.sha256, sha256_hex(bytes));
  ASSERT_EQ(fake.count(), 1u);
  FakeRequest r = fake.requests()[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/sy-test/uploads/1");
  EXPECT_EQ(r.header("host"), "127.0.0.1:" + std::to_string(fake.port()));
  EXPECT_TRUE(r.body == bytes);
  EXPECT_EQ(r.header("x-amz-content-sha256"), sha256_hex(bytes));
  EXPECT_EQ(r.header("x-amz-meta-sha256"), sha256_hex(bytes));
  EXPECT_EQ(r.header("content-type"), "image/jpeg");
  EXPECT_EQ(r.header("expect"), "");
  EXPECT_EQ(r.header("x-amz-security-token"), "");
  expect_wire_matches_signature(r, cfg);
}

TEST(S3Wire, SessionTokenIsSent) {
  FakeS3 fake([](const FakeRequest&, int) { return ok("x"); });
  S3Config cfg = config_for(fake.endpoint());
  cfg.credentials.session_token = "IQoJb3JpZ2luX2VjE/session+token==";
  S3Store store(cfg);
  EXPECT_EQ(store.get("uploads/1").value_or(""), "x");
  FakeRequest r = fake.requests().at(0);
  EXPECT_EQ(r.header("x-amz-security-token"), cfg.credentials.session_token);
  EXPECT_NE(field(r.header("authorization"), "SignedHeaders").find("x-amz-security-token"), std::string::npos);
  expect_wire_matches_signature(r, cfg);
}

TEST(S3Wire, VirtualHostedAddressingPutsTheBucketInTheHostName) {
  FakeS3 fake([](const FakeRequest&, int) { return ok("hello"); });
  // curl resolves *.localhost to the loopback address itself, so no DNS is involved.
  S3Config cfg = config_for("http://localhost:" + std::to_string(fake.port()), "&path_style=0");
  S3Store store(cfg);
  EXPECT_EQ(store.get("compressed/7/jpeg").value_or(""), "hello");
  FakeRequest r = fake.requests().at(0);
  EXPECT_EQ(r.header("host"), "sy-test.localhost:" + std::to_string(fake.port()));
  EXPECT_EQ(r.target, "/compressed/7/jpeg");
  expect_wire_matches_signature(r, cfg);
}

TEST(S3Wire, HeadReadsSizeEtagTypeAndChecksum) {
  std::string sha = sha256_hex("whatever");
  FakeS3 fake([&](const FakeRequest& r, int) {
    if (r.target.ends_with("/missing")) return FakeResponse{404, {}, ""};
    return ok(
        "",
        {{"Content-Length", "1234"}, {"ETag", "\"e1\""}, {"Content-Type", "image/webp"}, {"x-amz-meta-sha256", sha}});
  });
  S3Store store(config_for(fake.endpoint()));
  auto h = store.head("uploads/5");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->size, 1234);
  EXPECT_EQ(h->etag, "\"e1\"");
  EXPECT_EQ(h->content_type, "image/webp");
  EXPECT_EQ(h->sha256, sha);
  EXPECT_FALSE(store.head("uploads/missing").has_value());
  EXPECT_EQ(fake.requests().at(0).method, "HEAD");
}

TEST(S3Retry, SlowDownAndServerErrorsAreRetried) {
  FakeS3 fake([](const FakeRequest&, int i) {
    if (i == 0) return s3_error(503, "SlowDown");
    if (i == 1) return s3_error(500, "InternalError");
    if (i == 2) return FakeResponse{200, {}, "", false, true};  // connection dropped
    return ok("", {{"ETag", "\"ok\""}});
  });
  S3Store store(config_for(fake.endpoint()));
  EXPECT_EQ(store.put("uploads/1", "data", "text/plain").etag, "\"ok\"");
  ASSERT_EQ(fake.count(), 4u);
  for (const auto& r : fake.requests()) EXPECT_EQ(r.body, "data") << "the body is sent again in full";
}

TEST(S3Retry, GivesUpAfterMaxAttemptsWithARetryableError) {
  FakeS3 fake([](const FakeRequest&, int) { return s3_error(500, "InternalError"); });
  S3Config cfg = config_for(fake.endpoint(), "&path_style=1&max_attempts=3");
  S3Store store(cfg);
  try {
    store.put("uploads/1", "x", "text/plain");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent);
    EXPECT_NE(std::string(e.what()).find("InternalError"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fake.count(), 3u);
}

TEST(S3Retry, ClientErrorsArePermanentAndNotRetried) {
  FakeS3 fake([](const FakeRequest&, int) { return s3_error(403, "AccessDenied"); });
  S3Store store(config_for(fake.endpoint()));
  try {
    store.get("uploads/1");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
    EXPECT_NE(std::string(e.what()).find("403 AccessDenied"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("SECRETTEST"), std::string::npos);
  }
  EXPECT_EQ(fake.count(), 1u);
}

TEST(S3Retry, MissingKeyIsNulloptButMissingBucketIsPermanent) {
  FakeS3 fake([](const FakeRequest& r, int) {
    return r.target.starts_with("/sy-test/") ? s3_error(404, "NoSuchKey") : s3_error(404, "NoSuchBucket");
  });
  S3Store store(config_for(fake.endpoint()));
  EXPECT_FALSE(store.get("uploads/1").has_value());
  EXPECT_NO_THROW(store.remove("uploads/1"));
  S3Config other = config_for(fake.endpoint());
  other.bucket = "gone";
  S3Store gone(other);
  try {
    gone.get("uploads/1");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
  }
  EXPECT_THROW(gone.list(""), StorageError);
  EXPECT_FALSE(gone.ping());
}

TEST(S3Retry, RedirectNamesTheBucketRegion) {
  FakeS3 fake([](const FakeRequest&, int) {
    FakeResponse r = s3_error(301, "PermanentRedirect");
    r.headers.emplace_back("x-amz-bucket-region", "eu-west-1");
    return r;
  });
  S3Store store(config_for(fake.endpoint()));
  try {
    store.get("uploads/1");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.permanent);
    EXPECT_NE(std::string(e.what()).find("region=eu-west-1"), std::string::npos) << e.what();
  }
}

TEST(S3Retry, HangingServerTimesOutWithinBounds) {
  FakeS3 fake([](const FakeRequest&, int) { return FakeResponse{200, {}, "", true}; });
  S3Config cfg = config_for(fake.endpoint(), "&path_style=1&max_attempts=2&timeout=1");
  S3Store store(cfg);
  auto t0 = Clock::now();
  try {
    store.get("uploads/1");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent);
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_GE(secs, 1.9);
  EXPECT_LT(secs, 6.0);
  EXPECT_EQ(fake.count(), 2u);
}

TEST(S3Retry, ClosedPortFailsRetryablyAfterBoundedRetries) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // nothing listens there now
  S3Config cfg = parse_s3_url("s3://sy-test?endpoint=http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  cfg.credentials = {"AKIDTEST", "SECRETTEST", ""};
  ASSERT_EQ(cfg.max_attempts, 4);
  S3Store store(cfg);  // default retry policy
  auto t0 = Clock::now();
  for (auto op : {0, 1, 2}) {
    try {
      if (op == 0) store.put("uploads/1", "x", "text/plain");
      if (op == 1) store.get("uploads/1");
      if (op == 2) store.list("uploads/");
      ADD_FAILURE() << "op " << op << " succeeded";
    } catch (const StorageError& e) {
      EXPECT_FALSE(e.permanent) << e.what();
      EXPECT_NE(std::string(e.what()).find("4 attempts"), std::string::npos) << e.what();
    }
  }
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 5.0);
  EXPECT_FALSE(store.ping());
}

TEST(S3Retry, ClockSkewIsLearntFromTheServer) {
  const std::int64_t ahead = 3600;
  FakeS3 fake([&](const FakeRequest& r, int) {
    std::int64_t server_now = std::time(nullptr) + ahead;
    if (std::llabs(parse_amz_date(r.header("x-amz-date")) - server_now) > 60) {
      FakeResponse resp = s3_error(403, "RequestTimeTooSkewed");
      resp.headers.emplace_back("Date", http_date(server_now));
      return resp;
    }
    return ok("fine");
  });
  S3Store store(config_for(fake.endpoint(), "&path_style=1&max_attempts=1"));
  EXPECT_EQ(store.get("uploads/1").value_or(""), "fine");
  EXPECT_EQ(fake.count(), 2u);
  EXPECT_EQ(store.get("uploads/1").value_or(""), "fine");
  EXPECT_EQ(fake.count(), 3u) << "the correction is kept";
}

TEST(S3Checksum, GetRejectsBytesThatDoNotMatchTheStoredChecksum) {
  FakeS3 fake([](const FakeRequest&, int i) {
    std::string body = i < 2 ? "corrupted" : "payload";
    return ok(body, {{"x-amz-meta-sha256", sha256_hex("payload")}});
  });
  S3Store store(config_for(fake.endpoint()));
  EXPECT_EQ(store.get("uploads/1").value_or(""), "payload");
  EXPECT_EQ(fake.count(), 3u);

  FakeS3 bad([](const FakeRequest&, int) { return ok("corrupted", {{"x-amz-meta-sha256", sha256_hex("payload")}}); });
  S3Store bad_store(config_for(bad.endpoint(), "&path_style=1&max_attempts=2"));
  try {
    bad_store.get("uploads/1");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent);
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos);
  }
}

TEST(S3List, FollowsContinuationTokensAndDecodesEntities) {
  FakeS3 fake([](const FakeRequest& r, int i) {
    std::string page;
    if (i == 0) {
      page =
          "<Contents><Key>uploads/b</Key><ETag>&quot;2&quot;</ETag><Size>2</Size></Contents>"
          "<Contents><Key>uploads/a&amp;1</Key><ETag>&quot;1&quot;</ETag><Size>1</Size></Contents>"
          "<IsTruncated>true</IsTruncated><NextContinuationToken>tok+/= 1&amp;</NextContinuationToken>";
    } else {
      page =
          "<Contents><Key>uploads/c</Key><ETag>\"3\"</ETag><Size>30</Size></Contents><IsTruncated>false</IsTruncated>";
    }
    return ok(
        "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>sy-test</Name>" +
        page + "</ListBucketResult>");
  });
  S3Config cfg = config_for(fake.endpoint());
  S3Store store(cfg);
  auto list = store.list("uploads/");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].key, "uploads/a&1");
  EXPECT_EQ(list[0].etag, "\"1\"");
  EXPECT_EQ(list[1].key, "uploads/b");
  EXPECT_EQ(list[2].key, "uploads/c");
  EXPECT_EQ(list[2].size, 30);
  auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/sy-test?list-type=2&prefix=uploads%2F");
  EXPECT_EQ(reqs[1].target, "/sy-test?continuation-token=tok%2B%2F%3D%201%26&list-type=2&prefix=uploads%2F");
  expect_wire_matches_signature(reqs[1], cfg);
}

TEST(S3List, TruncatedPageWithoutATokenIsAnErrorNotALoop) {
  FakeS3 fake([](const FakeRequest&, int) {
    return ok("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  });
  S3Store store(config_for(fake.endpoint(), "&path_style=1&max_attempts=2"));
  EXPECT_THROW(store.list(""), StorageError);
  EXPECT_EQ(fake.count(), 2u);
}

TEST(S3List, GarbageAnswerIsRetriedThenFails) {
  FakeS3 fake([](const FakeRequest&, int) { return ok("<html>proxy error</html"); });
  S3Store store(config_for(fake.endpoint(), "&path_style=1&max_attempts=2"));
  try {
    store.list("");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent);
  }
}

TEST(S3Keys, RejectedKeysNeverReachTheNetwork) {
  FakeS3 fake([](const FakeRequest&, int) { return ok(); });
  S3Store store(config_for(fake.endpoint()));
  for (std::string bad : {"../x", "/abs", "a//b", "A", "a/.b", "a b", "a?b=c", "a#b", "a/"}) {
    EXPECT_THROW(store.put(bad, "x", "text/plain"), StorageError);
    EXPECT_THROW(store.get(bad), StorageError);
    EXPECT_THROW(store.head(bad), StorageError);
    EXPECT_THROW(store.remove(bad), StorageError);
  }
  EXPECT_THROW(store.list("../"), StorageError);
  EXPECT_THROW(store.put("uploads/1", "x", "image/jpeg\r\nX-Evil: 1"), StorageError);
  EXPECT_EQ(fake.count(), 0u);
}

TEST(S3Ping, OneQuickAttempt) {
  FakeS3 fake([](const FakeRequest& r, int i) {
    return i == 0 ? ok("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
                  : s3_error(503, "SlowDown");
  });
  S3Store store(config_for(fake.endpoint()));
  EXPECT_TRUE(store.ping());
  EXPECT_EQ(fake.requests().at(0).target, "/sy-test?list-type=2&max-keys=1");
  EXPECT_FALSE(store.ping());
  EXPECT_EQ(fake.count(), 2u);
}

}  // namespace
}  // namespace sy::storage::testing
