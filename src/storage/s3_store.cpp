#include "storage/s3_store.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>

#include "core/config.h"
#include "core/text.h"
#include "storage/digest.h"
#include "storage/file_store.h"
#include "storage/xml.h"

namespace sy::storage {
namespace {

const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char* kMetaSha = "x-amz-meta-sha256";

std::string percent_decode(const std::string& s) {
  auto out = text::percent_decode_strict(s);
  if (!out) throw ConfigError("SCHOOLYARD_STORAGE_URL: bad %-escape in '" + s + "'");
  return *out;
}

bool all_of_chars(const std::string& s, const char* extra) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && std::strchr(extra, c));
  });
}

long parse_number(const std::string& name, const std::string& v, long lo, long hi) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi)
    throw ConfigError("SCHOOLYARD_STORAGE_URL: " + name + " must be a whole number from " + std::to_string(lo) +
                      " to " + std::to_string(hi) + ", got '" + v + "'");
  return n;
}

// DNS-compatible bucket names can go into the host name (virtual-hosted addressing).
bool dns_bucket(const std::string& b, bool https) {
  if (b.size() < 3 || b.size() > 63 || !all_of_chars(b, ".-")) return false;
  if (std::any_of(b.begin(), b.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return false;
  if (b.front() == '-' || b.front() == '.' || b.back() == '-' || b.back() == '.') return false;
  // A dotted name breaks the *.s3 TLS wildcard certificate.
  return !(https && b.find('.') != std::string::npos);
}

std::int64_t parse_http_date(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t system_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

struct S3ErrorBody {
  std::string code, message;
};

S3ErrorBody parse_error(const std::string& body) {
  S3ErrorBody e;
  if (body.empty()) return e;
  try {
    XmlElement root = parse_xml(body);
    if (root.name == "Error") {
      e.code = root.child_text("Code");
      e.message = root.child_text("Message");
    }
  } catch (const XmlError&) {}
  return e;
}

// Control characters from a remote answer never reach our messages (and so our logs).
std::string printable(std::string s, std::size_t max = 200) {
  if (s.size() > max) s.resize(max);
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

void check_key(const std::string& key) {
  if (!valid_key(key)) throw StorageError("s3: invalid object key", true);
}

}  // namespace

S3Config parse_s3_url(const std::string& url) {
  const std::string scheme = "s3://";
  if (!url.starts_with(scheme)) throw ConfigError("SCHOOLYARD_STORAGE_URL: expected s3://bucket?...");
  std::string rest = url.substr(scheme.size());
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  S3Config c;
  c.bucket = rest;
  if (c.bucket.size() < 3 || c.bucket.size() > 63 || !all_of_chars(c.bucket, ".-_"))
    throw ConfigError("SCHOOLYARD_STORAGE_URL: '" + printable(c.bucket) +
                      "' is not a bucket name (3-63 letters, digits, '.', '-', '_'; no path)");

  std::string endpoint, region, path_style;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (name == "endpoint")
      endpoint = value;
    else if (name == "region")
      region = value;
    else if (name == "path_style")
      path_style = value;
    else if (name == "timeout")
      c.timeout_ms = parse_number(name, value, 1, 3600) * 1000;
    else if (name == "connect_timeout")
      c.connect_timeout_ms = parse_number(name, value, 1, 300) * 1000;
    else if (name == "max_attempts")
      c.max_attempts = static_cast<int>(parse_number(name, value, 1, 10));
    else
      throw ConfigError("SCHOOLYARD_STORAGE_URL: unknown parameter '" + printable(name) +
                        "' (known: endpoint, region, path_style, timeout, connect_timeout, max_attempts)");
  }

  if (region.empty()) {
    for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"})
      if (const char* v = std::getenv(var); v && *v) {
        region = v;
        break;
      }
  }
  if (!region.empty()) c.region = region;
  if (!all_of_chars(c.region, "-"))
    throw ConfigError("SCHOOLYARD_STORAGE_URL: bad region '" + printable(c.region) + "'");

  if (endpoint.empty()) {
    c.scheme = "https";
    c.endpoint_host = "s3." + c.region + ".amazonaws.com";
  } else {
    auto sep = endpoint.find("://");
    if (sep == std::string::npos)
      throw ConfigError("SCHOOLYARD_STORAGE_URL: endpoint must start with http:// or https://");
    c.scheme = endpoint.substr(0, sep);
    std::string host = endpoint.substr(sep + 3);
    if (!host.empty() && host.back() == '/') host.pop_back();
    if (c.scheme != "http" && c.scheme != "https")
      throw ConfigError("SCHOOLYARD_STORAGE_URL: endpoint must start with http:// or https://");
    if (!all_of_chars(host, ".-:[]"))
      throw ConfigError("SCHOOLYARD_STORAGE_URL: endpoint must be scheme://host[:port], got '" + printable(endpoint) +
                        "'");
    for (char& ch : host)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    c.endpoint_host = host;
  }

  if (path_style.empty()) {
    // AWS prefers virtual-hosted names; S3-compatible servers (MinIO, Ceph, s3rver) usually
    // have no per-bucket DNS, so they default to path-style.
    std::string h = c.endpoint_host;
    if (auto colon = h.rfind(':'); colon != std::string::npos && h.back() != ']') h.resize(colon);
    c.path_style = !(h.ends_with(".amazonaws.com") || h.ends_with(".amazonaws.com.cn"));
  } else if (path_style == "1" || path_style == "true") {
    c.path_style = true;
  } else if (path_style == "0" || path_style == "false") {
    c.path_style = false;
  } else {
    throw ConfigError("SCHOOLYARD_STORAGE_URL: path_style must be 0 or 1");
  }
  if (!c.path_style && !dns_bucket(c.bucket, c.scheme == "https"))
    throw ConfigError("SCHOOLYARD_STORAGE_URL: bucket '" + c.bucket +
                      "' cannot be used in a host name (upper case, '_' or '.' with https); add path_style=1");
  return c;
}

sigv4::Credentials credentials_from_env() {
  sigv4::Credentials cr;
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  if (!id || !*id || !secret || !*secret)
    throw ConfigError("SCHOOLYARD_STORAGE_URL is s3:// but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set");
  cr.access_key_id = id;
  cr.secret_access_key = secret;
  if (token) cr.session_token = token;
  return cr;
}

std::string s3_url(const S3Config& c, const std::string& key, const std::string& query) {
  std::string url = c.scheme + "://";
  if (c.path_style) {
    url += c.endpoint_host + "/" + sigv4::uri_encode(c.bucket, true);
    if (!key.empty()) url += "/" + sigv4::uri_encode(key, false);
  } else {
    url += c.bucket + "." + c.endpoint_host + "/" + sigv4::uri_encode(key, false);
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

S3Store::S3Store(S3Config config)
    : config_(std::move(config)), http_(HttpTimeouts{config_.connect_timeout_ms, config_.timeout_ms, 30}) {}

std::string S3Store::describe(const Call& call) const {
  return "s3 " + call.method + " " + config_.bucket + "/" + call.key;
}

HttpResponse S3Store::execute(const Call& call) {
  const int attempts = call.max_attempts > 0 ? call.max_attempts : config_.max_attempts;
  const std::string url = s3_url(config_, call.key, call.query);
  std::string last_error;
  bool skew_fixed = false, creds_refreshed = false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    sigv4::Credentials creds = config_.credentials;
    if (config_.credential_source) {
      try {
        creds = config_.credential_source->get();
      } catch (const StorageError& e) {
        last_error = "no credentials from the " + config_.credential_source->describe() + ": " + e.what();
        if (e.permanent) throw StorageError(describe(call) + ": " + last_error, true);
        creds = {};
      }
    }
    HttpResult r;
    if (creds.access_key_id.empty()) {
      r.curl_code = -1;  // counted as a failed attempt: the credentials endpoint may recover
      r.retryable = true;
      r.error = last_error;
    } else {
      sigv4::Request sreq{call.method, url, call.headers, call.payload_sha256};
      auto signed_req = sigv4::sign(sreq, creds, config_.region, system_now() + clock_skew_.load());
      r = http_.perform(HttpRequest{call.method, url, std::move(signed_req.headers), call.body}, call.timeout_ms);
    }
    if (r.curl_code != 0) {
      last_error = r.error;
      if (!r.retryable) throw StorageError(describe(call) + ": " + last_error, true);
    } else {
      HttpResponse& resp = r.response;
      const long status = resp.status;
      if (status >= 200 && status < 300) {
        std::string problem = call.validate ? call.validate(resp) : std::string();
        if (problem.empty()) return std::move(resp);
        last_error = problem;
      } else if (status == 404) {
        return std::move(resp);
      } else {
        S3ErrorBody e = parse_error(resp.body);
        last_error = std::to_string(status) + (e.code.empty() ? "" : " " + printable(e.code)) +
                     (e.message.empty() ? "" : ": " + printable(e.message));
        if (std::string rid = header(resp, "x-amz-request-id"); !rid.empty())
          last_error += " (request id " + printable(rid, 64) + ")";
        if (std::string region = header(resp, "x-amz-bucket-region"); !region.empty() && region != config_.region)
          last_error += "; the bucket is in region " + printable(region, 32) + ", set region=" + printable(region, 32);
        if (e.code == "RequestTimeTooSkewed" && !skew_fixed) {
          // Sign with the server's clock from now on, as the AWS SDKs do; one free retry.
          if (std::int64_t server = parse_http_date(header(resp, "date")); server > 0) {
            clock_skew_ = server - system_now();
            skew_fixed = true;
            --attempt;
            continue;
          }
        }
        bool expired = e.code == "ExpiredToken" || e.code == "TokenRefreshRequired" || e.code == "InvalidToken" ||
                       e.code == "InvalidAccessKeyId";
        if (expired && config_.credential_source && !creds_refreshed) {
          config_.credential_source->invalidate();  // temporary credentials rotated early; fetch anew
          creds_refreshed = true;
          --attempt;
          continue;
        }
        bool transient = status >= 500 || status == 429 || status == 408 || e.code == "SlowDown" ||
                         e.code == "RequestTimeout" || e.code == "InternalError";
        if (!transient) throw StorageError(describe(call) + ": " + last_error, true);
      }
    }
    if (attempt >= attempts)
      throw StorageError(describe(call) + ": " + last_error + " (gave up after " + std::to_string(attempts) +
                             (attempts == 1 ? " attempt)" : " attempts)"),
                         false);
    // Exponential backoff with jitter: half the step fixed, half random.
    long step = std::min<long>(5000, config_.backoff_base_ms << std::min(attempt - 1, 16));
    long wait = step / 2 + static_cast<long>(rng() % static_cast<std::uint64_t>(step / 2 + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

ObjectInfo S3Store::put(const std::string& key, const std::string& bytes, const std::string& content_type) {
  check_key(key);
  std::string ct = content_type.empty() ? "application/octet-stream" : content_type;
  if (!valid_content_type(ct)) throw StorageError("s3: invalid content type", true);
  Call call;
  call.method = "PUT";
  call.key = key;
  call.body = bytes;
  call.payload_sha256 = sha256_hex(bytes);
  call.headers = {{"Content-Type", ct}, {kMetaSha, call.payload_sha256}};
  HttpResponse resp = execute(call);
  if (resp.status == 404) throw StorageError(describe(call) + ": 404 NoSuchBucket", true);
  return ObjectInfo{key, static_cast<std::int64_t>(bytes.size()), header(resp, "etag"), call.payload_sha256, ct};
}

std::optional<std::string> S3Store::get(const std::string& key) {
  check_key(key);
  Call call;
  call.method = "GET";
  call.key = key;
  call.payload_sha256 = kEmptySha256;
  call.validate = [](const HttpResponse& r) -> std::string {
    std::string want = header(r, kMetaSha);
    if (is_sha256_hex(want) && sha256_hex(r.body) != want) return "checksum mismatch on download";
    return "";
  };
  HttpResponse resp = execute(call);
  if (resp.status == 404) {
    S3ErrorBody e = parse_error(resp.body);
    if (e.code == "NoSuchBucket") throw StorageError(describe(call) + ": 404 NoSuchBucket", true);
    return std::nullopt;
  }
  return std::move(resp.body);
}

std::optional<ObjectInfo> S3Store::head(const std::string& key) {
  check_key(key);
  Call call;
  call.method = "HEAD";
  call.key = key;
  call.payload_sha256 = kEmptySha256;
  HttpResponse resp = execute(call);
  if (resp.status == 404) return std::nullopt;
  ObjectInfo info;
  info.key = key;
  std::string len = header(resp, "content-length");
  try {
    info.size = len.empty() ? 0 : std::stoll(len);
  } catch (const std::exception&) {
    throw StorageError(describe(call) + ": bad Content-Length", false);
  }
  info.etag = header(resp, "etag");
  info.content_type = header(resp, "content-type");
  std::string sha = header(resp, kMetaSha);
  if (is_sha256_hex(sha)) info.sha256 = sha;
  return info;
}

void S3Store::remove(const std::string& key) {
  check_key(key);
  Call call;
  call.method = "DELETE";
  call.key = key;
  call.payload_sha256 = kEmptySha256;
  HttpResponse resp = execute(call);
  if (resp.status == 404 && parse_error(resp.body).code == "NoSuchBucket")
    throw StorageError(describe(call) + ": 404 NoSuchBucket", true);
}

std::vector<ObjectInfo> S3Store::list(const std::string& prefix) {
  if (!valid_prefix(prefix)) throw StorageError("s3: invalid list prefix", true);
  std::vector<ObjectInfo> out;
  std::string token;
  for (int page = 0;; ++page) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!token.empty()) params.emplace_back("continuation-token", token);
    params.emplace_back("list-type", "2");
    if (config_.list_page_size > 0 && config_.list_page_size < 1000)
      params.emplace_back("max-keys", std::to_string(config_.list_page_size));
    if (!prefix.empty()) params.emplace_back("prefix", prefix);
    Call call;
    call.method = "GET";
    call.query = sigv4::query_string(params);
    call.payload_sha256 = kEmptySha256;
    std::vector<ObjectInfo> items;
    std::string next;
    bool truncated = false;
    // Parsing inside validate: a garbled page is fetched again like any other transient failure.
    call.validate = [&](const HttpResponse& r) -> std::string {
      items.clear();
      try {
        XmlElement root = parse_xml(r.body);
        if (root.name != "ListBucketResult") return "unexpected list answer <" + printable(root.name, 40) + ">";
        for (const auto& c : root.children) {
          if (c.name != "Contents") continue;
          ObjectInfo info;
          info.key = c.child_text("Key");
          info.etag = c.child_text("ETag");
          std::string size = c.child_text("Size");
          info.size = size.empty() ? 0 : std::stoll(size);
          items.push_back(std::move(info));
        }
        truncated = root.child_text("IsTruncated") == "true";
        next = root.child_text("NextContinuationToken");
      } catch (const std::exception& e) {
        return std::string("malformed list answer: ") + printable(e.what());
      }
      if (truncated && (next.empty() || next == token)) return "list answer truncated without a new continuation token";
      return "";
    };
    HttpResponse resp = execute(call);
    if (resp.status == 404) throw StorageError(describe(call) + ": 404 " + parse_error(resp.body).code, true);
    for (auto& i : items)
      if (i.key.starts_with(prefix)) out.push_back(std::move(i));
    if (!truncated) break;
    token = next;
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

bool S3Store::ping() {
  try {
    Call call;
    call.method = "GET";
    call.query = sigv4::query_string({{"list-type", "2"}, {"max-keys", "1"}});
    call.payload_sha256 = kEmptySha256;
    call.max_attempts = 1;
    call.timeout_ms = 5000;  // a readiness probe must answer quickly
    return execute(call).status / 100 == 2;
  } catch (const StorageError&) {
    return false;
  }
}

}  // namespace sy::storage
