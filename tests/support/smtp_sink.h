#pragma once
// A real SMTP server for tests: tests/support/smtp_sink.py (aiosmtpd) on 127.0.0.1, a free port,
// storing what arrives in a temp folder. Python's aiosmtpd missing: skipped in quick mode, a
// failure in full mode (./dev installs python3-aiosmtpd).
//
//   test::SmtpSink sink;
//   if (!sink.start()) GTEST_SKIP();
//   config.smtp_url = sink.url();
//   … run a worker …
//   auto got = sink.wait_for(1);  // the messages, oldest first
#include <chrono>
#include <string>
#include <vector>

namespace sy::test {

struct SinkMessage {
  std::string from;
  std::vector<std::string> to;
  bool tls = false;
  bool auth = false;
  std::string raw;      // the DATA as received
  std::string subject;  // decoded when RFC 2047
  std::string body;     // quoted-printable decoded
};

struct SinkOptions {
  int port = 0;      // 0 = any free one
  bool tls = false;  // offer STARTTLS with a fresh self-signed certificate for 127.0.0.1
  bool require_starttls = false;
  std::string reject_domain;  // RCPT to this domain gets 550
  std::string auth_user, auth_password;
};

class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();  // stops
  // false when aiosmtpd is missing (and then, in full mode, the test has failed already).
  bool start(SinkOptions o = {});
  void stop();
  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  const std::string& ca_file() const { return cert_; }  // the self-signed certificate (tls)
  std::vector<SinkMessage> messages() const;
  // Waits until at least n messages arrived (or the timeout): returns what is there.
  std::vector<SinkMessage> wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  std::string dir_, cert_, key_;
  int pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
};

// Quoted-printable and RFC 2047 decoding, for reading what arrived.
std::string qp_decode(const std::string& s);
std::string header_decode(const std::string& s);

}  // namespace sy::test
