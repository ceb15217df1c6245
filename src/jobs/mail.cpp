#include "jobs/mail.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <mutex>

namespace sy::jobs {

namespace {

std::string one_line(const std::string& s) {
  std::string out = s;
  for (auto& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

// RFC 2047 encoded-words of at most ~45 input bytes each, split on UTF-8 boundaries.
std::string encode_header(const std::string& value) {
  std::string v = one_line(value);
  if (is_ascii(v)) return v;
  std::string out;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t n = std::min<std::size_t>(45, v.size() - i);
    while (i + n < v.size() && (static_cast<unsigned char>(v[i + n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(v.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks before 76 columns.
std::string quoted_printable(const std::string& body) {
  static const char* hexd = "0123456789ABCDEF";
  std::string out, line;
  auto flush = [&](bool hard) {
    out += line;
    out += hard ? "\r\n" : "=\r\n";
    line.clear();
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\r') continue;
    if (c == '\n') {
      // Trailing white space before a line break must be encoded.
      if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        char w = line.back();
        line.pop_back();
        line += {'=', hexd[w >> 4], hexd[w & 15]};
      }
      flush(true);
      continue;
    }
    std::string enc;
    if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && line.empty())) || c == ' ' || c == '\t')
      enc.assign(1, static_cast<char>(c));
    else
      enc = {'=', hexd[c >> 4], hexd[c & 15]};
    if (line.size() + enc.size() > 75) flush(false);
    line += enc;
  }
  if (!line.empty()) flush(true);
  return out;
}

std::string rfc5322_date(std::int64_t now_s) {
  std::time_t t = static_cast<std::time_t>(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

size_t read_cb(char* out, size_t size, size_t n, void* p) {
  auto* u = static_cast<Upload*>(p);
  std::size_t want = size * n;
  std::size_t left = u->data->size() - u->pos;
  std::size_t k = std::min(want, left);
  std::memcpy(out, u->data->data() + u->pos, k);
  u->pos += k;
  return k;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

bool plausible_address(const std::string& a) {
  if (a.empty() || a.size() > 254) return false;
  auto at = a.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string::npos)
    return false;
  for (unsigned char c : a)
    if (c <= 32 || c == 127 || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' || c == ')' ||
        c == '\\')
      return false;
  return a.find('.', at) != std::string::npos;
}

std::string redact_smtp_url(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string build_message(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& body, const std::string& message_id, std::int64_t now_s) {
  std::string m;
  m += "From: Schoolyard <" + one_line(from) + ">\r\n";
  m += "To: <" + one_line(to) + ">\r\n";
  m += "Subject: " + encode_header(subject) + "\r\n";
  m += "Date: " + rfc5322_date(now_s) + "\r\n";
  m += "Message-ID: <" + one_line(message_id) + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: quoted-printable\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "\r\n";
  m += quoted_printable(body);
  return m;
}

SendResult smtp_send(const MailSettings& s, const std::string& from, const std::string& to,
                     const std::string& message) {
  SendResult r;
  if (s.smtp_url.empty()) {
    r.error = "email is off (SCHOOLYARD_SMTP_URL is not set)";
    return r;
  }
  if (!plausible_address(to) || !plausible_address(from)) {
    r.permanent = true;
    r.error = "not a valid address";
    return r;
  }
  global_init();
  CURL* c = curl_easy_init();
  if (!c) {
    r.error = "curl_easy_init failed";
    return r;
  }
  // ?tls=required is ours, not curl's: strip it from the URL curl sees.
  std::string url = s.smtp_url;
  bool require_tls = false;
  if (auto q = url.find('?'); q != std::string::npos) {
    require_tls = url.find("tls=required", q) != std::string::npos;
    url.erase(q);
  }
  bool implicit_tls = url.rfind("smtps://", 0) == 0;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  Upload up{&message};
  std::string mail_from = "<" + from + ">";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s.total_timeout_ms);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   implicit_tls || require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!s.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  r.smtp_code = code;
  if (rc == CURLE_OK) {
    r.ok = true;
    return r;
  }
  r.error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : std::string());
  if (code) r.error += " (SMTP " + std::to_string(code) + ")";
  // A 5xx reply is the server's final word on this message (unknown mailbox, refused sender);
  // everything else (4xx, no connection, TLS trouble, timeouts) may pass later.
  r.permanent = code >= 500 && code < 600;
  return r;
}

}  // namespace sy::jobs
