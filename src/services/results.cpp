#include "services/results.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "db/attendance_repo.h"
#include "db/content_versions_repo.h"
#include "db/school_repo.h"
#include "db/years_repo.h"
#include "jobs/processor.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/report_card.h"
#include "storage/digest.h"

namespace sy::services {

namespace {

// Pages written (and progress reported) per transaction.
constexpr std::size_t kBatch = 50;

bool digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

std::int64_t publication_id_of(const db::JobRow& job) {
  const auto slash = job.object_key.rfind('/');
  const std::string id = slash == std::string::npos ? "" : job.object_key.substr(slash + 1);
  if (!digits(id) || id.size() > 18) return 0;
  return std::stoll(id);
}

std::string pdf_key(std::int64_t pub, std::int64_t student, const std::string& etag) {
  // Never under a public prefix; the ETag in the name keeps a rebuilt card from overwriting the
  // bytes a request may be reading.
  return "results/" + std::to_string(pub) + "/" + std::to_string(student) + "-" + etag.substr(0, 16) + ".pdf";
}

void attendance_into(db::Tx& t, ReportCard& c, const std::string& from, const std::string& to) {
  if (from.empty() || to.empty()) return;
  for (const auto& r : db::attendance::student_sessions(t, c.student_id, from, to)) {
    c.has_attendance = true;
    ++c.sessions;
    if (r.kind == "late")
      ++c.late;
    else if (r.kind == "absent")
      ++c.absent;
    else if (r.kind == "excused")
      ++c.excused;
    else
      ++c.present;
  }
}

}  // namespace

std::int64_t parse_visible_at(const std::string& text) {
  const auto bad = [] {
    fail(ErrorKind::invalid, "invalid_visible_at",
         "visible_at must be a date and time like 2026-12-01T09:00:00Z (RFC 3339) or epoch milliseconds");
  };
  if (digits(text)) {
    if (text.size() > 15) bad();
    return (std::stoll(text) + 999) / 1000;
  }
  // YYYY-MM-DDTHH:MM[:SS][.fff][Z|±HH:MM]
  if (text.size() < 16 || text.size() > 35 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':')
    bad();
  std::tm tm{};
  auto num = [&](std::size_t at, std::size_t n) {
    const std::string part = text.substr(at, n);
    if (!digits(part) || part.size() != n) bad();
    return std::stoi(part);
  };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') tm.tm_sec = num(at + 1, 2), at += 3;
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
  }
  std::int64_t offset = 0;
  if (at < text.size()) {
    if (text[at] == 'Z' || text[at] == 'z') {
      ++at;
    } else if ((text[at] == '+' || text[at] == '-') && at + 6 == text.size() && text[at + 3] == ':') {
      offset = (num(at + 1, 2) * 3600 + num(at + 4, 2) * 60) * (text[at] == '+' ? 1 : -1);
      at += 6;
    } else {
      bad();
    }
  }
  if (at != text.size() || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    bad();
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

db::PublicationRow publish_results(App& app, const Actor& actor, const PublishInput& in) {
  require(actor, "results.publish");
  const std::string title = text::trim_copy(in.title);
  if (title.empty() || text::utf8_length(title) > 200 || !text::valid_utf8(title))
    fail(ErrorKind::invalid, "invalid_title", "title must be 1 to 200 characters");
  const std::int64_t now = now_unix();
  const std::int64_t visible_at = in.visible_at.value_or(now);
  if (visible_at < 0 || visible_at > now + 400LL * 86400)
    fail(ErrorKind::invalid, "invalid_visible_at", "visible_at must be within the next 400 days");
  std::int64_t id = 0;
  app.db->tx([&](db::Tx& t) {
    if (!db::terms::by_id(t, in.term_id)) fail(ErrorKind::invalid, "invalid_term_id", "no such term");
    if (in.class_id && !db::classes::by_id(t, in.class_id))
      fail(ErrorKind::invalid, "invalid_class_id", "no such class");
    const auto scope = db::results::assessments_in_scope(t, in.term_id, in.class_id);
    std::vector<std::int64_t> ids;
    if (in.assessment_ids.empty()) {
      for (const auto& a : scope)
        if (a.status == "final") ids.push_back(a.id);
      if (ids.empty())
        fail(ErrorKind::conflict, "nothing_to_publish", "no assessment of this term and class is final yet");
    } else {
      std::set<std::int64_t> seen;
      for (auto aid : in.assessment_ids) {
        auto it = std::find_if(scope.begin(), scope.end(), [&](const auto& a) { return a.id == aid; });
        if (it == scope.end())
          fail(ErrorKind::invalid, "invalid_assessment_ids",
               "assessment " + std::to_string(aid) + " is not in this term and class");
        if (it->status != "final")
          fail(ErrorKind::conflict, "not_final",
               "assessment " + std::to_string(aid) + " (" + it->name + ") is not final; finalise it first");
        if (seen.insert(aid).second) ids.push_back(aid);
      }
    }
    db::PublicationRow p;
    p.term_id = in.term_id;
    p.class_id = in.class_id;
    p.title = title;
    p.visible_at = visible_at;
    p.created_by = actor.id;
    p.created_at = now;
    id = db::results::insert_publication(t, p, ids);
    db::JobRow j;
    j.kind = kResultsBuildJob;
    j.event_name = kResultsBuildJob;
    j.bucket = app.store->bucket();
    j.object_key = "jobs/results-build/" + std::to_string(id);
    const std::int64_t ms = jobs::now_ms();
    j.visible_at_ms = j.created_at_ms = j.updated_at_ms = ms;
    db::jobs::insert(t, j);
    db::content_versions::bump(t, kResultsContentKey);
    audit(t, actor, "results.publish", "publication", std::to_string(id),
          "visible_at=" + iso8601_utc(visible_at) + " assessments=" + std::to_string(ids.size()));
  });
  app.wake_workers();
  return get_publication(app, actor, id);
}

std::vector<db::PublicationRow> list_publications(App& app, const Actor& actor) {
  require(actor, "results.publish");
  return app.db->read_result<std::vector<db::PublicationRow>>(
      [&](db::Tx& t) { return db::results::publications(t, 200); });
}

db::PublicationRow get_publication(App& app, const Actor& actor, std::int64_t id) {
  require(actor, "results.publish");
  auto p = app.db->read_result<std::optional<db::PublicationRow>>(
      [&](db::Tx& t) { return db::results::publication(t, id); });
  if (!p) not_found("no such publication");
  return *p;
}

db::PublicationRow withdraw_publication(App& app, const Actor& actor, std::int64_t id) {
  require(actor, "results.publish");
  app.db->tx([&](db::Tx& t) {
    if (!db::results::publication(t, id)) not_found("no such publication");
    if (!db::results::withdraw(t, id, actor.id, now_unix()))
      fail(ErrorKind::conflict, "already_withdrawn", "this publication is already withdrawn");
    db::content_versions::bump(t, kResultsContentKey);
    audit(t, actor, "results.withdraw", "publication", std::to_string(id));
  });
  return get_publication(app, actor, id);
}

std::string run_results_build_job(App& app, const db::JobRow& job) {
  const std::int64_t id = publication_id_of(job);
  if (!id) return "gone";
  CardInputs in;
  std::vector<db::ReportStudentRow> students;
  bool go = false;
  app.db->tx([&](db::Tx& t) {
    auto p = db::results::publication(t, id);
    if (!p || p->status == "withdrawn" || p->status == "ready") return;
    if (p->status == "failed") db::results::set_building(t, id, now_unix());  // this is the retry
    in.publication = *p;
    if (auto term = db::terms::by_id(t, p->term_id)) {
      in.term_name = term->name;
      in.term_start = term->start_date;
      in.term_end = term->end_date;
    }
    in.assessments = db::results::assessments_of(t, id);
    in.marks = db::results::marks_of(t, id);
    in.bands = db::results::bands(t);
    in.default_scale = db::results::default_scale(t);
    students = db::results::students_of(t, id);
    db::results::set_total(t, id, static_cast<int>(students.size()), now_unix());
    go = true;
  });
  if (!go) return "skipped";
  try {
    // A4 for now: Letter would be a new config key (core/config.h and the CONTRACT's table).
    const pdf::Paper paper = pdf::Paper::a4;
    for (std::size_t from = 0; from < students.size(); from += kBatch) {
      const std::size_t to = std::min(students.size(), from + kBatch);
      std::vector<ReportCard> cards;
      app.db->read([&](db::Tx& t) {
        for (std::size_t i = from; i < to; ++i) {
          ReportCard c = compute_card(in, students[i]);
          attendance_into(t, c, in.term_start, in.term_end);
          for (auto& [subject_id, text] : db::results::comments(t, in.publication.term_id, c.student_id)) {
            if (subject_id == 0) c.general_comment = text;
            for (auto& s : c.subjects)
              if (s.subject_id == subject_id) s.comment = text;
          }
          cards.push_back(std::move(c));
        }
      });
      std::vector<db::ResultPageRow> pages;
      for (const auto& c : cards) {
        db::ResultPageRow r;
        r.publication_id = id;
        r.student_id = c.student_id;
        r.body = card_html(c);
        r.etag = storage::sha256_hex(r.body).substr(0, 32);
        const std::string pdf = card_pdf(c, paper);
        r.pdf_key = pdf_key(id, c.student_id, r.etag);
        r.pdf_size = static_cast<std::int64_t>(pdf.size());
        r.built_at = now_unix();
        app.store->put(r.pdf_key, pdf, "application/pdf");  // before its row: no row points at nothing
        pages.push_back(std::move(r));
      }
      app.db->tx([&](db::Tx& t) {
        for (const auto& r : pages) db::results::put_page(t, r);
        db::results::set_done(t, id, static_cast<int>(to), now_unix());
      });
    }
    bool ready = false;
    app.db->tx([&](db::Tx& t) {
      ready = db::results::set_ready(t, id, now_unix());
      if (ready) db::content_versions::bump(t, kResultsContentKey);
    });
    return ready ? "ready" : "withdrawn";
  } catch (const std::exception& e) {
    // Failed with the reason for the admin to see; the queue retries (set_building on the retry).
    try {
      app.db->tx([&](db::Tx& t) { db::results::set_failed(t, id, log_safe(e.what(), 900), now_unix()); });
    } catch (const std::exception&) {}
    throw;
  }
}

db::ResultPageRow result_page(App& app, const Actor& actor, std::int64_t publication_id, std::int64_t student_id) {
  if (actor.role != Role::student && actor.role != Role::guardian)
    deny(actor, "results.view", "result " + std::to_string(publication_id));
  // One statement, so no transaction around it (as resolve_session: BEGIN and COMMIT would double
  // the cost of the peak's only read after the session).
  std::optional<db::ResultPageRow> page;
  app.db->with_session(
      [&](db::Tx& t) { page = db::results::visible_page(t, publication_id, student_id, actor.id, now_unix()); });
  if (!page) not_found("no such result");
  return *page;
}

std::string result_pdf(App& app, const db::ResultPageRow& page) {
  try {
    if (auto bytes = app.store->get(page.pdf_key)) return std::move(*bytes);
  } catch (const storage::StorageError& err) {
    spdlog::error("results: reading {} failed: {}", page.pdf_key, log_safe(err.what()));
    fail(ErrorKind::unavailable, "storage_unavailable", "the file store is not answering; please try again");
  }
  // The row is written only after its PDF, and PDFs are not deleted while rows point at them.
  spdlog::error("results: {} is missing from the store", page.pdf_key);
  fail(ErrorKind::internal, "pdf_missing", "the report card's PDF is missing; the school office has been told");
}

std::vector<db::VisibleResultRow> my_results(App& app, const Actor& actor) {
  if (actor.role != Role::student && actor.role != Role::guardian) deny(actor, "results.view", "own results");
  return app.db->read_result<std::vector<db::VisibleResultRow>>(
      [&](db::Tx& t) { return db::results::visible_for(t, actor.id, now_unix()); });
}

}  // namespace sy::services
