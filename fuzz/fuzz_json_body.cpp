// libFuzzer: the request body readers every handler uses (Request::json_body, Request::form,
// parse_urlencoded, url_decode; src/http/types.cpp). Only AppError 400/413/415 may escape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "http/types.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  sy::http::Request req;
  req.method = "POST";
  req.body = body;
  req.headers.emplace_back("content-type", "application/json");
  try {
    auto j = req.json_body();
    if (!j.is_object()) __builtin_trap();
  } catch (const sy::AppError& e) {
    if (sy::http::status_of(e.kind) != 400 && sy::http::status_of(e.kind) != 413 && sy::http::status_of(e.kind) != 415)
      __builtin_trap();
  }
  req.headers.back().second = "application/x-www-form-urlencoded";
  try {
    req.form();
  } catch (const sy::AppError& e) {
    if (sy::http::status_of(e.kind) != 400 && sy::http::status_of(e.kind) != 413 && sy::http::status_of(e.kind) != 415)
      __builtin_trap();
  }
  try {
    sy::http::parse_urlencoded(body);  // its field caps answer 413 (a field name or value too long, too many)
  } catch (const sy::AppError& e) {
    if (sy::http::status_of(e.kind) != 413) __builtin_trap();
  }
  sy::http::url_decode(body, true);
  sy::http::url_decode(body, false);
  return 0;
}
