#include "services/backup.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "core/clock.h"
#include "core/random.h"
#include "db/backup_dump.h"
#include "db/migrations.h"
#include "storage/digest.h"
#include "storage/file_store.h"

namespace sy::services {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kFormatVersion = 1;
constexpr std::size_t kPartBytes = 8u << 20;  // dump parts: memory stays bounded on upload and download
const std::string kRoot = "backups/";
const std::string kObjects = "backups/objects/";
const std::string kInstallationKey = "backups/installation-id";

const char* dialect_name(db::Dialect d) { return d == db::Dialect::sqlite ? "sqlite" : "mysql"; }

bool valid_id(const std::string& id) {
  static const std::regex re("[0-9]{8}t[0-9]{6}z-[0-9a-f]{8}");
  return std::regex_match(id, re);
}

std::string new_id(std::int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dt%H%M%Sz", &tm);
  return std::string(buf) + "-" + sy::sha256_hex(random_token(16)).substr(0, 8);
}

// The id's time, for pruning partial backups by age.
std::int64_t id_time(const std::string& id) {
  std::tm tm{};
  if (!strptime(id.substr(0, 15).c_str(), "%Y%m%dt%H%M%S", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string manifest_key(const std::string& id) { return kRoot + id + "/manifest.json"; }
std::string object_copy_key(const std::string& sha) { return kObjects + sha; }
bool is_backup_key(const std::string& key) { return key.rfind(kRoot, 0) == 0; }

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "schoolyard-backup-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void report(const BackupProgress& p, const std::string& stage, std::int64_t done, std::int64_t total) {
  if (p) p(stage, done, total);
}

std::string installation_id(storage::ObjectStore& store, bool create) {
  if (auto v = store.get(kInstallationKey)) return *v;
  if (!create) return "";
  std::string id = sy::sha256_hex(random_token(32)).substr(0, 32);
  store.put(kInstallationKey, id, "text/plain");
  return id;
}

// A backup file that the store itself finds corrupt (file store: sidecar checksum) is damage,
// reported like any other checksum failure; an unreachable store stays a StorageError.
std::optional<std::string> read_backup_file(storage::ObjectStore& store, const std::string& id, const std::string& key,
                                            const std::string& what) {
  try {
    return store.get(key);
  } catch (const storage::StorageError& e) {
    if (!e.permanent) throw;
    throw BackupError("backup " + id + " is damaged: " + what + " fails its SHA-256 check (" + e.what() + ")");
  }
}

struct ObjectEntry {
  std::string key, sha256, content_type;
  std::int64_t size = 0;
};
struct PartEntry {
  std::string key, sha256;
  std::int64_t size = 0;
};
struct Manifest {
  std::string id, installation_id, dialect, dump_format, dump_sha256;
  std::int64_t created_at = 0, dump_size = 0;
  int schema_version = 0;
  std::vector<PartEntry> parts;
  std::map<std::string, std::int64_t> rows;
  std::vector<ObjectEntry> objects;
};

// Everything a restore relies on, checked for shape and type: a damaged manifest is refused.
Manifest parse_manifest(const std::string& id, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return BackupError("backup " + id + ": manifest is malformed (" + why + ")");
  };
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw bad("not a JSON object");
  Manifest m;
  try {
    if (j.at("format").get<std::string>() != "schoolyard-backup") throw bad("not a schoolyard backup manifest");
    int version = j.at("format_version").get<int>();
    if (version != kFormatVersion)
      throw BackupError("backup " + id + ": format version " + std::to_string(version) +
                        " is not supported by this schoolyard (it reads version " + std::to_string(kFormatVersion) +
                        ")");
    m.id = j.at("id").get<std::string>();
    m.installation_id = j.at("installation_id").get<std::string>();
    m.dialect = j.at("dialect").get<std::string>();
    m.created_at = j.at("created_at").get<std::int64_t>();
    m.schema_version = j.at("schema_version").get<int>();
    const json& d = j.at("dump");
    m.dump_format = d.at("format").get<std::string>();
    m.dump_sha256 = d.at("sha256").get<std::string>();
    m.dump_size = d.at("size").get<std::int64_t>();
    for (auto& p : d.at("parts"))
      m.parts.push_back(
          {p.at("key").get<std::string>(), p.at("sha256").get<std::string>(), p.at("size").get<std::int64_t>()});
    for (auto& [k, v] : d.at("rows").items()) m.rows[k] = v.get<std::int64_t>();
    for (auto& o : j.at("objects"))
      m.objects.push_back({o.at("key").get<std::string>(), o.at("sha256").get<std::string>(),
                           o.at("content_type").get<std::string>(), o.at("size").get<std::int64_t>()});
  } catch (const json::exception& e) {
    throw bad(std::string("missing or mistyped field: ") + e.what());
  }
  if (m.id != id) throw bad("it names another backup, " + m.id);
  if (m.dialect != "sqlite" && m.dialect != "mysql") throw bad("unknown dialect");
  if (!storage::is_sha256_hex(m.dump_sha256) || m.parts.empty()) throw bad("dump checksum");
  std::int64_t sum = 0;
  for (auto& p : m.parts) {
    if (p.key.rfind(kRoot + id + "/dump/", 0) != 0 || !storage::valid_key(p.key) || !storage::is_sha256_hex(p.sha256) ||
        p.size < 0)
      throw bad("dump part " + p.key);
    sum += p.size;
  }
  if (sum != m.dump_size) throw bad("dump parts do not add up to the dump size");
  for (auto& o : m.objects)
    if (!storage::valid_key(o.key) || is_backup_key(o.key) || !storage::is_sha256_hex(o.sha256) || o.size < 0 ||
        !storage::valid_content_type(o.content_type))
      throw bad("object entry " + o.key);
  return m;
}

BackupSummary summary_of(const Manifest& m) {
  BackupSummary s;
  s.id = m.id;
  s.created_at = m.created_at;
  s.dialect = m.dialect;
  s.schema_version = m.schema_version;
  s.objects = static_cast<std::int64_t>(m.objects.size());
  for (auto& o : m.objects) s.object_bytes += o.size;
  s.dump_bytes = m.dump_size;
  for (auto& [_, n] : m.rows) s.rows += n;
  return s;
}

// Uploads the dump file in parts; returns the parts and the whole file's SHA-256.
std::pair<std::vector<PartEntry>, std::string> upload_dump(storage::ObjectStore& store, const std::string& id,
                                                           const fs::path& file, const BackupProgress& progress) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the database dump");
  auto total = static_cast<std::int64_t>(fs::file_size(file));
  storage::Sha256Stream whole;
  std::vector<PartEntry> parts;
  std::string buf(kPartBytes, '\0');
  std::int64_t done = 0;
  do {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::string_view chunk(buf.data(), static_cast<std::size_t>(in.gcount()));
    if (chunk.empty() && !parts.empty()) break;
    char name[16];
    std::snprintf(name, sizeof name, "%05zu", parts.size());
    PartEntry p{kRoot + id + "/dump/" + name, storage::sha256_hex(chunk), static_cast<std::int64_t>(chunk.size())};
    store.put(p.key, std::string(chunk), "application/octet-stream");
    whole.update(chunk);
    parts.push_back(p);
    done += p.size;
    report(progress, "uploading database dump", done, total);
  } while (in);
  return {parts, whole.hex()};
}

// Copies the live objects into the content-addressed area (only those not there yet).
std::vector<ObjectEntry> copy_objects(storage::ObjectStore& store, const BackupProgress& progress,
                                      std::int64_t& new_objects) {
  std::vector<storage::ObjectInfo> live;
  for (auto& info : store.list(""))
    if (!is_backup_key(info.key)) live.push_back(info);
  std::vector<ObjectEntry> out;
  std::vector<std::string> reused;
  std::int64_t done = 0;
  for (auto& listed : live) {
    report(progress, "copying objects", done++, static_cast<std::int64_t>(live.size()));
    auto info = listed.sha256.empty() || listed.content_type.empty() ? store.head(listed.key) : listed;
    if (!info) continue;  // deleted since the listing: not part of this backup
    std::optional<std::string> bytes;
    std::string sha = info->sha256;
    if (sha.empty() || !store.head(object_copy_key(sha))) {
      bytes = store.get(info->key);
      if (!bytes) continue;
      sha = storage::sha256_hex(*bytes);  // the bytes as read now are what the backup promises
      if (!store.head(object_copy_key(sha))) {
        store.put(object_copy_key(sha), *bytes, "application/octet-stream");
        ++new_objects;
      }
    } else {
      reused.push_back(sha);
    }
    std::int64_t size = bytes ? static_cast<std::int64_t>(bytes->size()) : info->size;
    out.push_back({info->key, sha, info->content_type.empty() ? "application/octet-stream" : info->content_type, size});
  }
  report(progress, "copying objects", done, static_cast<std::int64_t>(live.size()));
  // A prune running beside us may have removed a copy we counted on; check before promising it.
  for (auto& sha : reused)
    if (!store.head(object_copy_key(sha)))
      throw std::runtime_error("backup: the stored copy of object " + sha +
                               " vanished (a prune ran at the same time); run the backup again");
  return out;
}

}  // namespace

