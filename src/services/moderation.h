#pragma once
// The teacher's review queue by class, the pending count for the navigation, and bulk approval.
// (Single approve/reject is services/photos.h: moderate_photo.)
#include <cstdint>
#include <string>
#include <vector>

#include "db/moderation_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// The classes whose photos the actor reviews (a teacher's own classes; every class for an admin),
// each with its pending count. 403 for anyone who moderates nothing.
std::vector<db::moderation::ClassCount> moderation_classes(App& app, const Actor& actor);

// photos.moderate on the class (403 before 404): its current, processed photos awaiting review.
std::vector<db::moderation::Pending> class_queue(App& app, const Actor& actor, std::int64_t class_id, int limit);

// Photos the actor may review that wait for it; 0 for roles that review nothing (never throws for
// them: the navigation asks on every page).
std::int64_t pending_review_count(App& app, const Actor& actor);

constexpr std::size_t kMaxBulk = 200;

// Approves every listed photo in one transaction, or none: 400 for an empty list or more than
// kMaxBulk, 403 (nothing changed) when any photo is not the actor's to review, 404 when any does not
// exist, 409 when any cannot be approved (failed processing, replaced); the 409's message lists
// each such photo and why. Audited per photo. Returns the approved photos' ids.
std::vector<std::int64_t> approve_photos(App& app, const Actor& actor, const std::vector<std::int64_t>& photo_ids);

}  // namespace sy::services
