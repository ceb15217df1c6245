#include "api/timetable_api.h"

#include <algorithm>

#include "api/context.h"
#include "core/error.h"
#include "services/school_days.h"
#include "services/timetable.h"

namespace sy::api {

namespace {

using J = nlohmann::json;

J period_json(const db::PeriodRow& p) {
  return {{"id", p.id}, {"name", p.name}, {"starts_at", p.starts_at}, {"ends_at", p.ends_at}};
}
J room_json(const db::RoomRow& r) { return {{"id", r.id}, {"name", r.name}}; }

http::Response slots_response(const std::vector<db::SlotRow>& slots, int weekday) {
  J out = J::array();
  for (auto& s : slots) out.push_back(slot_json(s));
  auto r = http::Response::json(200, {{"weekday", weekday == 0 ? J() : J(weekday)}, {"slots", out}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

std::int64_t optional_id(const J& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return 0;
  return id_field(body, name);
}

}  // namespace

J slot_json(const db::SlotRow& s) {
  return {
      {"id", s.id},
      {"class", {{"id", s.class_id}, {"name", s.class_name}}},
      {"weekday", s.weekday},
      {"period", {{"id", s.period_id}, {"name", s.period_name}, {"starts_at", s.starts_at}, {"ends_at", s.ends_at}}},
      {"subject", s.subject_id ? J{{"id", s.subject_id}, {"name", s.subject}} : J()},
      {"teacher", {{"id", s.teacher_id}, {"full_name", s.teacher_name}}},
      {"room", s.room_id ? J{{"id", s.room_id}, {"name", s.room_name}} : J()}};
}

int requested_weekday(const http::Request& req) {
  if (auto d = req.query_param("date"); d && !d->empty()) return services::iso_weekday(services::validate_day(*d));
  auto w = req.query_int("weekday", 0, -1, 8);
  if (w < 0 || w > 7) fail(ErrorKind::invalid, "invalid_weekday", "the weekday must be 1 (Monday) to 7 (Sunday)");
  return static_cast<int>(w);
}

void mount_timetable_api(http::Router& r, services::App& app) {
  services::register_timetable_setup_check();
  r.get("/api/v1/timetable/periods", [&app](http::Request& req) {
    J out = J::array();
    for (auto& p : services::list_periods(app, actor_of(req))) out.push_back(period_json(p));
    return http::Response::json(200, {{"periods", out}});
  });
  r.post("/api/v1/timetable/periods", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    db::PeriodRow p;
    p.name = str_field(body, "name");
    p.starts_at = str_field(body, "starts_at");
    p.ends_at = str_field(body, "ends_at");
    return http::Response::json(201, period_json(services::create_period(app, a, p)));
  });
  r.del("/api/v1/timetable/periods/{id}", [&app](http::Request& req) {
    services::delete_period(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/timetable/rooms", [&app](http::Request& req) {
    J out = J::array();
    for (auto& x : services::list_rooms(app, actor_of(req))) out.push_back(room_json(x));
    return http::Response::json(200, {{"rooms", out}});
  });
  r.post("/api/v1/timetable/rooms", [&app](http::Request& req) {
    auto a = actor_of(req);
    return http::Response::json(201, room_json(services::create_room(app, a, str_field(req.json_body(), "name"))));
  });
  r.del("/api/v1/timetable/rooms/{id}", [&app](http::Request& req) {
    services::delete_room(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.post("/api/v1/timetable/slots", [&app](http::Request& req) {
    auto a = actor_of(req);
    auto body = req.json_body();
    services::SlotInput in;
    in.class_id = id_field(body, "class_id");
    auto wd = body.find("weekday");
    if (wd == body.end() || !wd->is_number_integer())
      fail(ErrorKind::invalid, "invalid", "field 'weekday' must be a whole number (1 = Monday … 7 = Sunday)");
    in.weekday = static_cast<int>(std::clamp<long long>(wd->get<long long>(), -1, 8));
    in.period_id = id_field(body, "period_id");
    in.teacher_id = id_field(body, "teacher_id");
    in.subject_id = optional_id(body, "subject_id");
    in.room_id = optional_id(body, "room_id");
    return http::Response::json(201, slot_json(services::create_slot(app, a, in)));
  });
  r.del("/api/v1/timetable/slots/{id}", [&app](http::Request& req) {
    services::delete_slot(app, actor_of(req), req.param_id("id"));
    return http::Response::no_content();
  });

  r.get("/api/v1/classes/{id}/timetable", [&app](http::Request& req) {
    auto wd = requested_weekday(req);
    return slots_response(services::class_timetable(app, actor_of(req), req.param_id("id"), wd), wd);
  });
  r.get("/api/v1/students/{id}/timetable", [&app](http::Request& req) {
    auto wd = requested_weekday(req);
    return slots_response(services::student_timetable(app, actor_of(req), req.param_id("id"), wd), wd);
  });
  r.get("/api/v1/teachers/{id}/timetable", [&app](http::Request& req) {
    auto wd = requested_weekday(req);
    return slots_response(services::teacher_timetable(app, actor_of(req), req.param_id("id"), wd), wd);
  });
}

}  // namespace sy::api
