#pragma once
// The admin's setup checklist: what is missing before teachers can work. A list of checks, each a
// function over the database; other parts add theirs (e.g. the timetable's) with
// register_setup_check at start-up, before serving.
#include <functional>
#include <string>
#include <vector>

#include "db/database.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

struct SetupItem {
  std::string check;    // the check's id, e.g. "no_current_term"
  std::string message;  // what is missing, for people
  std::string fix_url;  // the page where it is fixed
};

// A check returns the items it finds (none = all good). It runs in a read transaction.
using SetupCheck = std::function<std::vector<SetupItem>(db::Tx&)>;

// Adds a check after the built-in ones (no current year, no current term, classes of the current
// year without a teacher or without students, subjects nobody teaches). Thread-safe.
void register_setup_check(const std::string& id, SetupCheck check);

// classes.manage. Every check's items in order; at most 20 items per check (the list is a to-do
// list, not a report).
std::vector<SetupItem> setup_checklist(App& app, const Actor& actor);

}  // namespace sy::services
