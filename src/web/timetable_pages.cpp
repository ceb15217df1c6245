#include "web/timetable_pages.h"

#include <map>

#include "api/context.h"
#include "api/timetable_api.h"
#include "core/error.h"
#include "services/permissions.h"
#include "services/school.h"
#include "services/school_days.h"
#include "services/subjects.h"
#include "services/timetable.h"
#include "web/render.h"

namespace sy::web {

namespace {

using J = nlohmann::json;

std::string id_str(std::int64_t id) { return std::to_string(id); }

// Lessons grouped by weekday, in order; with a register link for those who may take it.
J week_data(const std::vector<db::SlotRow>& slots, int weekday, const std::string& heading, bool register_links) {
  int today = services::iso_weekday(services::today());
  std::map<int, J> by_day;
  for (auto& s : slots) {
    J l = {{"starts_at", s.starts_at},   {"ends_at", s.ends_at},      {"period", s.period_name}, {"subject", s.subject},
           {"class_name", s.class_name}, {"teacher", s.teacher_name}, {"room", s.room_name}};
    if (register_links && s.weekday == today)
      l["register_url"] = "/attendance/classes/" + id_str(s.class_id) + "?period_id=" + id_str(s.period_id);
    by_day[s.weekday].push_back(l);
  }
  J days = J::array();
  for (auto& [d, lessons] : by_day)
    days.push_back({{"name", services::weekday_name(d)}, {"is_today", d == today}, {"lessons", lessons}});
  return {{"heading", heading}, {"days", days}, {"day_view", weekday != 0}, {"today", services::today()}};
}

std::int64_t form_id(const std::multimap<std::string, std::string>& f, const char* name) {
  auto v = http::first_value(f, name);
  if (v.empty()) return 0;
  if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
    fail(ErrorKind::invalid, "invalid", std::string("'") + name + "' must be a number");
  return std::stoll(v);
}

template <class F>
http::Response form_post(const std::string& done, F&& fn) {
  try {
    fn();
  } catch (const AppError& e) {
    if (e.kind == ErrorKind::conflict || e.kind == ErrorKind::invalid || e.kind == ErrorKind::not_found)
      return redirect_with_flash("/timetable", e.what());
    throw;
  }
  return redirect_with_flash("/timetable", done);
}

http::Response manage_page(services::App& app, http::Request& req, const services::Actor& actor) {
  J periods = J::array(), rooms = J::array(), classes = J::array(), weekdays = J::array();
  for (auto& p : services::list_periods(app, actor))
    periods.push_back({{"id", id_str(p.id)}, {"name", p.name}, {"starts_at", p.starts_at}, {"ends_at", p.ends_at}});
  for (auto& r : services::list_rooms(app, actor)) rooms.push_back({{"id", id_str(r.id)}, {"name", r.name}});
  for (auto& c : services::list_classes(app, actor))
    classes.push_back({{"id", id_str(c.id)}, {"name", c.name}, {"year", std::to_string(c.year)}});
  J subjects = J::array();
  for (auto& sj : services::list_subjects(app, actor, "", {200, 0}).items)
    subjects.push_back({{"id", id_str(sj.id)}, {"name", sj.name}});
  for (int d = 1; d <= 7; ++d) weekdays.push_back({{"value", std::to_string(d)}, {"name", services::weekday_name(d)}});
  return page(
      req, "timetable_manage", "Timetable",
      {{"periods", periods}, {"rooms", rooms}, {"classes", classes}, {"weekdays", weekdays}, {"subjects", subjects}});
}

}  // namespace

void mount_timetable_pages(http::Router& r, services::App& app) {
  r.get("/timetable", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    int wd = api::requested_weekday(req);
    if (services::can(actor, "timetable.manage")) return manage_page(app, req, actor);
    if (actor.role == sy::Role::teacher)
      return page(req, "timetable_week", "My timetable",
                  week_data(services::teacher_timetable(app, actor, actor.id, wd), wd, "My timetable", true));
    if (actor.role == sy::Role::student)
      return page(req, "timetable_week", "My timetable",
                  week_data(services::student_timetable(app, actor, actor.id, wd), wd, "My timetable", false));
    J kids = J::array();
    for (auto& c : services::my_children(app, actor))  // guardians; anyone else is refused there
      kids.push_back({{"id", id_str(c.child.id)},
                      {"full_name", c.child.full_name.empty() ? c.child.username : c.child.full_name}});
    J d = {{"heading", "Timetables"}, {"days", J::array()}, {"children", kids}, {"today", services::today()}};
    return page(req, "timetable_week", "Timetables", d);
  });

  r.get("/timetable/classes/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    int wd = api::requested_weekday(req);
    auto id = req.param_id("id");
    auto slots = services::class_timetable(app, actor, id, wd);
    auto detail = services::get_class(app, actor, id);
    bool takes = detail.staff_view;
    return page(req, "timetable_week", "Timetable " + detail.cls.name,
                week_data(slots, wd, "Timetable " + detail.cls.name, takes));
  });

  r.get("/timetable/students/{id}", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    int wd = api::requested_weekday(req);
    auto slots = services::student_timetable(app, actor, req.param_id("id"), wd);
    return page(req, "timetable_week", "Timetable", week_data(slots, wd, "Timetable", false));
  });

  r.post("/timetable/periods", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    return form_post("Period added.", [&] {
      db::PeriodRow p;
      p.name = http::first_value(f, "name");
      p.starts_at = http::first_value(f, "starts_at");
      p.ends_at = http::first_value(f, "ends_at");
      services::create_period(app, actor, p);
    });
  });

  r.post("/timetable/rooms", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto f = req.form();
    return form_post("Room added.", [&] { services::create_room(app, actor, http::first_value(f, "name")); });
  });

  r.post("/timetable/slots", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    services::require(actor, "timetable.manage");
    auto f = req.form();
    return form_post("Lesson added.", [&] {
      services::SlotInput in;
      in.class_id = form_id(f, "class_id");
      in.weekday = static_cast<int>(std::min<std::int64_t>(form_id(f, "weekday"), 8));
      in.period_id = form_id(f, "period_id");
      in.subject_id = form_id(f, "subject_id");
      in.room_id = form_id(f, "room_id");
      auto username = http::first_value(f, "teacher");
      in.teacher_id = services::user_id_by_username(app, actor, username);
      if (!in.teacher_id) fail(ErrorKind::invalid, "invalid_teacher", "There is no user called '" + username + "'.");
      services::create_slot(app, actor, in);
    });
  });

  r.post("/timetable/slots/{id}/delete", [&app](http::Request& req) {
    auto actor = api::actor_of(req);
    auto id = req.param_id("id");
    return form_post("Lesson removed.", [&] { services::delete_slot(app, actor, id); });
  });
}

}  // namespace sy::web
