#pragma once
// Publication of results (#11): an admin publishes the final assessments of a term (one class or
// all); a "results.build" job precomputes every student's report card (HTML body + PDF) and flips
// the publication to 'ready' in one update once all of them exist. A page is visible while the
// publication is ready and visible_at <= now, to the student and their linked guardians only; at
// the peak a request costs the session plus one kept query (db::results::visible_page).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/jobs_repo.h"
#include "db/results_repo.h"
#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

inline constexpr const char* kResultsBuildJob = "results.build";
// Bumped in the transaction of publish, ready and withdraw (for caches of the publication list).
inline constexpr const char* kResultsContentKey = "results:publications";

struct PublishInput {
  std::int64_t term_id = 0;
  std::int64_t class_id = 0;                 // 0 = every class of the term
  std::vector<std::int64_t> assessment_ids;  // empty = every final assessment in scope
  std::string title;
  std::optional<std::int64_t> visible_at;  // Unix seconds; nullopt = now
};

// "2026-12-01T09:00:00Z", "2026-12-01T09:00:00+02:00", "2026-12-01T09:00" (UTC) or epoch
// milliseconds ("1796115600000", rounded up to the second); AppError invalid_visible_at otherwise.
std::int64_t parse_visible_at(const std::string& text);

// 202-style: the publication in 'building' with its job queued. 409 not_final when an assessment is
// not final, 409 nothing_to_publish when the scope has no final assessment, 422 for bad fields.
db::PublicationRow publish_results(App& app, const Actor& actor, const PublishInput& in);
std::vector<db::PublicationRow> list_publications(App& app, const Actor& actor);
db::PublicationRow get_publication(App& app, const Actor& actor, std::int64_t id);
// One row update; 409 already_withdrawn the second time.
db::PublicationRow withdraw_publication(App& app, const Actor& actor, std::int64_t id);

// The job: builds the pages in batches with progress, then ready (or failed with the reason).
std::string run_results_build_job(App& app, const db::JobRow& job);

// Serving. Students and guardians only (403 for other roles); anything not visible to this viewer
// now is 404, the same whether it exists or not.
db::ResultPageRow result_page(App& app, const Actor& actor, std::int64_t publication_id, std::int64_t student_id);
std::string result_pdf(App& app, const db::ResultPageRow& page);
std::vector<db::VisibleResultRow> my_results(App& app, const Actor& actor);

}  // namespace sy::services