BackupSummary create_backup(App& app, const BackupProgress& progress) {
  auto& store = *app.store;
  const std::int64_t now = now_unix();
  const std::string id = new_id(now);
  const std::string install = installation_id(store, true);
  TempDir tmp;
  fs::path dump = tmp.path / "dump";

  report(progress, "dumping database", 0, 0);
  auto dumped = db::dump_database(*app.db, dump.string());
  auto dump_size = static_cast<std::int64_t>(fs::file_size(dump));
  report(progress, "dumping database", dump_size, dump_size);
  auto [parts, dump_sha] = upload_dump(store, id, dump, progress);
  fs::remove(dump);
  // Objects after the database: every object a dumped row points at was written before its row.
  std::int64_t new_objects = 0;
  auto objects = copy_objects(store, progress, new_objects);

  json m{{"format", "schoolyard-backup"},
         {"format_version", kFormatVersion},
         {"id", id},
         {"created_at", now},
         {"created_at_utc", iso8601_utc(now)},
         {"installation_id", install},
         {"dialect", dialect_name(app.db->dialect())},
         {"schema_version", dumped.schema_version}};
  json jparts = json::array();
  for (auto& p : parts) jparts.push_back({{"key", p.key}, {"size", p.size}, {"sha256", p.sha256}});
  std::int64_t dump_bytes = 0;
  for (auto& p : parts) dump_bytes += p.size;
  m["dump"] = {
      {"format", dumped.format}, {"size", dump_bytes}, {"sha256", dump_sha}, {"parts", jparts}, {"rows", dumped.rows}};
  json jobj = json::array();
  std::int64_t object_bytes = 0;
  for (auto& o : objects) {
    jobj.push_back({{"key", o.key}, {"size", o.size}, {"sha256", o.sha256}, {"content_type", o.content_type}});
    object_bytes += o.size;
  }
  m["objects"] = jobj;
  std::int64_t rows = 0;
  for (auto& [_, n] : dumped.rows) rows += n;
  m["counts"] = {{"objects", objects.size()}, {"object_bytes", object_bytes}, {"rows", rows}};
  // Last: until this exists the backup is partial, and restore refuses it.
  store.put(manifest_key(id), m.dump(1), "application/json");

  BackupSummary s = summary_of(parse_manifest(id, m.dump()));
  s.new_objects = new_objects;
  spdlog::info("backup {}: {} rows, {} objects ({} new), dump {} bytes", id, rows, objects.size(), new_objects,
               dump_bytes);
  return s;
}

