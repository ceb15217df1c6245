// `schoolyard lambda` against a local server implementing the Lambda Runtime API endpoints
// (lambda_runtime_server.py), with real S3 event notification JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "jobs/pipeline_fixture.h"
#include "jobs/process.h"

using namespace sy;
using J = nlohmann::json;

namespace {

// The documented S3 notification (eventVersion 2.1) for one object.
std::string s3_event(const std::string& name, const std::string& bucket, const std::string& key, std::int64_t size,
                     const std::string& etag, const std::string& sequencer) {
  J rec = {{"eventVersion", "2.1"},
           {"eventSource", "aws:s3"},
           {"awsRegion", "us-east-1"},
           {"eventTime", "2024-05-01T12:00:00.000Z"},
           {"eventName", name},
           {"userIdentity", {{"principalId", "AWS:AIDAEXAMPLE"}}},
           {"requestParameters", {{"sourceIPAddress", "203.0.113.9"}}},
           {"responseElements",
            {{"x-amz-request-id", "C3D13FE58DE4C810"},
             {"x-amz-id-2", "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"}}},
           {"s3",
            {{"s3SchemaVersion", "1.0"},
             {"configurationId", "schoolyard-uploads"},
             {"bucket",
              {{"name", bucket},
               {"ownerIdentity", {{"principalId", "A3NL1KOZZKExample"}}},
               {"arn", "arn:aws:s3:::" + bucket}}},
             {"object", {{"key", key}, {"size", size}, {"eTag", etag}, {"sequencer", sequencer}}}}}};
  return J{{"Records", J::array({rec})}}.dump();
}

std::vector<J> read_lines(const std::string& path) {
  std::vector<J> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(J::parse(line));
  return out;
}

std::string url_encode_key(const std::string& key) {
  // S3 encodes keys in events; '/' and [A-Za-z0-9] stay, everything else is %XX.
  std::ostringstream o;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.')
      o << c;
    else
      o << '%' << std::uppercase << std::hex << (c >> 4) << (c & 15);
  }
  return o.str();
}

}  // namespace

class Lambda : public test::PipelineFixture {
 protected:
  pid_t server = 0, runtime = 0;
  std::string dir, out;

  void TearDown() override {
    test::stop(runtime);
    test::stop(server);
  }

  std::string start_runtime_api(const J& events) {
    dir = test::temp_dir("lambda");
    out = dir + "/out.jsonl";
    std::ofstream(dir + "/events.json") << events.dump();
    server = test::spawn({"/usr/bin/python3", std::string(SY_SOURCE_DIR) + "/tests/jobs/lambda_runtime_server.py",
                          "--events", dir + "/events.json", "--out", out, "--port-file", dir + "/port"});
    EXPECT_TRUE(wait_for([&] { return std::filesystem::exists(dir + "/port"); }, 10000)) << "runtime API did not start";
    std::string port;
    std::ifstream(dir + "/port") >> port;
    return "127.0.0.1:" + port;
  }

  std::map<std::string, std::string> lambda_env(const std::string& api) {
    return {{"AWS_LAMBDA_RUNTIME_API", api},       {"SCHOOLYARD_DB_URL", db_url},
            {"SCHOOLYARD_STORAGE_URL", store_url}, {"SCHOOLYARD_DATA_DIR", dir},
            {"SCHOOLYARD_AUTO_MIGRATE", "0"},      {"SCHOOLYARD_WORKERS", "1"},
            {"SCHOOLYARD_JPEG_MAX_EDGE", "640"},   {"SCHOOLYARD_THUMB_MAX_EDGE", "160"},
            {"SCHOOLYARD_LOG_LEVEL", "warn"}};
  }

