#include "core/states.h"

#include <array>
#include <nlohmann/json.hpp>

namespace sy {
namespace {

// Indexed by the enum's value: the order here is the order of the enumerators.
constexpr std::array<std::string_view, 6> kRoles{"anonymous", "admin", "teacher", "student", "guardian", "system"};
constexpr std::array<std::string_view, 3> kPhotoStatuses{"processing", "ready", "failed"};
constexpr std::array<std::string_view, 3> kModerations{"pending", "approved", "rejected"};
constexpr std::array<std::string_view, 4> kJobStatuses{"queued", "running", "done", "dead"};
constexpr std::array<std::string_view, 3> kPersonStatuses{"active", "left", "graduated"};
constexpr std::array<std::string_view, 4> kExportStatuses{"queued", "running", "ready", "failed"};

template <class E, std::size_t N>
std::string name_of(const std::array<std::string_view, N>& names, E e) {
  return std::string(names.at(static_cast<std::size_t>(e)));
}

template <class E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string to_string(Role r) { return name_of(kRoles, r); }
std::string to_string(PhotoStatus s) { return name_of(kPhotoStatuses, s); }
std::string to_string(Moderation m) { return name_of(kModerations, m); }
std::string to_string(JobStatus s) { return name_of(kJobStatuses, s); }
std::string to_string(PersonStatus s) { return name_of(kPersonStatuses, s); }
std::string to_string(ExportStatus s) { return name_of(kExportStatuses, s); }

std::optional<Role> parse_role(std::string_view s) { return parse<Role>(kRoles, s); }
std::optional<PhotoStatus> parse_photo_status(std::string_view s) { return parse<PhotoStatus>(kPhotoStatuses, s); }
std::optional<Moderation> parse_moderation(std::string_view s) { return parse<Moderation>(kModerations, s); }
std::optional<JobStatus> parse_job_status(std::string_view s) { return parse<JobStatus>(kJobStatuses, s); }
std::optional<PersonStatus> parse_person_status(std::string_view s) { return parse<PersonStatus>(kPersonStatuses, s); }
std::optional<ExportStatus> parse_export_status(std::string_view s) { return parse<ExportStatus>(kExportStatuses, s); }

void to_json(nlohmann::json& j, Role r) { j = to_string(r); }
void to_json(nlohmann::json& j, PhotoStatus s) { j = to_string(s); }
void to_json(nlohmann::json& j, Moderation m) { j = to_string(m); }
void to_json(nlohmann::json& j, JobStatus s) { j = to_string(s); }
void to_json(nlohmann::json& j, PersonStatus s) { j = to_string(s); }
void to_json(nlohmann::json& j, ExportStatus s) { j = to_string(s); }

}  // namespace sy
