#pragma once
// One error type for the whole app: the HTTP layer maps it to a status and the contract's
// {"error":{"code","message"}} body (or a readable page). Anything else that escapes is a 500.
#include <stdexcept>
#include <string>

namespace sy {

struct AppError : std::runtime_error {
  int status;
  std::string code;
  AppError(int status_, std::string code_, const std::string& message)
      : std::runtime_error(message), status(status_), code(std::move(code_)) {}
};

[[noreturn]] inline void fail(int status, std::string code, const std::string& message) {
  throw AppError(status, std::move(code), message);
}
[[noreturn]] inline void bad_request(const std::string& m) { fail(400, "bad_request", m); }
[[noreturn]] inline void unauthorized(const std::string& m = "login required") { fail(401, "unauthorized", m); }
[[noreturn]] inline void forbidden(const std::string& m = "not allowed") { fail(403, "forbidden", m); }
[[noreturn]] inline void not_found(const std::string& m = "not found") { fail(404, "not_found", m); }
[[noreturn]] inline void conflict(const std::string& m) { fail(409, "conflict", m); }
[[noreturn]] inline void unprocessable(const std::string& m) { fail(422, "invalid", m); }

}  // namespace sy
