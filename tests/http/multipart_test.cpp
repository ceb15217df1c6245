#include <gtest/gtest.h>

#include "core/error.h"
#include "http/multipart.h"
#include "http/types.h"

using namespace sy::http;

namespace {

const std::string kType = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";
const std::string kDash = "------WebKitFormBoundary7MA4YWxkTrZu0gW";

int status_of(const std::string& type, const std::string& body) {
  try {
    parse_multipart(type, body);
  } catch (const sy::AppError& e) {
    return sy::http::status_of(e.kind);
  }
  return 0;
}

}  // namespace

TEST(HttpMultipart, ParsesFieldsAndFiles) {
  const char raw[] = "\xff\xd8\xff\xe0\r\n--not-the-boundary\r\n\0binary";
  std::string jpeg(raw, sizeof raw - 1);
  std::string body = kDash + "\r\n" + "Content-Disposition: form-data; name=\"quote\"\r\n\r\n" + "Carpe diem\r\n" +
                     kDash + "\r\n" +
                     "Content-Disposition: form-data; name=\"photo\"; filename=\"me \\\"1\\\".jpg\"\r\n" +
                     "Content-Type: image/jpeg\r\n\r\n" + jpeg + "\r\n" + kDash + "--\r\n";
  auto parts = parse_multipart(kType, body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "quote");
  EXPECT_FALSE(parts[0].filename);
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[0].data, "Carpe diem");
  EXPECT_EQ(parts[1].name, "photo");
  EXPECT_EQ(parts[1].filename, "me \"1\".jpg");
  EXPECT_EQ(parts[1].content_type, "image/jpeg");
  EXPECT_EQ(parts[1].data, jpeg);
  ASSERT_NE(find_part(parts, "photo"), nullptr);
  EXPECT_EQ(find_part(parts, "nope"), nullptr);
}

TEST(HttpMultipart, QuotedBoundaryAndEmptyPart) {
  std::string type = "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"";
  std::string body = "--a b:c\r\nContent-Disposition: form-data; name=empty\r\n\r\n\r\n--a b:c--";
  auto parts = parse_multipart(type, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "empty");
  EXPECT_EQ(parts[0].data, "");
}

TEST(HttpMultipart, RejectsMalformed) {
  std::string part = "Content-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  EXPECT_EQ(status_of("application/json", "{}"), 415);
  EXPECT_EQ(status_of("multipart/form-data", kDash + "\r\n" + part + kDash + "--"), 400);  // no boundary
  EXPECT_EQ(status_of("multipart/form-data; boundary=" + std::string(71, 'a'), "x"), 400);
  EXPECT_EQ(status_of("multipart/form-data; boundary=\"unterminated", "x"), 400);
  EXPECT_EQ(status_of(kType, "preamble\r\n" + kDash + "\r\n" + part + kDash + "--"), 400);
  EXPECT_EQ(status_of(kType, kDash + "\r\n" + part), 400);  // no closing delimiter
  EXPECT_EQ(status_of(kType, kDash + "\r\n" + "Content-Disposition: form-data; name=\"a\"\r\nx"), 400);
  EXPECT_EQ(status_of(kType, kDash + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + kDash + "--"), 400);
  EXPECT_EQ(status_of(kType, kDash + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n" + kDash + "--"),
            400);
  EXPECT_EQ(status_of(kType, kDash + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n" + kDash + "--"), 400);
  EXPECT_EQ(status_of(kType, kDash + "\r\nbroken header line\r\n\r\nx\r\n" + kDash + "--"), 400);
  EXPECT_EQ(status_of(kType, kDash + "--"), 400);  // no parts
  EXPECT_EQ(status_of(kType, ""), 400);
  EXPECT_EQ(status_of(kType, kDash + "junk\r\n" + part + kDash + "--"), 400);
}

TEST(HttpMultipart, Limits) {
  auto code_of = [](const std::string& body, const MultipartLimits& l = {}) -> std::string {
    try {
      parse_multipart(kType, body, l);
    } catch (const sy::AppError& e) {
      return std::to_string(sy::http::status_of(e.kind)) + " " + e.code;
    }
    return "ok";
  };
  auto file_part = [](int i) {
    return kDash + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + std::to_string(i) +
           "\"\r\n\r\nx\r\n";
  };
  std::string body;
  for (int i = 0; i < 33; ++i) body += file_part(i);
  body += kDash + "--";
  EXPECT_EQ(code_of(body), "413 too_many_parts");  // more than 32 parts
  MultipartLimits many;
  many.max_parts = 40;
  EXPECT_EQ(parse_multipart(kType, body, many).size(), 33u);

  std::string fields;
  for (int i = 0; i < 17; ++i) fields += kDash + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  fields += kDash + "--";
  EXPECT_EQ(code_of(fields), "413 too_many_fields");  // parts without a filename
  many.max_fields = 17;
  EXPECT_EQ(parse_multipart(kType, fields, many).size(), 17u);

  std::string big = kDash + "\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: " + std::string(9000, 'p') +
                    "\r\n\r\nx\r\n" + kDash + "--";
  EXPECT_EQ(code_of(big), "413 part_headers_too_large");
  // Without any blank line: refused after the header limit, not searched to the end.
  EXPECT_EQ(code_of(kDash + "\r\nX: " + std::string(1 << 20, 'h')), "413 part_headers_too_large");
  EXPECT_EQ(code_of(kDash + "\r\nContent-Disposition: form-data; name=\"f\"\r\n"), "400 bad_request");

  std::string long_name =
      kDash + "\r\nContent-Disposition: form-data; name=\"" + std::string(257, 'n') + "\"\r\n\r\nx\r\n" + kDash + "--";
  EXPECT_EQ(code_of(long_name), "413 field_name_too_long");
  std::string long_value = kDash + "\r\nContent-Disposition: form-data; name=\"quote\"\r\n\r\n" +
                           std::string(64 * 1024 + 1, 'v') + "\r\n" + kDash + "--";
  EXPECT_EQ(code_of(long_value), "413 field_value_too_long");
  // A file part is not a field: its size is the route's body limit's business.
  std::string big_file = kDash + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n" +
                         std::string(200 * 1024, 'j') + "\r\n" + kDash + "--";
  EXPECT_EQ(code_of(big_file), "ok");
}

TEST(HttpMultipart, FromRequest) {
  Request r;
  r.headers = {{"content-type", kType}};
  r.body = kDash + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" + kDash + "--\r\n";
  EXPECT_EQ(parse_multipart(r).at(0).data, "1");
  Request none;
  try {
    parse_multipart(none);
    FAIL();
  } catch (const sy::AppError& e) {
    EXPECT_EQ(sy::http::status_of(e.kind), 415);
  }
}

TEST(HttpMultipart, AdversarialDataIsFast) {
  // Data made of near-delimiters must not make the search quadratic.
  std::string near;
  while (near.size() < 4 * 1024 * 1024) near += "\r\n" + kDash.substr(0, kDash.size() - 1) + "x";
  std::string body = kDash + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n" + near +
                     "\r\n" + kDash + "--";
  auto t0 = std::chrono::steady_clock::now();
  auto parts = parse_multipart(kType, body);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(parts.at(0).data.size(), near.size());
  EXPECT_LT(secs, 2.0);
}
