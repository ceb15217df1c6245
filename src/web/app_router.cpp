#include "web/app_router.h"

#include "api/auth_api.h"
#include "api/session.h"
#include "web/account_pages.h"
#include "web/render.h"

namespace sy::web {

void build_router(http::Router& r, services::App& app) {
  r.use(api::session_middleware(app));
  r.error_page = error_page;
  mount_static(r);
  api::mount_auth_api(r, app);
  mount_account_pages(r, app);
}

}  // namespace sy::web
