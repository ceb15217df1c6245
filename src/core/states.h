#pragma once
// The states rows and actors travel in, as types. Each has its text form (what the database
// stores, the JSON and the templates show) written once, in states.cpp: to_string gives it, the
// parse_* functions read it back and answer nullopt for any other text.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace sy {

// An account's role. Two are never an account's: `system` is the operator's CLI and start-up tasks
// (granted everything), `anonymous` a caller without a session (granted nothing, and the default).
enum class Role { anonymous, admin, teacher, student, guardian, system };
// photos.status: processing → ready | failed (and back to processing for a retry).
enum class PhotoStatus { processing, ready, failed };
// photos.moderation: pending → approved | rejected.
enum class Moderation { pending, approved, rejected };
// jobs.status: queued → running → done | queued again | dead.
enum class JobStatus { queued, running, done, dead };

std::string to_string(Role r);
std::string to_string(PhotoStatus s);
std::string to_string(Moderation m);
std::string to_string(JobStatus s);

std::optional<Role> parse_role(std::string_view s);
std::optional<PhotoStatus> parse_photo_status(std::string_view s);
std::optional<Moderation> parse_moderation(std::string_view s);
std::optional<JobStatus> parse_job_status(std::string_view s);

// JSON shows the text form ({"role": "teacher"}).
void to_json(nlohmann::json& j, Role r);
void to_json(nlohmann::json& j, PhotoStatus s);
void to_json(nlohmann::json& j, Moderation m);
void to_json(nlohmann::json& j, JobStatus s);

}  // namespace sy
