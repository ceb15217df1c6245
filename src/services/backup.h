#pragma once
// `schoolyard backup`, `backup list` and `restore`, and the scheduled backups `serve` takes.
// Layout in the object store (docs/operations.md has the why):
//   backups/<id>/dump/NNNNN        the database dump in 8 MiB parts
//   backups/<id>/manifest.json     written last: a backup without it is partial
//   backups/objects/<sha256>       object bytes, content-addressed, shared between backups
//   backups/installation-id        which deployment these backups belong to
// <id> = UTC time + random, e.g. 20261201t021500z-3f9a1c2e (sorts by time; keys are lower case).
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "services/app.h"

namespace sy::services {

// A refused restore or an unknown backup: one line for the operator; nothing was changed.
struct BackupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Progress: stage name, done, total (total 0 = unknown). Called often; cheap to ignore.
using BackupProgress = std::function<void(const std::string& stage, std::int64_t done, std::int64_t total)>;

struct BackupSummary {
  std::string id;
  std::int64_t created_at = 0;
  std::string dialect;
  int schema_version = 0;
  std::int64_t objects = 0;
  std::int64_t object_bytes = 0;
  std::int64_t new_objects = 0;  // copied by this backup (the rest were already in backups/objects/)
  std::int64_t dump_bytes = 0;
  std::int64_t rows = 0;
  bool partial = false;  // list only: parts without a manifest
};

BackupSummary create_backup(App& app, const BackupProgress& progress = {});

// Newest first; partial backups (no manifest) are listed with partial = true.
std::vector<BackupSummary> list_backups(App& app);

struct RestoreOptions {
  bool replace = false;        // allow a database / store that already holds data (it is overwritten)
  bool allow_foreign = false;  // accept a backup made by another installation (and adopt its id)
};
// Verifies everything first (manifest, format, dialect, installation, every checksum, an empty
// target) and throws BackupError touching nothing; then restores the database and the objects.
BackupSummary restore_backup(App& app, const std::string& id, const RestoreOptions& options,
                             const BackupProgress& progress = {});

// Keeps the newest `keep` complete backups; deletes older ones, partial ones older than a day, and
// content-addressed objects no kept backup references. Returns how many backups were deleted.
int prune_backups(App& app, int keep);

// For serve: when this instance wins the period (db lease), backs up, prunes, and returns the id;
// "" when another instance has it or it is not due.
std::string run_scheduled_backup(App& app, const std::string& holder);

}  // namespace sy::services