  void scenario() {
    auto s = add_user("lam", Role::student);
    auto id = upload(s, test::make_png(640, 480, 4));
    auto job = job_of(id);
    const std::string bucket = app->store->bucket();
    // An original whose upload transaction never committed (no photo row), still in the bucket.
    std::string pending_key = "uploads/" + std::string(32, 'a');
    app->store->put(pending_key, test::make_png(10, 10), "image/png");
    std::string etag = job.etag.empty() ? "d41d8cd98f00b204e9800998ecf8427e" : job.etag;

    J events = J::array({
        {{"body",
          s3_event("ObjectCreated:Put", bucket, url_encode_key(job.object_key), job.size, etag, "0055AED6DCD90281E5")}},
        {{"body",
          s3_event("ObjectCreated:Put", bucket, url_encode_key(job.object_key), job.size, etag, "0055AED6DCD90281E5")}},
        {{"body",
          s3_event("ObjectCreated:Put", bucket, "compressed/" + std::to_string(id) + "/jpeg.jpg", 10, "x", "0056")}},
        {{"body", R"({"hello":"not an S3 event"})"}},
        {{"body", s3_event("ObjectCreated:Put", bucket, "uploads/" + std::string(32, 'f'), 10, "x", "0057")}},
        {{"body", s3_event("ObjectRemoved:Delete", bucket, url_encode_key(job.object_key), 0, "", "0058")}},
        {{"body", s3_event("ObjectCreated:Put", bucket, pending_key, 10, "y", "0059")}, {"deadline_ms", 2500}},
    });
    if (job.etag.empty()) {
      // The file store reports no ETag: the outbox row then matches on the key alone.
      app->db->tx(
          [&](db::Tx& t) { t.exec("UPDATE jobs SET etag = '" + etag + "' WHERE id = " + std::to_string(job.id)); });
    }
    auto api = start_runtime_api(events);
    runtime = test::spawn({SY_BINARY, "lambda"}, lambda_env(api));
    ASSERT_TRUE(wait_for([&] { return read_lines(out).size() >= events.size(); }, 90000))
        << "the runtime answered " << read_lines(out).size() << " of " << events.size() << " invocations";
    std::map<std::string, J> by_id;
    for (auto& l : read_lines(out)) by_id[l["id"].get<std::string>()] = l;

    auto result = [&](const char* rid) {
      const J& l = by_id[rid];
      EXPECT_EQ(l["kind"], "response") << rid << ": " << l.dump();
      if (l["kind"] != "response") return std::string();
      auto body = J::parse(l["body"].get<std::string>());
      return body["records"][0]["result"].get<std::string>();
    };
    EXPECT_EQ(result("req-0"), "ready");
    EXPECT_EQ(result("req-1").rfind("duplicate", 0), 0u);
    EXPECT_EQ(result("req-2").rfind("skipped: not under uploads/", 0), 0u) << "compressed/ is never processed";
    EXPECT_EQ(by_id["req-3"]["kind"], "error");
    EXPECT_EQ(by_id["req-3"]["error_type"], "InvalidEvent");
    EXPECT_EQ(J::parse(by_id["req-3"]["body"].get<std::string>())["errorType"], "InvalidEvent");
    EXPECT_EQ(result("req-4").rfind("skipped: no photo", 0), 0u);
    EXPECT_EQ(result("req-5").rfind("skipped", 0), 0u);
    EXPECT_EQ(by_id["req-6"]["kind"], "error") << "a key without its photo row yet must be delivered again";
    EXPECT_NE(by_id["req-6"]["body"].get<std::string>().find("no photo references"), std::string::npos);

    auto p = photo(id);
    EXPECT_EQ(p.status, PhotoStatus::ready);
    EXPECT_EQ(variants(id).size(), 3u);
    EXPECT_EQ(app->store->list("compressed/" + std::to_string(id) + "/").size(), 3u);
    auto j = job_of(id);
    EXPECT_EQ(j.status, JobStatus::done);
    EXPECT_EQ(j.attempts, 1) << "the duplicate event did not run the job again";
  }
};

TEST_F(Lambda, HandlesS3EventsOnTheFileStore) { scenario(); }

TEST_F(Lambda, HandlesS3EventsOnS3) {
  SY_REQUIRE_ENV(s3, "SY_TEST_S3_URL");
  open_app(s3);
  spread_photo_ids();
  scenario();
}

TEST_F(Lambda, ReportsInitErrors) {
  auto api = start_runtime_api(J::array());
  auto env = lambda_env(api);
  env["SCHOOLYARD_DB_URL"] = "mysql://nobody:wrong@127.0.0.1:1/none";
  runtime = test::spawn({SY_BINARY, "lambda"}, env);
  EXPECT_EQ(test::wait_exit(runtime, 30000), 1);
  runtime = 0;
  auto lines = read_lines(out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["kind"], "init_error");
  EXPECT_EQ(J::parse(lines[0]["body"].get<std::string>())["errorType"], "Runtime.InitError");
}
