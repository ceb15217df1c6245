#include "storage/sigv4.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "core/clock.h"
#include "core/text.h"
#include "storage/digest.h"

namespace sy::storage::sigv4 {
namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Trim and collapse runs of whitespace to one space ("Trimall").
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

struct UrlParts {
  std::string host;  // as the Host header: lower case, default port dropped
  std::string path;
  std::string query;
};

UrlParts split_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw std::invalid_argument("sigv4: URL without scheme: " + url);
  std::string scheme = lower(url.substr(0, scheme_end));
  std::size_t auth_begin = scheme_end + 3;
  std::size_t auth_end = url.find_first_of("/?#", auth_begin);
  if (auth_end == std::string::npos) auth_end = url.size();
  std::string authority = lower(url.substr(auth_begin, auth_end - auth_begin));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  // Split host and port; IPv6 literals keep their brackets.
  std::string host = authority, port;
  std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();
  UrlParts p;
  p.host = port.empty() ? host : host + ":" + port;
  std::size_t frag = url.find('#', auth_end);
  std::string rest = url.substr(auth_end, frag == std::string::npos ? std::string::npos : frag - auth_end);
  std::size_t q = rest.find('?');
  p.path = rest.substr(0, q);
  if (q != std::string::npos) p.query = rest.substr(q + 1);
  if (p.path.empty()) p.path = "/";
  return p;
}

std::string canonical_query(const std::string& query) {
  if (query.empty()) return "";
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(start, amp - start);
    std::size_t eq = pair.find('=');
    if (eq == std::string::npos)
      pairs.emplace_back(pair, "");
    else
      pairs.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    start = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

void set_header(Headers& h, const std::string& name, const std::string& value) {
  std::string lname = lower(name);
  h.erase(std::remove_if(h.begin(), h.end(), [&](const auto& kv) { return lower(kv.first) == lname; }), h.end());
  h.emplace_back(name, value);
}

bool unsigned_header(const std::string& lname) {
  return lname == "user-agent" || lname == "expect" || lname == "x-amzn-trace-id" || lname == "authorization";
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  if (encode_slash) return text::percent_encode(s);
  // SigV4's canonical path keeps each '/' and encodes the segments between them.
  std::string out;
  for (std::size_t start = 0;;) {
    auto slash = s.find('/', start);
    out += text::percent_encode(s.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += uri_encode(k, true) + "=" + uri_encode(v, true);
  }
  return out;
}

std::string amz_date(std::int64_t unix_time) { return utc_format(unix_time, "%Y%m%dT%H%M%SZ"); }

Signed sign(const Request& request, const Credentials& credentials, const std::string& region, std::int64_t unix_time,
            const std::string& service) {
  UrlParts url = split_url(request.url);
  std::string date_time = amz_date(unix_time);
  std::string date = date_time.substr(0, 8);

  Signed out;
  out.headers = request.headers;
  set_header(out.headers, "X-Amz-Date", date_time);
  set_header(out.headers, "X-Amz-Content-SHA256", request.payload_sha256);
  if (!credentials.session_token.empty()) set_header(out.headers, "X-Amz-Security-Token", credentials.session_token);
  bool has_host =
      std::any_of(out.headers.begin(), out.headers.end(), [](const auto& kv) { return lower(kv.first) == "host"; });
  if (!has_host) out.headers.emplace_back("Host", url.host);

  // Lower-case names, sorted; repeated headers joined with "," in the order given.
  std::vector<std::string> names;
  for (const auto& [name, value] : out.headers) {
    std::string lname = lower(name);
    if (!unsigned_header(lname) && std::find(names.begin(), names.end(), lname) == names.end()) names.push_back(lname);
  }
  std::sort(names.begin(), names.end());
  std::string canonical_headers, signed_headers;
  for (const auto& lname : names) {
    std::string joined;
    bool first = true;
    for (const auto& [name, value] : out.headers) {
      if (lower(name) != lname) continue;
      if (!first) joined += ',';
      joined += trim_all(value);
      first = false;
    }
    canonical_headers += lname + ":" + joined + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += lname;
  }

  std::string method = request.method;
  for (char& c : method)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  out.canonical_request = method + "\n" + url.path + "\n" + canonical_query(url.query) + "\n" + canonical_headers +
                          "\n" + signed_headers + "\n" + request.payload_sha256;

  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + sha256_hex(out.canonical_request);

  std::string k_date = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  std::string k_region = hmac_sha256(k_date, region);
  std::string k_service = hmac_sha256(k_region, service);
  std::string k_signing = hmac_sha256(k_service, "aws4_request");
  out.signature = text::hex(hmac_sha256(k_signing, out.string_to_sign));
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + out.signature;
  set_header(out.headers, "Authorization", out.authorization);
  return out;
}

}  // namespace sy::storage::sigv4
