#pragma once
// HTML pages of notices and messages: /notices, /notices/new, /notices/{id} (with read receipts for
// the author), /messages, /messages/{student_id}. The home page lists the newest notices through
// home_notices().
#include <nlohmann/json.hpp>

#include <vector>

#include "http/router.h"
#include "services/actor.h"
#include "services/app.h"
#include "services/personal_lists.h"  // db::NoticeRow, as the service hands it out

namespace sy::web {

void mount_notice_pages(http::Router& r, services::App& app);
// The actor's newest published notices, for the home page ({"id","title","author","publish_at","read"}).
nlohmann::json home_notices(services::App& app, const services::Actor& actor);
// The same items for notices already read (services/personal_lists.h).
nlohmann::json home_notice_items(const std::vector<db::NoticeRow>& notices);

}  // namespace sy::web
