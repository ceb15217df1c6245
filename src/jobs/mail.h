#pragma once
// Email delivery for the mail.send job kind: one message through libcurl's SMTP client.
// smtp:// upgrades with STARTTLS whenever the server offers it (and `?tls=required` refuses a
// server that does not); smtps:// is TLS from the first byte. Certificates are always verified.
//
//   auto msg = jobs::build_message(from, to, subject, body, message_id, now_s);
//   auto r = jobs::smtp_send(settings, from, to, msg);  // r.ok, or r.permanent + r.error
#include <cstdint>
#include <string>

namespace sy::jobs {

struct MailSettings {
  std::string smtp_url;  // "" = email off
  std::string from;      // envelope and header sender
  std::string ca_file;   // extra CA bundle (a private CA); "" = the system's
  long connect_timeout_ms = 10000;
  long total_timeout_ms = 60000;  // well under the job lease
};

struct SendResult {
  bool ok = false;
  bool permanent = false;  // the server refused for good (5xx): retrying cannot help
  long smtp_code = 0;      // last reply code, 0 when none arrived
  std::string error;       // for last_error (never contains the SMTP password)
};

// RFC 5322 text (CRLF lines): From, To, Subject (RFC 2047 when not ASCII), Date, Message-ID,
// MIME headers, and the body as quoted-printable UTF-8 (safe for any line length and for lines
// starting with a dot). CR and LF in header values are replaced by spaces (no header injection).
std::string build_message(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& body, const std::string& message_id, std::int64_t now_s);

SendResult smtp_send(const MailSettings& s, const std::string& from, const std::string& to, const std::string& message);

// A plausible single address: one '@', no spaces, controls, angle brackets or commas, ≤ 254 bytes.
bool plausible_address(const std::string& a);

// The URL with any password replaced by ***, for logs.
std::string redact_smtp_url(const std::string& url);

}  // namespace sy::jobs
