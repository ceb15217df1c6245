#pragma once
// Parses SCHOOLYARD_DB_URL: sqlite://PATH or mysql://user:pass@host:port/db (percent-decoded).
#include <string>

#include "db/database.h"

namespace sy::db {

struct ConnInfo {
  Dialect dialect = Dialect::sqlite;
  std::string path;  // sqlite
  std::string host, user, password, database;
  int port = 3306;
  std::string redacted;  // the URL with the password replaced, for logs
};

ConnInfo parse_url(const std::string& url);  // throws std::invalid_argument with a clear message

}  // namespace sy::db
