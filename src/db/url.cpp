#include "db/url.h"

#include <stdexcept>

namespace sy::db {

static std::string pct_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(s[i + 1]) && std::isxdigit(s[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

ConnInfo parse_url(const std::string& url) {
  ConnInfo c;
  if (url.rfind("sqlite://", 0) == 0) {
    c.dialect = Dialect::sqlite;
    c.path = url.substr(9);
    if (c.path.empty()) throw std::invalid_argument("database URL: sqlite:// needs a file path");
    c.redacted = url;
    return c;
  }
  if (url.rfind("mysql://", 0) != 0) throw std::invalid_argument("database URL must start with sqlite:// or mysql://");
  c.dialect = Dialect::mysql;
  std::string rest = url.substr(8);
  auto at = rest.rfind('@');
  if (at == std::string::npos) throw std::invalid_argument("database URL: mysql://user:pass@host:port/db expected");
  std::string cred = rest.substr(0, at), hostpart = rest.substr(at + 1);
  auto colon = cred.find(':');
  c.user = pct_decode(cred.substr(0, colon));
  if (colon != std::string::npos) c.password = pct_decode(cred.substr(colon + 1));
  auto slash = hostpart.find('/');
  if (slash == std::string::npos || slash + 1 >= hostpart.size())
    throw std::invalid_argument("database URL: missing /database name");
  c.database = hostpart.substr(slash + 1);
  auto q = c.database.find('?');
  if (q != std::string::npos) c.database.resize(q);
  std::string hp = hostpart.substr(0, slash);
  auto pc = hp.rfind(':');
  if (pc != std::string::npos && hp.find(']') == std::string::npos) {
    try {
      c.port = std::stoi(hp.substr(pc + 1));
    } catch (...) {
      throw std::invalid_argument("database URL: bad port");
    }
    c.host = hp.substr(0, pc);
  } else {
    c.host = hp;
  }
  if (c.host.empty() || c.user.empty()) throw std::invalid_argument("database URL: user and host are required");
  for (char ch : c.database)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'))
      throw std::invalid_argument("database URL: database name may hold only letters, digits, _ and -");
  c.redacted = "mysql://" + c.user + ":***@" + hostpart;
  return c;
}

}  // namespace sy::db