std::vector<BackupSummary> list_backups(App& app) {
  std::map<std::string, bool> ids;  // id → has manifest
  for (auto& info : app.store->list(kRoot)) {
    auto rest = info.key.substr(kRoot.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos) continue;
    std::string id = rest.substr(0, slash);
    if (!valid_id(id)) continue;
    ids[id] |= rest.substr(slash + 1) == "manifest.json";
  }
  std::vector<BackupSummary> out;
  for (auto& [id, complete] : ids) {
    BackupSummary s;
    s.id = id;
    s.created_at = id_time(id);
    s.partial = true;
    if (complete) {
      if (auto text = app.store->get(manifest_key(id))) {
        try {
          s = summary_of(parse_manifest(id, *text));
        } catch (const BackupError& e) {
          spdlog::warn("{}", e.what());
        }
      }
    }
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id > b.id; });
  return out;
}

BackupSummary restore_backup(App& app, const std::string& id, const RestoreOptions& options,
                             const BackupProgress& progress) {
  auto& store = *app.store;
  auto& db = *app.db;
  // ---- 1. verify everything; nothing is written before this block ends ----
  if (!valid_id(id))
    throw BackupError("'" + id +
                      "' is not a backup id (expected e.g. 20261201t021500z-3f9a1c2e; see `schoolyard backup list`)");
  auto text = read_backup_file(store, id, manifest_key(id), "the manifest");
  if (!text) {
    if (!store.list(kRoot + id + "/").empty())
      throw BackupError("backup " + id + " is partial (it has no manifest: it did not finish); use another backup");
    throw BackupError("no backup " + id + " in this object store (see `schoolyard backup list`)");
  }
  Manifest m = parse_manifest(id, *text);
  if (m.dialect != dialect_name(db.dialect()))
    throw BackupError("backup " + id + " holds a " + m.dialect + " database; this deployment uses " +
                      dialect_name(db.dialect()));
  if (m.schema_version > db::latest_version(db.dialect()))
    throw BackupError("backup " + id + " is at schema version " + std::to_string(m.schema_version) +
                      ", newer than this schoolyard (" + std::to_string(db::latest_version(db.dialect())) +
                      "); restore with the release that made it");
  std::string here = installation_id(store, false);
  if (here != m.installation_id && !options.allow_foreign)
    throw BackupError("backup " + id + " belongs to another installation (" + m.installation_id + ", this one is " +
                      (here.empty() ? std::string("unset") : here) + "); pass --allow-foreign to restore it anyway");

  TempDir tmp;
  fs::path dump = tmp.path / "dump";
  {
    std::ofstream out(dump, std::ios::binary);
    storage::Sha256Stream whole;
    std::int64_t done = 0;
    for (auto& p : m.parts) {
      auto bytes = read_backup_file(store, id, p.key, "dump part " + p.key);
      if (!bytes) throw BackupError("backup " + id + " is damaged: dump part " + p.key + " is missing");
      if (static_cast<std::int64_t>(bytes->size()) != p.size || storage::sha256_hex(*bytes) != p.sha256)
        throw BackupError("backup " + id + " is damaged: dump part " + p.key + " fails its SHA-256 check");
      whole.update(*bytes);
      out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
      done += p.size;
      report(progress, "verifying database dump", done, m.dump_size);
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write a temporary file for the dump (disk full?)");
    if (whole.hex() != m.dump_sha256)
      throw BackupError("backup " + id + " is damaged: the database dump fails its SHA-256 check");
  }
  db::DumpSummary dumped;
  try {
    dumped = db::inspect_dump(db.dialect(), dump.string());
  } catch (const std::exception& e) {
    throw BackupError("backup " + id + " is damaged: " + e.what());
  }
  if (dumped.rows != m.rows || dumped.schema_version != m.schema_version || dumped.format != m.dump_format)
    throw BackupError("backup " + id + " is damaged: the dump does not match its manifest");

  std::int64_t done = 0;
  for (auto& o : m.objects) {
    report(progress, "verifying objects", done++, static_cast<std::int64_t>(m.objects.size()));
    auto bytes = read_backup_file(store, id, object_copy_key(o.sha256), "the copy of " + o.key);
    if (!bytes) throw BackupError("backup " + id + " is damaged: the copy of " + o.key + " is missing");
    if (static_cast<std::int64_t>(bytes->size()) != o.size || storage::sha256_hex(*bytes) != o.sha256)
      throw BackupError("backup " + id + " is damaged: the copy of " + o.key + " fails its SHA-256 check");
  }
  report(progress, "verifying objects", done, static_cast<std::int64_t>(m.objects.size()));

  std::vector<std::string> live;
  for (auto& info : store.list(""))
    if (!is_backup_key(info.key)) live.push_back(info.key);
  if (!options.replace) {
    if (db::holds_data(db))
      throw BackupError("the database is not empty; restore into an empty one, or pass --replace to overwrite it");
    if (!live.empty())
      throw BackupError("the object store holds " + std::to_string(live.size()) +
                        " objects outside backups/; restore into an empty one, or pass --replace to overwrite them");
  }
  if (db.dialect() == db::Dialect::mysql && db::schema_version_readonly(db) > m.schema_version)
    throw BackupError("the database is at schema version " + std::to_string(db::schema_version_readonly(db)) +
                      ", newer than backup " + id + " (" + std::to_string(m.schema_version) +
                      "); restore into an empty database");

  // ---- 2. restore: the database in one step, then the objects, then pending migrations ----
  report(progress, "restoring database", 0, 1);
  db::restore_database(db, dump.string());
  report(progress, "restoring database", 1, 1);
  done = 0;
  std::set<std::string> keep;
  for (auto& o : m.objects) {
    report(progress, "restoring objects", done++, static_cast<std::int64_t>(m.objects.size()));
    auto bytes = store.get(object_copy_key(o.sha256));
    if (!bytes || storage::sha256_hex(*bytes) != o.sha256)
      throw std::runtime_error("the copy of " + o.key + " changed during the restore; run it again with --replace");
    store.put(o.key, *bytes, o.content_type);
    keep.insert(o.key);
  }
  report(progress, "restoring objects", done, static_cast<std::int64_t>(m.objects.size()));
  for (auto& key : live)
    if (!keep.count(key)) store.remove(key);  // --replace: the store as it was at the backup
  db::migrate(db);
  db::release_backup_lease(db);
  if (here != m.installation_id) store.put(kInstallationKey, m.installation_id, "text/plain");
  spdlog::info("restored backup {}: {} objects, schema version {}", id, m.objects.size(), m.schema_version);
  return summary_of(m);
}

int prune_backups(App& app, int keep) {
  auto& store = *app.store;
  auto all = list_backups(app);
  const std::int64_t day_ago = now_unix() - 86400;
  int kept = 0, deleted = 0;
  bool running = false;
  std::set<std::string> referenced;
  auto drop = [&](const std::string& id) {
    store.remove(manifest_key(id));  // first: a half-deleted backup reads as partial, never as whole
    for (auto& info : store.list(kRoot + id + "/")) store.remove(info.key);
    ++deleted;
  };
  for (auto& b : all) {
    if (b.partial) {
      if (b.created_at < day_ago)
        drop(b.id);
      else
        running = true;  // maybe a backup in progress: its object copies are not in a manifest yet
    } else if (kept < keep) {
      ++kept;
      auto text = store.get(manifest_key(b.id));
      if (!text) continue;
      for (auto& o : parse_manifest(b.id, *text).objects) referenced.insert(o.sha256);
    } else {
      drop(b.id);
    }
  }
  if (running) return deleted;
  for (auto& info : store.list(kObjects))
    if (!referenced.count(info.key.substr(kObjects.size()))) store.remove(info.key);
  return deleted;
}

std::string run_scheduled_backup(App& app, const std::string& holder) {
  const std::int64_t every = app.config.backup_every_seconds;
  if (every <= 0) return "";
  const std::int64_t now = now_unix();
  // The lease outlives any sane backup; if its holder dies, another instance takes over after it.
  if (!db::claim_scheduled_backup(*app.db, holder, now, 6 * 3600)) return "";
  try {
    auto s = create_backup(app);
    int pruned = prune_backups(app, app.config.backup_keep);
    if (pruned) spdlog::info("backup retention: deleted {} old backup(s), keeping {}", pruned, app.config.backup_keep);
    db::finish_scheduled_backup(*app.db, holder, now + every, s.id);
    return s.id;
  } catch (const std::exception& e) {
    spdlog::error("scheduled backup failed: {}", e.what());
    db::finish_scheduled_backup(*app.db, holder, now + std::min<std::int64_t>(every, 600), "");
    return "";
  }
}

}  // namespace sy::services
