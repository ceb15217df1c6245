#include "web/app_router.h"

#include "api/attendance_api.h"
#include "api/auth_api.h"
#include "api/comm_api.h"
#include "api/context.h"
#include "api/erasure_api.h"
#include "api/live_api.h"
#include "api/marks_api.h"
#include "api/notices_api.h"
#include "api/photos_api.h"
#include "api/results_api.h"
#include "api/school_api.h"
#include "api/school_core_api.h"
#include "api/session.h"
#include "api/timetable_api.h"
#include "http/ops.h"
#include "services/moderation.h"
#include "services/permissions.h"
#include "services/personal_lists.h"
#include "web/account_pages.h"
#include "web/attendance_pages.h"
#include "web/comm_pages.h"
#include "web/marks_pages.h"
#include "web/notice_pages.h"
#include "web/personal_cache.h"
#include "web/photo_pages.h"
#include "web/render.h"
#include "web/results_pages.h"
#include "web/school_core_pages.h"
#include "web/school_pages.h"
#include "web/timetable_pages.h"

namespace sy::web {

void build_router(http::Router& r, services::App& app) {
  r.use(api::session_middleware(app));
  r.error_page = error_page;
  // The count hook is process-wide (render.h) while this router and its App may not be (tests
  // build many): it answers only while this router lives, which holds the token.
  auto token = std::make_shared<int>(0);
  r.use([token](http::Request& req, const http::Handler& next) { return next(req); });
  // The photos-awaiting-review count is kept per moderator (0: the whole school) at the version of
  // the personal lists (services/personal_lists.h), so a page asks the database only for that
  // counter; approving, rejecting, a new photo ready or a class change anywhere bumps it.
  auto review_counts = std::make_shared<PersonalCache<std::int64_t>>();
  set_nav_counts([&app, alive = std::weak_ptr<int>(token),
                  review_counts](const http::Request& req) -> std::map<std::string, std::int64_t> {
    if (alive.expired() || !req.user || (req.user->role != sy::Role::teacher && req.user->role != sy::Role::admin))
      return {};
    auto actor = api::actor_of(req);
    const std::int64_t key = services::can(actor, "photos.moderate") ? 0 : actor.id;
    if (auto n = review_counts->find(key, services::personal_lists_version(app), 0)) return {{"/moderation", *n}};
    auto at = services::pending_review_count_at(app, actor);
    review_counts->put(key, at.version, std::numeric_limits<std::int64_t>::max(),
                       std::make_shared<const std::int64_t>(at.count));
    return {{"/moderation", at.count}};
  });

  mount_static(r);
  http::OpsOptions ops;
  ops.metrics_token = app.config.metrics_token;
  ops.trusted_proxies = app.config.trusted_proxies;
  http::mount_ops(
      r, [&app] { return services::ready(app); }, metrics::registry(), ops);
  r.get("/favicon.ico", [](http::Request&) {  // browsers ask on every page; answer quietly
    auto resp = http::Response::no_content();
    resp.set_header("Cache-Control", "public, max-age=86400");
    return resp;
  });
  r.get("/api/v1/openapi.json", [](http::Request&) {
    auto resp = http::Response::text(200, embedded_static().at("openapi.json"), "application/json");
    resp.set_header("Cache-Control", "public, max-age=300");
    return resp;
  });
  api::mount_auth_api(r, app);
  api::mount_photos_api(r, app);
  api::mount_school_api(r, app);
  api::mount_erasure_api(r, app);
  api::mount_school_core_api(r, app);
  api::mount_comm_api(r, app);
  api::mount_notices_api(r, app);
  api::mount_attendance_api(r, app);
  api::mount_timetable_api(r, app);
  api::mount_marks_api(r, app);
  api::mount_results_api(r, app);
  api::mount_live_api(r, app, std::make_shared<services::LiveHub>(app));
  mount_account_pages(r, app);
  mount_photo_pages(r, app);
  mount_school_pages(r, app);
  mount_school_core_pages(r, app);
  mount_comm_pages(r, app);
  mount_notice_pages(r, app);
  mount_attendance_pages(r, app);
  mount_timetable_pages(r, app);
  mount_marks_pages(r, app);
  mount_results_pages(r, app);
}

}  // namespace sy::web
