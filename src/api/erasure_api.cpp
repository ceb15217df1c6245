#include "api/erasure_api.h"

#include "api/context.h"
#include "services/erasure.h"

namespace sy::api {

namespace {

http::Response erased(const services::Erased& e) {
  auto r = http::Response::json(200, {{"erased", {{"photos", e.photos}, {"objects", e.objects}, {"pdfs", e.pdfs}}}});
  r.set_header("Cache-Control", "private, no-store");
  return r;
}

}  // namespace

void mount_erasure_api(http::Router& r, services::App& app) {
  r.del("/api/v1/photos/{id}",
        [&app](http::Request& req) { return erased(services::erase_photo(app, actor_of(req), req.param_id("id"))); });
  r.del("/api/v1/users/{id}",
        [&app](http::Request& req) { return erased(services::erase_student(app, actor_of(req), req.param_id("id"))); });
}

}  // namespace sy::api
