#include "core/states.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sy {
namespace {

// Every enumerator has a distinct text that reads back to itself; other text reads as nothing.
template <class E, class Parse>
void round_trips(std::initializer_list<E> all, Parse parse, std::initializer_list<const char*> texts) {
  auto text = texts.begin();
  for (E e : all) {
    EXPECT_EQ(to_string(e), *text);
    EXPECT_EQ(parse(to_string(e)), e) << *text;
    ++text;
  }
  EXPECT_EQ(parse(""), std::nullopt);
  EXPECT_EQ(parse("Ready"), std::nullopt);  // the stored text is exact, lower-case
  EXPECT_EQ(parse("admin "), std::nullopt);
}

TEST(States, RolesRoundTrip) {
  round_trips({Role::anonymous, Role::admin, Role::teacher, Role::student, Role::guardian, Role::system}, parse_role,
              {"anonymous", "admin", "teacher", "student", "guardian", "system"});
}

TEST(States, PhotoStatusRoundTrips) {
  round_trips({PhotoStatus::processing, PhotoStatus::ready, PhotoStatus::failed}, parse_photo_status,
              {"processing", "ready", "failed"});
}

TEST(States, ModerationRoundTrips) {
  round_trips({Moderation::pending, Moderation::approved, Moderation::rejected}, parse_moderation,
              {"pending", "approved", "rejected"});
}

TEST(States, JobStatusRoundTrips) {
  round_trips({JobStatus::queued, JobStatus::running, JobStatus::done, JobStatus::dead}, parse_job_status,
              {"queued", "running", "done", "dead"});
}

TEST(States, PersonStatusRoundTrips) {
  round_trips({PersonStatus::active, PersonStatus::left, PersonStatus::graduated}, parse_person_status,
              {"active", "left", "graduated"});
}

TEST(States, ExportStatusRoundTrips) {
  round_trips({ExportStatus::queued, ExportStatus::running, ExportStatus::ready, ExportStatus::failed},
              parse_export_status, {"queued", "running", "ready", "failed"});
}

TEST(States, JsonShowsTheText) {
  nlohmann::json j = {{"role", Role::teacher}, {"status", PhotoStatus::ready}, {"job", JobStatus::dead}};
  EXPECT_EQ(j.dump(), R"({"job":"dead","role":"teacher","status":"ready"})");
}

}  // namespace
}  // namespace sy
