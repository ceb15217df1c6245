#pragma once
// The typed states (core/states.h) bind to SOCI as their text form, so `into(row.status)` and
// `use(row.role)` read and write the column's text directly. A text the enum does not know (or
// NULL) in one of these columns is a broken row: reading it throws rather than guessing.
#include <soci/soci.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/states.h"

namespace sy::db::detail {

// parse_state(text, (E*)nullptr): the parse_* function of state E.
inline std::optional<Role> parse_state(std::string_view s, Role*) { return parse_role(s); }
inline std::optional<PhotoStatus> parse_state(std::string_view s, PhotoStatus*) { return parse_photo_status(s); }
inline std::optional<Moderation> parse_state(std::string_view s, Moderation*) { return parse_moderation(s); }
inline std::optional<JobStatus> parse_state(std::string_view s, JobStatus*) { return parse_job_status(s); }
inline std::optional<PersonStatus> parse_state(std::string_view s, PersonStatus*) { return parse_person_status(s); }
inline std::optional<ExportStatus> parse_state(std::string_view s, ExportStatus*) { return parse_export_status(s); }

template <class E>
struct StateConversion {
  typedef std::string base_type;
  static void from_base(const std::string& text, soci::indicator ind, E& out) {
    if (ind == soci::i_null) throw std::runtime_error("database: NULL where a state was expected");
    auto v = parse_state(text, static_cast<E*>(nullptr));
    if (!v) throw std::runtime_error("database: unknown state '" + text + "'");
    out = *v;
  }
  static void to_base(const E& v, std::string& text, soci::indicator& ind) {
    text = to_string(v);
    ind = soci::i_ok;
  }
};

}  // namespace sy::db::detail

namespace soci {
template <>
struct type_conversion<sy::Role> : sy::db::detail::StateConversion<sy::Role> {};
template <>
struct type_conversion<sy::PhotoStatus> : sy::db::detail::StateConversion<sy::PhotoStatus> {};
template <>
struct type_conversion<sy::Moderation> : sy::db::detail::StateConversion<sy::Moderation> {};
template <>
struct type_conversion<sy::JobStatus> : sy::db::detail::StateConversion<sy::JobStatus> {};
template <>
struct type_conversion<sy::PersonStatus> : sy::db::detail::StateConversion<sy::PersonStatus> {};
template <>
struct type_conversion<sy::ExportStatus> : sy::db::detail::StateConversion<sy::ExportStatus> {};
}  // namespace soci
