#include "core/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace sy {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

std::int64_t parse_int(const std::string& var, const std::string& v, std::int64_t lo, std::int64_t hi) {
  std::size_t used = 0;
  std::int64_t n = 0;
  try {
    n = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != v.size() || n < lo || n > hi)
    throw ConfigError(var + ": expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                      ", got '" + v + "'");
  return n;
}

// "90s", "30m", "24h", "7d" (a bare number is seconds); at least a minute, at most a year.
std::int64_t parse_duration(const std::string& var, const std::string& v) {
  std::int64_t unit = 1;
  std::string digits = v;
  if (!v.empty()) {
    switch (v.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
    }
    if (unit)
      digits = v.substr(0, v.size() - 1);
    else
      unit = 1;
  }
  bool ok = !digits.empty() && digits.size() <= 9 && digits.find_first_not_of("0123456789") == std::string::npos;
  std::int64_t n = ok ? std::stoll(digits) * unit : 0;
  if (!ok || n < 60 || n > 366 * 86400)
    throw ConfigError(var + ": expected a duration like 30m, 24h or 7d (1 minute to 1 year), got '" + v + "'");
  return n;
}

bool parse_bool(const std::string& var, const std::string& v) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  throw ConfigError(var + ": expected 0 or 1, got '" + v + "'");
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// toml++ 3.x (Debian 12) reaches TOML_UNREACHABLE (undefined behaviour) on some non-ASCII
// characters while it reports a syntax error (found by fuzz/fuzz_config.cpp, twice: once after a
// bare key, once in what only looked like a string). Telling where a TOML string really begins
// means parsing TOML, so the configuration file is kept to ASCII; a non-ASCII path can still come
// from the environment. Returns the 1-based line of the first non-ASCII byte, 0 when there is none.
int first_non_ascii_line(const std::string& s) {
  int line = 1;
  for (char c : s) {
    if (c == '\n') ++line;
    if (static_cast<unsigned char>(c) >= 0x80) return line;
  }
  return 0;
}

}  // namespace

