#pragma once
// One error type for the whole app. A service says what kind of failure it is and gives one
// machine-readable code per failure; only the HTTP layer (http::status_of) turns the kind into a
// status code and the contract's {"error":{"code","message"}} body (or a readable page). Anything
// else that escapes is a 500.
#include <stdexcept>
#include <string>

namespace sy {

enum class ErrorKind {
  bad_request,         // the request itself is malformed
  unauthorized,        // nobody is logged in, or the credentials are wrong
  forbidden,           // logged in, but not allowed
  not_found,           // no such record, or not one the caller may know of
  method_not_allowed,  //
  conflict,            // the record's state does not allow it (duplicate, already done)
  gone,                // it existed and was removed
  too_large,           // over a size limit
  unsupported_type,    // a media type (of the request or of an upload) that is not accepted
  invalid,             // well-formed but breaks a rule (a field's format, range or meaning)
  throttled,           // too many attempts; try later
  unavailable,         // a dependency (database, storage) is away; try later
  internal,            // a bug or an unexpected state
};

inline bool is_server_error(ErrorKind k) { return k == ErrorKind::internal || k == ErrorKind::unavailable; }

struct AppError : std::runtime_error {
  ErrorKind kind;
  std::string code;
  AppError(ErrorKind kind_, std::string code_, const std::string& message)
      : std::runtime_error(message), kind(kind_), code(std::move(code_)) {}
};

[[noreturn]] inline void fail(ErrorKind kind, std::string code, const std::string& message) {
  throw AppError(kind, std::move(code), message);
}
[[noreturn]] inline void bad_request(const std::string& m) { fail(ErrorKind::bad_request, "bad_request", m); }
[[noreturn]] inline void unauthorized(const std::string& m = "login required") {
  fail(ErrorKind::unauthorized, "unauthorized", m);
}
[[noreturn]] inline void forbidden(const std::string& m = "not allowed") { fail(ErrorKind::forbidden, "forbidden", m); }
[[noreturn]] inline void not_found(const std::string& m = "not found") { fail(ErrorKind::not_found, "not_found", m); }
[[noreturn]] inline void conflict(const std::string& m) { fail(ErrorKind::conflict, "conflict", m); }
[[noreturn]] inline void unprocessable(const std::string& m) { fail(ErrorKind::invalid, "invalid", m); }

}  // namespace sy
