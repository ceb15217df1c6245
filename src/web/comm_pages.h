#pragma once
// HTML pages of school communication: /admin/mail (the email outbox and its dead letters),
// /password-reset and /password-reset/confirm (reset by emailed link). Notices and messages:
// web/notice_pages.h, web/message_pages.h.
#include "http/router.h"
#include "services/app.h"

namespace sy::web {

void mount_comm_pages(http::Router& r, services::App& app);

}  // namespace sy::web
