#pragma once
// The typed states (core/states.h) bind to SOCI as their text form, so `into(row.status)` and
// `use(row.role)` read and write the column's text directly. A text the enum does not know (or
// NULL) in one of these columns is a broken row: reading it throws rather than guessing.
#include <soci/soci.h>

#include <stdexcept>
#include <string>

#include "core/states.h"

namespace sy::db::detail {

template <class E, class Parse>
void state_from_text(const std::string& text, soci::indicator ind, E& out, Parse parse, const char* what) {
  if (ind == soci::i_null) throw std::runtime_error(std::string("database: NULL ") + what);
  auto v = parse(text);
  if (!v) throw std::runtime_error(std::string("database: unknown ") + what + " '" + text + "'");
  out = *v;
}

}  // namespace sy::db::detail

namespace soci {

#define SY_STATE_CONVERSION(Type, parse_fn, what)                              \
  template <>                                                                  \
  struct type_conversion<Type> {                                               \
    typedef std::string base_type;                                             \
    static void from_base(const std::string& text, indicator ind, Type& out) { \
      sy::db::detail::state_from_text(text, ind, out, parse_fn, what);         \
    }                                                                          \
    static void to_base(const Type& v, std::string& text, indicator& ind) {    \
      text = sy::to_string(v);                                                 \
      ind = i_ok;                                                              \
    }                                                                          \
  };

SY_STATE_CONVERSION(sy::Role, sy::parse_role, "role")
SY_STATE_CONVERSION(sy::PhotoStatus, sy::parse_photo_status, "photo status")
SY_STATE_CONVERSION(sy::Moderation, sy::parse_moderation, "moderation")
SY_STATE_CONVERSION(sy::JobStatus, sy::parse_job_status, "job status")

#undef SY_STATE_CONVERSION

}  // namespace soci
