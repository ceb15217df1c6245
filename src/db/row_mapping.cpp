#include "db/row_mapping.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sy::db::rows {

namespace {

[[noreturn]] void not_an_integer(const std::string& col, const std::string& why) {
  throw std::runtime_error("database: column " + col + " " + why);
}

}  // namespace

std::optional<std::int64_t> optional_integer(const soci::values& v, const std::string& col) {
  if (v.get_indicator(col) == soci::i_null) return std::nullopt;
  switch (v.get_properties(col).get_data_type()) {
    case soci::dt_integer:
      return v.get<int>(col);
    case soci::dt_long_long:
      return v.get<long long>(col);
    case soci::dt_unsigned_long_long: {
      auto u = v.get<unsigned long long>(col);
      if (u > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
        not_an_integer(col, "is out of range");
      return static_cast<std::int64_t>(u);
    }
    case soci::dt_double: {
      // SQLite reports an expression's type from its value; a whole number may come as a double.
      double d = v.get<double>(col);
      if (!(std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15)) not_an_integer(col, "is not a whole number");
      return static_cast<std::int64_t>(d);
    }
    case soci::dt_string: {
      auto s = v.get<std::string>(col);
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        not_an_integer(col, "holds text, not an integer");
      return n;
    }
    default:
      not_an_integer(col, "is not an integer column");
  }
}

std::int64_t integer(const soci::values& v, const std::string& col) {
  auto n = optional_integer(v, col);
  if (!n) not_an_integer(col, "is NULL");
  return *n;
}

bool flag(const soci::values& v, const std::string& col) { return integer(v, col) != 0; }

std::string text(const soci::values& v, const std::string& col) { return v.get<std::string>(col); }

std::string text_or_empty(const soci::values& v, const std::string& col) {
  return v.get_indicator(col) == soci::i_null ? std::string() : v.get<std::string>(col);
}

void read(const soci::values& v, UserRow& r) {
  r.id = integer(v, "id");
  r.username = text(v, "username");
  r.password_hash = text(v, "password_hash");
  r.role = v.get<Role>("role");
  r.full_name = text(v, "full_name");
  r.active = flag(v, "active");
  r.created_at = integer(v, "created_at");
  r.updated_at = integer(v, "updated_at");
}

void read(const soci::values& v, SessionRow& r) {
  r.id = integer(v, "id");
  r.token_hash = text(v, "token_hash");
  r.user_id = integer(v, "user_id");
  r.csrf_token = text(v, "csrf_token");
  r.created_at = integer(v, "created_at");
  r.last_seen_at = integer(v, "last_seen_at");
  r.expires_at = integer(v, "expires_at");
  r.ip = text(v, "ip");
}

void read(const soci::values& v, AuditRow& r) {
  r.id = integer(v, "id");
  r.at = integer(v, "at");
  r.actor_id = optional_integer(v, "actor_id");
  r.actor_username = text(v, "actor_username");
  r.action = text(v, "action");
  r.entity_type = text(v, "entity_type");
  r.entity_id = text(v, "entity_id");
  r.detail = text(v, "detail");
  r.ip = text(v, "ip");
  r.request_id = text(v, "request_id");
}

void read(const soci::values& v, PhotoRow& r) {
  r.id = integer(v, "id");
  r.student_id = integer(v, "student_id");
  r.status = v.get<PhotoStatus>("status");
  r.moderation = v.get<Moderation>("moderation");
  r.moderation_reason = text(v, "moderation_reason");
  r.moderated_by = optional_integer(v, "moderated_by");
  r.moderated_at = optional_integer(v, "moderated_at");
  r.quote = text(v, "quote");
  r.original_key = text(v, "original_key");
  r.original_sha256 = text(v, "original_sha256");
  r.original_size = integer(v, "original_size");
  r.source_type = text(v, "source_type");
  r.error_code = text(v, "error_code");
  r.error = text(v, "error");
  r.bytes_out = integer(v, "bytes_out");
  r.is_current = flag(v, "is_current");
  r.purged_at = optional_integer(v, "purged_at");
  r.created_at = integer(v, "created_at");
  r.updated_at = integer(v, "updated_at");
  r.ready_at = optional_integer(v, "ready_at");
}

void read(const soci::values& v, PhotoVariantRow& r) {
  r.photo_id = integer(v, "photo_id");
  r.variant = text(v, "variant");
  r.object_key = text(v, "object_key");
  r.sha256 = text(v, "sha256");
  r.size = integer(v, "size");
  r.width = static_cast<int>(integer(v, "width"));
  r.height = static_cast<int>(integer(v, "height"));
  r.content_type = text(v, "content_type");
}

void read(const soci::values& v, JobRow& r) {
  r.id = integer(v, "id");
  r.kind = text(v, "kind");
  r.photo_id = optional_integer(v, "photo_id");
  r.event_name = text(v, "event_name");
  r.bucket = text(v, "bucket");
  r.object_key = text(v, "object_key");
  r.size = integer(v, "size");
  r.etag = text(v, "etag");
  r.sequencer = text(v, "sequencer");
  r.status = v.get<JobStatus>("status");
  r.attempts = static_cast<int>(integer(v, "attempts"));
  r.visible_at_ms = integer(v, "visible_at_ms");
  r.lease_owner = text(v, "lease_owner");
  r.lease_token = text(v, "lease_token");
  r.last_error = text(v, "last_error");
  r.result = text(v, "result");
  r.created_at_ms = integer(v, "created_at_ms");
  r.updated_at_ms = integer(v, "updated_at_ms");
  r.started_at_ms = optional_integer(v, "started_at_ms");
  r.finished_at_ms = optional_integer(v, "finished_at_ms");
}

void read(const soci::values& v, ClassRow& r) {
  r.id = integer(v, "id");
  r.name = text(v, "name");
  r.year = static_cast<int>(integer(v, "year"));
  r.created_at = integer(v, "created_at");
}

void read(const soci::values& v, PersonRow& r) {
  r.id = integer(v, "id");
  r.username = text(v, "username");
  r.full_name = text(v, "full_name");
  r.active = flag(v, "active");
  r.consent = text_or_empty(v, "consent");
}

void read(const soci::values& v, TeacherRow& r) {
  r.id = integer(v, "id");
  r.username = text(v, "username");
  r.full_name = text(v, "full_name");
  r.subject = text(v, "subject");
}

void read(const soci::values& v, YearbookRow& r) {
  r.student_id = integer(v, "student_id");
  r.full_name = text(v, "full_name");
  r.consent = text_or_empty(v, "consent");
  r.photo_id = optional_integer(v, "photo_id").value_or(0);
  r.quote = r.photo_id ? text_or_empty(v, "quote") : "";
}

void read(const soci::values& v, moderation::Pending& r) {
  r.photo_id = integer(v, "photo_id");
  r.student_id = integer(v, "student_id");
  r.full_name = text(v, "full_name");
  r.quote = text(v, "quote");
  r.created_at = integer(v, "created_at");
}

}  // namespace sy::db::rows
