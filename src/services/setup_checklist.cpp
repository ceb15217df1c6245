#include "services/setup_checklist.h"

#include <mutex>

#include "db/setup_repo.h"
#include "db/years_repo.h"
#include "services/permissions.h"
#include "services/years.h"

namespace sy::services {

namespace {

constexpr int kMaxItemsPerCheck = 20;

struct Registered {
  std::string id;
  SetupCheck check;
};

std::vector<SetupItem> no_current_year(db::Tx& t) {
  if (db::years::current(t)) return {};
  return {{"no_current_year", "There is no current academic year: create one (or mark one current).", "/years"}};
}

std::vector<SetupItem> no_current_term(db::Tx& t) {
  auto y = db::years::current(t);
  if (!y) return {};
  std::string d = today();
  if (db::terms::current(t, d)) return {};
  return {{"no_current_term", "No term of " + y->name + " covers today (" + d + "): add a term.",
           "/years/" + std::to_string(y->id)}};
}

std::vector<SetupItem> from_named(const std::vector<db::setup::Named>& rows, const std::string& check,
                                  const std::string& what, const std::string& url_prefix) {
  std::vector<SetupItem> out;
  for (const auto& r : rows) out.push_back({check, what + " " + r.name, url_prefix + std::to_string(r.id)});
  return out;
}

std::vector<SetupItem> no_classes(db::Tx& t) {
  auto y = db::years::current(t);
  if (!y || db::years::class_count(t, y->id) > 0) return {};
  return {
      {"no_classes", y->name + " has no classes yet: create them, import them, or roll last year's over.", "/classes"}};
}

std::vector<SetupItem> class_without_teacher(db::Tx& t) {
  auto y = db::years::current(t);
  if (!y) return {};
  return from_named(db::setup::classes_without_teacher(t, y->id, kMaxItemsPerCheck), "class_without_teacher",
                    "No teacher is assigned to class", "/classes/");
}

std::vector<SetupItem> class_without_students(db::Tx& t) {
  auto y = db::years::current(t);
  if (!y) return {};
  return from_named(db::setup::classes_without_students(t, y->id, kMaxItemsPerCheck), "class_without_students",
                    "No students are enrolled in class", "/classes/");
}

std::vector<SetupItem> subject_without_teacher(db::Tx& t) {
  auto y = db::years::current(t);
  if (!y) return {};
  return from_named(db::setup::subjects_without_teacher(t, y->id, kMaxItemsPerCheck), "subject_without_teacher",
                    "Nobody teaches subject", "/subjects/");
}

std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}

std::vector<Registered>& registry() {
  static std::vector<Registered> checks = {
      {"no_current_year", no_current_year},
      {"no_current_term", no_current_term},
      {"no_classes", no_classes},
      {"class_without_teacher", class_without_teacher},
      {"class_without_students", class_without_students},
      {"subject_without_teacher", subject_without_teacher},
  };
  return checks;
}

}  // namespace

void register_setup_check(const std::string& id, SetupCheck check) {
  std::lock_guard lock(registry_mu());
  for (auto& r : registry())
    if (r.id == id) {
      r.check = std::move(check);  // registering twice replaces (tests, re-init)
      return;
    }
  registry().push_back({id, std::move(check)});
}

std::vector<SetupItem> setup_checklist(App& app, const Actor& actor) {
  require(actor, "classes.manage");
  std::vector<Registered> checks;
  {
    std::lock_guard lock(registry_mu());
    checks = registry();
  }
  // The primary, not the replica: the list must empty the moment the admin fixes the last item.
  return app.db->read_result<std::vector<SetupItem>>([&](db::Tx& t) {
    std::vector<SetupItem> out;
    for (const auto& c : checks) {
      auto items = c.check(t);
      if (items.size() > static_cast<std::size_t>(kMaxItemsPerCheck)) items.resize(kMaxItemsPerCheck);
      out.insert(out.end(), items.begin(), items.end());
    }
    return out;
  });
}

}  // namespace sy::services
