#include "api/live_api.h"

#include "api/context.h"

namespace sy::api {

namespace {

http::Response no_store(http::Response r) {
  r.set_header("Cache-Control", "private, no-store");
  return r;
}

services::LiveHub::Send sender(const std::shared_ptr<http::EventSink>& sink) {
  return [sink](const std::string& event, const std::string& data) { return sink->send(event, data); };
}
services::LiveHub::Alive alive(const std::shared_ptr<http::EventSink>& sink) {
  return [sink] { return !sink->closed(); };
}

}  // namespace

void mount_live_api(http::Router& r, services::App& app, std::shared_ptr<services::LiveHub> hub) {
  r.get("/api/v1/me/photo/status", [&app](http::Request& req) {
    return no_store(http::Response::json(200, services::photo_status(app, actor_of(req))));
  });
  r.get("/api/v1/yearbook/{class_id}/state", [&app](http::Request& req) {
    return no_store(http::Response::json(200, services::yearbook_state(app, actor_of(req), req.param_id("class_id"))));
  });

  // Permission is checked before the stream opens, so a refusal is an ordinary JSON error.
  r.get("/api/v1/events/photo", [&app, hub](http::Request& req) {
    auto actor = actor_of(req);
    services::photo_status(app, actor);
    return http::Response::event_stream(
        [hub, actor](std::shared_ptr<http::EventSink> sink) { hub->watch_photo(actor, sender(sink), alive(sink)); });
  });
  r.get("/api/v1/events/yearbook/{class_id}", [&app, hub](http::Request& req) {
    auto actor = actor_of(req);
    auto class_id = req.param_id("class_id");
    services::yearbook_state(app, actor, class_id);
    return http::Response::event_stream([hub, actor, class_id](std::shared_ptr<http::EventSink> sink) {
      hub->watch_yearbook(actor, class_id, sender(sink), alive(sink));
    });
  });
}

}  // namespace sy::api
