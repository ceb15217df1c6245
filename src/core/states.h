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
// users.status, a person's place in the school: active | left | graduated.
enum class PersonStatus { active, left, graduated };
// yearbook_pdfs.status: queued → running → ready | failed (asking again retries a failed one).
enum class ExportStatus { queued, running, ready, failed };

std::string to_string(Role r);
std::string to_string(PhotoStatus s);
std::string to_string(Moderation m);
std::string to_string(JobStatus s);
std::string to_string(PersonStatus s);
std::string to_string(ExportStatus s);

std::optional<Role> parse_role(std::string_view s);
std::optional<PhotoStatus> parse_photo_status(std::string_view s);
std::optional<Moderation> parse_moderation(std::string_view s);
std::optional<JobStatus> parse_job_status(std::string_view s);
std::optional<PersonStatus> parse_person_status(std::string_view s);
std::optional<ExportStatus> parse_export_status(std::string_view s);

// The text of a state left open ("" for nullopt): how an unset filter travels in a URL or a query.
template <class E>
std::string to_string_or_empty(const std::optional<E>& s) {
  return s ? to_string(*s) : std::string();
}

// JSON shows the text form ({"role": "teacher"}).
void to_json(nlohmann::json& j, Role r);
void to_json(nlohmann::json& j, PhotoStatus s);
void to_json(nlohmann::json& j, Moderation m);
void to_json(nlohmann::json& j, JobStatus s);
void to_json(nlohmann::json& j, PersonStatus s);
void to_json(nlohmann::json& j, ExportStatus s);

}  // namespace sy