Config Config::load(const std::string& toml_path) {
  Config c;
  // Raw string values by key; the TOML file first, then the environment over it.
  std::map<std::string, std::string> raw;
  if (!toml_path.empty()) {
    toml::table t;
    try {
      std::ifstream in(toml_path, std::ios::binary);
      if (!in) throw ConfigError("--config " + toml_path + ": cannot read the file");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (int bad = first_non_ascii_line(text))
        throw ConfigError("--config " + toml_path + ": line " + std::to_string(bad) +
                          ": non-ASCII character (the file must be ASCII; set such values in the environment)");
      t = toml::parse(text, toml_path);
    } catch (const toml::parse_error& e) {
      throw ConfigError("--config " + toml_path + ": " + std::string(e.description()));
    }
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      if (auto s = v.value<std::string>())
        raw[key] = *s;
      else if (auto i = v.value<std::int64_t>())
        raw[key] = std::to_string(*i);
      else if (auto b = v.value<bool>())
        raw[key] = *b ? "1" : "0";
      else
        throw ConfigError("--config " + toml_path + ": key '" + key + "' must be a string, number or boolean");
    }
  }
  static const char* keys[] = {"data_dir",
                               "db_url",
                               "db_read_url",
                               "storage_url",
                               "host",
                               "port",
                               "workers",
                               "http_threads",
                               "max_upload_mb",
                               "max_pixels",
                               "auto_migrate",
                               "trusted_proxies",
                               "metrics_token",
                               "log_level",
                               "db_pool_size",
                               "jpeg_max_edge",
                               "jpeg_quality",
                               "webp_quality",
                               "thumb_max_edge",
                               "job_timeout_seconds",
                               "job_lease_seconds",
                               "job_max_attempts",
                               "http_header_timeout_seconds",
                               "http_body_timeout_seconds",
                               "http_min_body_rate_kb",
                               "http_max_connections_per_ip",
                               "sse_max_streams",
                               "sse_max_streams_per_user",
                               "sse_heartbeat_seconds",
                               "drain_seconds",
                               "backup_every",
                               "backup_keep",
                               "decode_sandbox",
                               "decode_memory_mb",
                               "smtp_url",
                               "mail_from",
                               "smtp_ca_file",
                               "public_url"};
  std::map<std::string, std::string> var_of;
  for (const char* k : keys) {
    std::string var = "SCHOOLYARD_";
    for (const char* p = k; *p; ++p) var.push_back(static_cast<char>(std::toupper(*p)));
    var_of[k] = var;
    if (auto v = env(var.c_str())) raw[k] = *v;
  }
  for (auto& [k, _] : raw)
    if (!var_of.count(k)) throw ConfigError("--config " + toml_path + ": unknown key '" + k + "'");

  auto get = [&](const char* k) -> std::optional<std::string> {
    auto it = raw.find(k);
    if (it == raw.end()) return std::nullopt;
    return it->second;
  };
  auto num = [&](const char* k, auto& field, std::int64_t lo, std::int64_t hi) {
    if (auto v = get(k))
      field = static_cast<std::remove_reference_t<decltype(field)>>(parse_int(var_of[k], *v, lo, hi));
  };

  if (auto v = get("data_dir")) {
    if (v->empty()) throw ConfigError("SCHOOLYARD_DATA_DIR: must not be empty");
    c.data_dir = *v;
  }
  c.db_url = get("db_url").value_or("sqlite://" + c.data_dir + "/schoolyard.db");
  if (c.db_url.rfind("sqlite://", 0) != 0 && c.db_url.rfind("mysql://", 0) != 0)
    throw ConfigError("SCHOOLYARD_DB_URL: expected sqlite://PATH or mysql://user:pass@host:port/db, got '" + c.db_url +
                      "'");
  c.db_read_url = get("db_read_url").value_or("");
  if (!c.db_read_url.empty() && c.db_read_url.rfind("mysql://", 0) != 0 && c.db_read_url.rfind("sqlite://", 0) != 0)
    throw ConfigError("SCHOOLYARD_DB_READ_URL: expected sqlite:// or mysql:// URL");
  c.storage_url = get("storage_url").value_or("file://" + c.data_dir + "/objects");
  if (c.storage_url.rfind("file://", 0) != 0 && c.storage_url.rfind("s3://", 0) != 0)
    throw ConfigError("SCHOOLYARD_STORAGE_URL: expected file://PATH or s3://bucket?endpoint=…, got '" + c.storage_url +
                      "'");
  if (auto v = get("host")) {
    if (v->empty()) throw ConfigError("SCHOOLYARD_HOST: must not be empty");
    c.host = *v;
  }
  num("port", c.port, 1, 65535);
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.workers = cores;
  num("workers", c.workers, 0, 256);
  c.http_threads = 2 * cores;
  num("http_threads", c.http_threads, 1, 512);
  if (auto v = get("max_upload_mb")) c.max_upload_bytes = parse_int(var_of["max_upload_mb"], *v, 1, 4096) * 1024 * 1024;
  num("max_pixels", c.max_pixels, 1, 1000000000);
  if (auto v = get("auto_migrate")) c.auto_migrate = parse_bool(var_of["auto_migrate"], *v);
  if (auto v = get("trusted_proxies")) c.trusted_proxies = split_list(*v);
  if (auto v = get("metrics_token")) {
    if (!v->empty() && v->size() < 16) throw ConfigError("SCHOOLYARD_METRICS_TOKEN: use at least 16 characters");
    c.metrics_token = *v;
  }
  if (auto v = get("log_level")) {
    static const char* ok[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(std::begin(ok), std::end(ok), *v) == std::end(ok))
      throw ConfigError("SCHOOLYARD_LOG_LEVEL: expected trace|debug|info|warn|error|off, got '" + *v + "'");
    c.log_level = *v;
  }
  c.db_pool_size = c.http_threads + c.workers + 2;
  num("db_pool_size", c.db_pool_size, 1, 1024);
  num("jpeg_max_edge", c.jpeg_max_edge, 16, 10000);
  num("jpeg_quality", c.jpeg_quality, 1, 100);
  num("webp_quality", c.webp_quality, 1, 100);
  num("thumb_max_edge", c.thumb_max_edge, 16, 2000);
  num("job_timeout_seconds", c.job_timeout_seconds, 1, 3600);
  num("job_lease_seconds", c.job_lease_seconds, 5, 86400);
  num("job_max_attempts", c.job_max_attempts, 1, 100);
  num("http_header_timeout_seconds", c.http_header_timeout_seconds, 1, 3600);
  num("http_body_timeout_seconds", c.http_body_timeout_seconds, 1, 3600);
  num("http_min_body_rate_kb", c.http_min_body_rate_kb, 1, 1024 * 1024);
  num("http_max_connections_per_ip", c.http_max_connections_per_ip, 0, 100000);
  num("sse_max_streams", c.sse_max_streams, 0, 1000000);
  num("sse_max_streams_per_user", c.sse_max_streams_per_user, 0, 1000);
  num("sse_heartbeat_seconds", c.sse_heartbeat_seconds, 1, 300);
  num("drain_seconds", c.drain_seconds, 1, 3600);
  if (auto v = get("backup_every")) c.backup_every_seconds = parse_duration(var_of["backup_every"], *v);
  num("backup_keep", c.backup_keep, 1, 10000);
  if (auto v = get("decode_sandbox")) c.decode_sandbox = parse_bool(var_of["decode_sandbox"], *v);
  num("decode_memory_mb", c.decode_memory_mb, 64, 1048576);
  if (auto v = get("smtp_url")) {
    if (!v->empty() && v->rfind("smtp://", 0) != 0 && v->rfind("smtps://", 0) != 0)
      throw ConfigError("SCHOOLYARD_SMTP_URL: expected smtp://host:port or smtps://host:port");
    c.smtp_url = *v;
  }
  if (auto v = get("mail_from")) c.mail_from = *v;
  if (!c.smtp_url.empty() && (c.mail_from.empty() || c.mail_from.find('@') == std::string::npos ||
                              c.mail_from.find_first_of("<>\r\n ,") != std::string::npos))
    throw ConfigError(
        "SCHOOLYARD_MAIL_FROM: set a plain sender address (name@example.org) when SCHOOLYARD_SMTP_URL is set");
  c.smtp_ca_file = get("smtp_ca_file").value_or("");
  c.public_url = get("public_url").value_or("http://" + c.host + ":" + std::to_string(c.port));
  if (c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
    throw ConfigError("SCHOOLYARD_PUBLIC_URL: expected http://… or https://…");
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  return c;
}

}  // namespace sy
