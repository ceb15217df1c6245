#include "storage/credentials.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/text.h"
#include "storage/http_client.h"
#include "storage/object_store.h"

namespace sy::storage {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::int64_t now_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t parse_iso8601(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

class StaticSource : public CredentialSource {
 public:
  explicit StaticSource(sigv4::Credentials c) : c_(std::move(c)) {}
  sigv4::Credentials get() override { return c_; }
  std::string describe() const override { return "environment"; }

 private:
  sigv4::Credentials c_;
};

// Metadata endpoints are local and fast; a slow one is as good as absent.
HttpTimeouts metadata_timeouts() { return HttpTimeouts{1000, 3000, 3}; }

HttpResponse fetch_ok(HttpClient& http, HttpRequest req, const std::string& what) {
  HttpResult r = http.perform(req);
  if (r.curl_code != 0) throw StorageError(what + ": " + r.error, false);
  if (r.response.status != 200)
    throw StorageError(what + ": HTTP " + std::to_string(r.response.status), r.response.status / 100 == 4);
  return std::move(r.response);
}

class ContainerSource : public FetchedCredentials {
 public:
  ContainerSource(std::string url, std::string token, std::string token_file)
      : url_(std::move(url)),
        token_(std::move(token)),
        token_file_(std::move(token_file)),
        http_(metadata_timeouts()) {}
  std::string describe() const override { return "container credentials endpoint"; }

 protected:
  Fetched fetch() override {
    HttpRequest req{"GET", url_, {}, {}};
    std::string token = token_;
    if (!token_file_.empty()) {
      // EKS rotates this file, so it is read on every refresh.
      std::ifstream in(token_file_);
      if (!in) throw StorageError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + token_file_, false);
      token = text::trim_copy(std::string((std::istreambuf_iterator<char>(in)), {}));
    }
    if (!token.empty()) req.headers.emplace_back("Authorization", token);
    return parse_credentials_json(fetch_ok(http_, req, "container credentials").body);
  }

 private:
  std::string url_, token_, token_file_;
  HttpClient http_;
};

class ImdsSource : public FetchedCredentials {
 public:
  explicit ImdsSource(std::string endpoint) : endpoint_(std::move(endpoint)), http_(metadata_timeouts()) {}
  std::string describe() const override { return "EC2 instance profile"; }

 protected:
  Fetched fetch() override {
    // IMDSv2: a session token first (PUT), then the role name, then its credentials.
    HttpRequest tok{"PUT", endpoint_ + "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, {}};
    std::string token = text::trim_copy(fetch_ok(http_, tok, "instance metadata token").body);
    sigv4::Headers auth{{"X-aws-ec2-metadata-token", token}};
    const std::string base = endpoint_ + "/latest/meta-data/iam/security-credentials/";
    std::string roles = fetch_ok(http_, HttpRequest{"GET", base, auth, {}}, "instance profile role").body;
    std::string role = text::trim_copy(roles.substr(0, roles.find('\n')));
    if (role.empty() || role.find('/') != std::string::npos)
      throw StorageError("the instance has no IAM role (instance profile) attached", true);
    return parse_credentials_json(
        fetch_ok(http_, HttpRequest{"GET", base + role, auth, {}}, "instance profile credentials").body);
  }

 private:
  std::string endpoint_;
  HttpClient http_;
};

// The SDKs' rule: a full URI must be https, or http to a loopback or the ECS/EKS agent address.
bool allowed_container_uri(const std::string& uri) {
  if (uri.starts_with("https://")) return true;
  for (const char* host : {"http://127.0.0.1", "http://localhost", "http://[::1]", "http://169.254.170.2",
                           "http://169.254.170.23", "http://[fd00:ec2::23]"}) {
    std::string h = host;
    if (uri.starts_with(h) && (uri.size() == h.size() || uri[h.size()] == ':' || uri[h.size()] == '/')) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<CredentialSource> static_credentials(sigv4::Credentials credentials) {
  return std::make_shared<StaticSource>(std::move(credentials));
}

sigv4::Credentials FetchedCredentials::get() {
  std::lock_guard lock(mu_);
  std::int64_t now = now_seconds();
  if (have_ && (current_.expires_at == 0 || now < current_.expires_at - 300)) return current_.credentials;
  try {
    current_ = fetch();
    have_ = true;
  } catch (const StorageError&) {
    // A failed refresh is harmless while the old credentials are still valid.
    if (have_ && now < current_.expires_at) return current_.credentials;
    throw;
  }
  return current_.credentials;
}

void FetchedCredentials::invalidate() {
  std::lock_guard lock(mu_);
  have_ = false;
}

FetchedCredentials::Fetched parse_credentials_json(const std::string& body) {
  try {
    auto j = nlohmann::json::parse(body);
    if (j.contains("Code") && j["Code"] != "Success")
      throw StorageError("credentials endpoint answered Code=" + j["Code"].dump(), false);
    FetchedCredentials::Fetched f;
    f.credentials.access_key_id = j.at("AccessKeyId").get<std::string>();
    f.credentials.secret_access_key = j.at("SecretAccessKey").get<std::string>();
    if (j.contains("Token")) f.credentials.session_token = j["Token"].get<std::string>();
    if (j.contains("Expiration")) f.expires_at = parse_iso8601(j["Expiration"].get<std::string>());
    if (f.credentials.access_key_id.empty() || f.credentials.secret_access_key.empty())
      throw StorageError("credentials endpoint answered empty keys", false);
    return f;
  } catch (const nlohmann::json::exception& e) {
    throw StorageError(std::string("credentials endpoint answered malformed JSON: ") + e.what(), false);
  }
}

std::shared_ptr<CredentialSource> default_credentials() {
  std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty())
      throw ConfigError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    return static_credentials({id, secret, env("AWS_SESSION_TOKEN")});
  }
  std::string token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
              token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (std::string rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); !rel.empty())
    return std::make_shared<ContainerSource>("http://169.254.170.2" + rel, token, token_file);
  if (std::string full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI"); !full.empty()) {
    if (!allowed_container_uri(full))
      throw ConfigError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS agent address");
    return std::make_shared<ContainerSource>(full, token, token_file);
  }
  std::string disabled = env("AWS_EC2_METADATA_DISABLED");
  if (disabled != "true" && disabled != "1") {
    std::string endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint.empty()) endpoint = "http://169.254.169.254";
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    auto imds = std::make_shared<ImdsSource>(endpoint);
    try {
      imds->get();  // decides whether this source applies at all
      return imds;
    } catch (const StorageError& e) {
      throw ConfigError(std::string("no AWS credentials: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and "
                                    "AWS_SESSION_TOKEN), or run with an ECS task role or EC2 instance profile (") +
                        e.what() + ")");
    }
  }
  throw ConfigError("no AWS credentials: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)");
}

}  // namespace sy::storage
