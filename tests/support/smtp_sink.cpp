#include "support/smtp_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/testenv.h"

namespace sy::test {

namespace fs = std::filesystem;

namespace {

const char* kPython = "/usr/bin/python3";  // Debian's, where python3-aiosmtpd lives

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int b64v(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string b64decode(const std::string& s) {
  std::string out;
  int bits = 0, acc = 0;
  for (char c : s) {
    int v = b64v(c);
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string qp_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
      i += 2;
    } else if (s[i] == '=' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string header_decode(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = s.find("=?UTF-8?B?", i);
    if (b == std::string::npos) {
      out += s.substr(i);
      break;
    }
    std::string between = s.substr(i, b - i);
    if (between.find_first_not_of(" \t\r\n") != std::string::npos) out += between;
    auto e = s.find("?=", b + 10);
    if (e == std::string::npos) {
      out += s.substr(b);
      break;
    }
    out += b64decode(s.substr(b + 10, e - b - 10));
    i = e + 2;
  }
  return out;
}

SmtpSink::SmtpSink() { dir_ = temp_dir("smtp"); }

SmtpSink::~SmtpSink() { stop(); }

bool SmtpSink::start(SinkOptions o) {
  if (std::system((std::string(kPython) + " -c 'import aiosmtpd' 2>/dev/null").c_str()) != 0) {
    if (!quick_mode()) ADD_FAILURE() << "python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)";
    return false;
  }
  if (o.tls && cert_.empty()) {
    cert_ = dir_ + "/../" + fs::path(dir_).filename().string() + "-cert.pem";
    key_ = dir_ + "/../" + fs::path(dir_).filename().string() + "-key.pem";
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
        "subjectAltName=IP:127.0.0.1 -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      ADD_FAILURE() << "openssl could not make a test certificate";
      return false;
    }
  }
  std::vector<std::string> args = {kPython,  std::string(SY_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                   "--dir",  dir_,
                                   "--port", std::to_string(o.port ? o.port : port_)};
  if (o.tls) args.insert(args.end(), {"--tls-cert", cert_, "--tls-key", key_});
  if (o.require_starttls) args.push_back("--require-starttls");
  if (!o.reject_domain.empty()) args.insert(args.end(), {"--reject-domain", o.reject_domain});
  if (!o.auth_user.empty()) args.insert(args.end(), {"--auth-user", o.auth_user, "--auth-password", o.auth_password});
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return false;
  std::string log = dir_ + ".log";  // the server's own complaints (TLS alerts the tests provoke)
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) dup2(err, 2);
    close(in[1]);
    close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(kPython, argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  pid_ = pid;
  stdin_fd_ = in[1];
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(out[0]);
  port_ = std::atoi(line.c_str());
  if (port_ <= 0) {
    ADD_FAILURE() << "the SMTP sink did not start";
    stop();
    return false;
  }
  return true;
}

void SmtpSink::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

std::vector<SinkMessage> SmtpSink::messages() const {
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir_))
    if (e.path().extension() == ".eml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<SinkMessage> out;
  for (auto& f : files) {
    auto meta_path = f;
    meta_path.replace_extension(".json");
    if (!fs::exists(meta_path)) continue;
    auto meta = nlohmann::json::parse(slurp(meta_path));
    SinkMessage m;
    m.from = meta["from"];
    for (auto& t : meta["to"]) m.to.push_back(t);
    m.tls = meta["tls"];
    m.auth = meta["auth"];
    m.raw = slurp(f);
    auto split = m.raw.find("\r\n\r\n");
    std::string head = m.raw.substr(0, split);
    if (auto s = head.find("\r\nSubject: "); s != std::string::npos) {
      auto e = s + 11;
      std::string v;
      // Unfold continuation lines.
      while (e < head.size()) {
        auto nl = head.find("\r\n", e);
        v += head.substr(e, nl == std::string::npos ? std::string::npos : nl - e);
        if (nl == std::string::npos || nl + 2 >= head.size() || (head[nl + 2] != ' ' && head[nl + 2] != '\t')) break;
        e = nl + 2;
      }
      m.subject = header_decode(v);
    }
    if (split != std::string::npos) m.body = qp_decode(m.raw.substr(split + 4));
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<SinkMessage> SmtpSink::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto m = messages();
    if (m.size() >= n || std::chrono::steady_clock::now() > until) return m;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace sy::test
