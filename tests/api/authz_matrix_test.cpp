// The authorisation matrix: every route of the real router (API and HTML, from
// Router::routes(), so the OpenAPI operations and the HTML route table are both covered) ×
// every role (anonymous, student, guardian, teacher, admin) × a record inside and a record
// outside the caller's scope → the expected status. Requests go through the whole stack:
// a real login per role, the session cookie, the CSRF header, the middleware and the handlers.
//
// The scene: class 7A holds teacher1, student1 (guardian1's child) — the "inside" records for
// every role; class 7B holds teacher2, student2 (guardian2's child) — "outside" for every role
// but the admin. A route registered without a row here fails the test, and so does a row for
// a route that no longer exists: adding a route means deciding who may call it.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "db/accounts_repo.h"
#include "db/jobs_repo.h"
#include "db/marks_repo.h"
#include "db/notices_repo.h"
#include "db/photos_repo.h"
#include "db/results_repo.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "db/timetable_repo.h"
#include "db/years_repo.h"
#include "jobs/pipeline_fixture.h"
#include "services/mail.h"
#include "services/photos.h"
#include "services/results.h"
#include "support/testapp.h"
#include "web/app_router.h"

using namespace sy;
using J = nlohmann::json;

namespace {

enum Role { anon, student, guardian, teacher, admin, kRoles };
const char* kRoleNames[kRoles] = {"anonymous", "student", "guardian", "teacher", "admin"};

struct Ids {
  std::int64_t adm, t1, t2, s1, s2, s3, g1, g2, c1, c2, p1, p2, victim, job, e1, e2;  // e1, e2: erased by calls
  std::int64_t period, period2, room, slot, slot2;                                    // the timetable's
  std::int64_t n1, n2, mail;  // notices by teacher1 to 7A and teacher2 to 7B; an outbox row
  // school core: the current year (7A's and 7B's), a later year, a term of the current year,
  // the subject Maths, and the teaching assignments of 7A (teacher1) and 7B (teacher2).
  std::int64_t y1, y2, term, maths, a1, a2;
  // marks: the subject Art (7B's), the default grade scale, an assessment of 7A Maths (teacher1)
  // and one of 7B Art (teacher2).
  std::int64_t art, scale, as1, as2;
  // results: a ready, visible publication with student1's and student2's cards, and another that
  // the withdraw calls withdraw (reset() puts it back).
  std::int64_t pub, pubw;
};

struct Call {
  std::string target;
  std::string body;
  std::string type = "application/json";
};

struct Row {
  std::string method, pattern;
  std::function<Call(const Ids&, bool inside)> make;
  std::array<int, kRoles> in;   // expected status for the record inside the caller's scope
  std::array<int, kRoles> out;  // ... and outside it; all 0 when the route has no record
  bool fresh_session = false;   // the call ends or replaces the caller's session
};

using S = std::array<int, kRoles>;
constexpr S kNone{0, 0, 0, 0, 0};

std::string n(std::int64_t v) { return std::to_string(v); }

std::string form(std::initializer_list<std::pair<std::string, std::string>> kv) {
  std::string out;
  for (auto& [k, v] : kv) out += (out.empty() ? "" : "&") + k + "=" + http::url_encode(v);
  return out;
}

Call get(std::string t) { return Call{std::move(t), "", ""}; }
Call js(std::string t, const J& b) { return Call{std::move(t), b.dump(), "application/json"}; }
Call fm(std::string t, std::string b) { return Call{std::move(t), std::move(b), "application/x-www-form-urlencoded"}; }

std::string multipart_photo(const std::string& bytes) {
  return "--B0\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: "
         "image/png\r\n\r\n" +
         bytes + "\r\n--B0--\r\n";
}

class AuthzMatrix : public test::PipelineFixture {
 protected:
  http::Router router;
  Ids ids{};
  std::map<Role, std::string> username;
  std::string png;

  void SetUp() override {
    PipelineFixture::SetUp();
    web::build_router(router, *app);
    png = test::make_png(64, 48);
    ids.adm = test::make_user(*app, "boss", "admin");  // "admin" may exist already (first-run bootstrap)
    ids.t1 = test::make_user(*app, "teacher1", "teacher");
    ids.t2 = test::make_user(*app, "teacher2", "teacher");
    ids.s1 = test::make_user(*app, "student1", "student");
    ids.s2 = test::make_user(*app, "student2", "student");
    ids.s3 = test::make_user(*app, "student3", "student");
    ids.g1 = test::make_user(*app, "guardian1", "guardian");
    ids.g2 = test::make_user(*app, "guardian2", "guardian");
    ids.victim = test::make_user(*app, "victim", "student");
    username = {{student, "student1"}, {guardian, "guardian1"}, {teacher, "teacher1"}, {admin, "boss"}};
    app->db->tx([&](db::Tx& t) {
      ids.c1 = db::classes::insert(t, "7A", 2025, 1000);
      ids.c2 = db::classes::insert(t, "7B", 2025, 1000);
      ids.y1 = db::years::by_year(t, 2025)->id;
      ids.y2 = db::years::insert(t, {0, 2026, "2026/27", "2026-09-01", "2027-07-15", false, 1000});
    });
    reset();
    app->db->tx([&](db::Tx& t) {
      ids.period = db::timetable::insert_period(t, {0, "spare", "17:00", "17:30"}, 1000);
      ids.period2 = db::timetable::insert_period(t, {0, "1", "08:30", "09:20"}, 1000);
      ids.room = db::timetable::insert_room(t, "Spare room", 1000);
      db::SlotRow s;
      s.class_id = ids.c1;
      s.weekday = 1;
      s.period_id = ids.period2;
      s.teacher_id = ids.t1;
      ids.slot = db::timetable::insert_slot(t, s, 1000);
      s.weekday = 2;
      ids.slot2 = db::timetable::insert_slot(t, s, 1000);
    });
    // A ready, approved photo for each student, with its derivatives in the store.
    jobs::Processor p(*app->db, *app->store, fast_options(), "authz");
    ids.p1 = services::upload_photo(*app, actor(ids.s1, sy::Role::student), png, "hi").photo_id;
    ids.p2 = services::upload_photo(*app, actor(ids.s2, sy::Role::student), png, "hi").photo_id;
    EXPECT_EQ(drain(p), 2);
    ids.job = app->db->read_result<std::int64_t>([&](db::Tx& t) { return db::jobs::latest_for_photo(t, ids.p1)->id; });
    app->db->tx([&](db::Tx& t) {
      auto notice = [&](std::int64_t author, std::int64_t cls) {
        db::NoticeRow n;
        n.author_id = author;
        n.title = "Trip";
        n.body = "Bring a coat.";
        n.publish_at = n.created_at = 1000;
        n.targets = {{cls, std::nullopt}};
        return db::notices::insert(t, n);
      };
      ids.n1 = notice(ids.t1, ids.c1);
      ids.n2 = notice(ids.t2, ids.c2);
      // Email is off in this scene: the row is recorded, not queued (so not retryable: 409).
      ids.mail = services::enqueue_email(t, app->config, services::MailTo::to_address("x@example.test"), "test",
                                         {{"text", "x"}}, "authz:mail", true)
                     .outbox_id;
    });
  }

  // Puts back the scene a previous call may have changed (enrolments, teachers, guardians,
  // consent, moderation), so every call starts from the same state.
  void reset() {
    app->db->tx([&](db::Tx& t) {
      auto ensure_enrolled = [&](std::int64_t c, std::int64_t s) {
        if (!db::classes::is_enrolled(t, c, s)) db::classes::enrol(t, c, s, 1000);
      };
      ensure_enrolled(ids.c1, ids.s1);
      ensure_enrolled(ids.c1, ids.victim);
      ensure_enrolled(ids.c2, ids.s2);
      db::classes::unenrol(t, ids.c1, ids.s3);
      db::classes::unenrol(t, ids.c2, ids.s3);
      if (!db::classes::teaches(t, ids.c1, ids.t1, "Maths"))
        db::classes::assign_teacher(t, ids.c1, ids.t1, "Maths", 1000);
      if (!db::classes::teaches(t, ids.c2, ids.t2, "Art")) db::classes::assign_teacher(t, ids.c2, ids.t2, "Art", 1000);
      db::classes::unassign_teacher(t, ids.c1, ids.t2);
      db::classes::unassign_teacher(t, ids.c2, ids.t1);
      if (!db::guardians::linked(t, ids.g1, ids.s1)) db::guardians::link(t, ids.g1, ids.s1, 1000);
      if (!db::guardians::linked(t, ids.g2, ids.s2)) db::guardians::link(t, ids.g2, ids.s2, 1000);
      db::consent::set(t, ids.s1, "yearbook", 0, 1000);
      db::consent::set(t, ids.s2, "yearbook", 0, 1000);
      if (ids.victim) db::users::set_active(t, ids.victim, true, 1000);
      db::years::set_current(t, ids.y1);
      auto term = db::terms::by_name(t, ids.y1, "Autumn");
      ids.term = term ? term->id : db::terms::insert(t, {0, ids.y1, "Autumn", "2025-01-01", "2025-06-30", 1000});
      ids.maths = db::subjects::by_name(t, "Maths")->id;
      ids.a1 = db::assignments::for_class(t, ids.c1).at(0).id;
      ids.a2 = db::assignments::for_class(t, ids.c2).at(0).id;
      ids.art = db::subjects::by_name(t, "Art")->id;
      ids.scale = db::grade_scales::default_scale(t)->id;
      // Both assessments open, whatever a finalise call did.
      auto assessment = [&](std::int64_t& id, std::int64_t cls, std::int64_t subject) {
        if (id && db::assessments::by_id(t, id)) return db::assessments::set_status(t, id, "open", 0, 1000);
        db::AssessmentRow a;
        a.term_id = ids.term;
        a.class_id = cls;
        a.subject_id = subject;
        a.name = "Test 1";
        a.max_x100 = 2000;
        id = db::assessments::insert(t, a, 0, 1000);
      };
      assessment(ids.as1, ids.c1, ids.maths);
      assessment(ids.as2, ids.c2, ids.art);
      if (ids.pubw) db::results_testing::set_status(t, ids.pubw, "ready");
    });
    ensure_results();
    // The erasure calls delete photos and students: put them back.
    if (ids.p1) {
      jobs::Processor proc(*app->db, *app->store, fast_options(), "authz");
      for (auto [photo, owner] : {std::pair{&ids.p1, ids.s1}, std::pair{&ids.p2, ids.s2}}) {
        bool there = app->db->read_result<bool>([&](db::Tx& t) { return db::photos::by_id(t, *photo).has_value(); });
        if (there) continue;
        *photo = services::upload_photo(*app, actor(owner, sy::Role::student), png, "hi").photo_id;
        EXPECT_EQ(drain(proc), 1);
      }
      ids.job =
          app->db->read_result<std::int64_t>([&](db::Tx& t) { return db::jobs::latest_for_photo(t, ids.p1)->id; });
      for (auto [e, name, c] : {std::tuple{&ids.e1, "erasable1", ids.c1}, std::tuple{&ids.e2, "erasable2", ids.c2}}) {
        bool there = app->db->read_result<bool>([&](db::Tx& t) { return db::users::by_id(t, *e).has_value(); });
        if (there) continue;
        *e = test::make_user(*app, name, "student");
        app->db->tx([&](db::Tx& t) { db::classes::enrol(t, c, *e, 1000); });
      }
    }
    for (auto p : {ids.p1, ids.p2})
      if (p) services::moderate_photo(*app, actor(ids.adm, sy::Role::admin), p, true, "");
  }

  // Results: final assessments of 7A and 7B with a mark each, published and built (again after a
  // call deleted the term, which takes its assessments and publications with it).
  void ensure_results() {
    bool there = app->db->read_result<bool>([&](db::Tx& t) {
      return ids.pub && db::results::publication(t, ids.pub) && db::results::publication(t, ids.pubw);
    });
    if (there) return;
    app->db->tx([&](db::Tx& t) {
      for (auto [c, s] : {std::pair{ids.c1, ids.s1}, std::pair{ids.c2, ids.s2}}) {
        auto a = db::results_testing::insert_assessment(t, ids.term, c, ids.maths, "Exam", 10000, 100, false, true);
        db::results_testing::insert_mark(t, a, s, 6000);
      }
    });
    auto boss = actor(ids.adm, sy::Role::admin);
    ids.pub = services::publish_results(*app, boss, {ids.term, 0, {}, "Results", std::nullopt}).id;
    ids.pubw = services::publish_results(*app, boss, {ids.term, 0, {}, "Withdrawn", std::nullopt}).id;
    jobs::Processor rp(*app->db, *app->store, fast_options(), "authz-results");
    rp.handle_kind(services::kResultsBuildJob,
                   [this](const db::JobRow& job) { return services::run_results_build_job(*app, job); });
    EXPECT_GE(drain(rp), 2);  // and any build queued by a publish call before
  }

  test::Client client_for(Role r) {
    test::Client c{router};
    if (r != anon) {
      auto resp = c.login(username[r]);
      EXPECT_EQ(resp.status, 200) << resp.body;
    }
    return c;
  }
};

// clang-format off
std::vector<Row> matrix() {
  //                                              anon student guardian teacher admin
  return {
    // ---- operations and static files
    {"GET", "/healthz", [](auto&, bool) { return get("/healthz"); }, S{200, 200, 200, 200, 200}, kNone},
    {"GET", "/readyz", [](auto&, bool) { return get("/readyz"); }, S{200, 200, 200, 200, 200}, kNone},
    // /metrics: no token configured and the test client's address (192.0.2.10) is neither loopback
    // nor a trusted proxy, so nobody here may read it; tests/http/ops_test.cpp covers loopback and
    // the bearer token.
    {"GET", "/metrics", [](auto&, bool) { return get("/metrics"); }, S{403, 403, 403, 403, 403}, kNone},
    {"GET", "/favicon.ico", [](auto&, bool) { return get("/favicon.ico"); }, S{204, 204, 204, 204, 204}, kNone},
    {"GET", "/static/{path*}", [](auto&, bool) { return get("/static/app.css"); }, S{200, 200, 200, 200, 200}, kNone},
    {"GET", "/api/v1/openapi.json", [](auto&, bool) { return get("/api/v1/openapi.json"); }, S{200, 200, 200, 200, 200}, kNone},
    // ---- sessions and the login form: each call gets its own fresh session
    {"POST", "/api/v1/session", [](auto&, bool) { return js("/api/v1/session", J{{"username", "victim"}, {"password", "correct horse battery"}}); }, S{200, 200, 200, 200, 200}, kNone, true},
    {"DELETE", "/api/v1/session", [](auto&, bool) { return get("/api/v1/session"); }, S{401, 204, 204, 204, 204}, kNone, true},
    {"GET", "/login", [](auto&, bool) { return get("/login"); }, S{200, 303, 303, 303, 303}, kNone},
    {"POST", "/login", [](auto&, bool) { return fm("/login", form({{"username", "victim"}, {"password", "correct horse battery"}})); }, S{303, 303, 303, 303, 303}, kNone, true},
    {"POST", "/logout", [](auto&, bool) { return fm("/logout", ""); }, S{303, 303, 303, 303, 303}, kNone, true},
    {"GET", "/", [](auto&, bool) { return get("/"); }, S{303, 200, 200, 200, 200}, kNone},
    // ---- me
    {"GET", "/api/v1/me", [](auto&, bool) { return get("/api/v1/me"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/api/v1/me/children", [](auto&, bool) { return get("/api/v1/me/children"); }, S{401, 403, 200, 403, 403}, kNone},
    // Only students have a photo of their own: the others get 404, not someone else's.
    {"GET", "/api/v1/me/photo", [](auto&, bool) { return get("/api/v1/me/photo"); }, S{401, 200, 404, 404, 404}, kNone},
    {"GET", "/me/photo", [](auto&, bool) { return get("/me/photo"); }, S{401, 200, 403, 403, 403}, kNone},
    // one's own password: a wrong current password is refused for everyone (the right one would end
    // the caller's other sessions; tests/api/accounts_test.cpp covers that)
    {"GET", "/account/password", [](auto&, bool) { return get("/account/password"); }, S{303, 200, 200, 200, 200}, kNone},
    {"POST", "/account/password", [](auto&, bool) { return fm("/account/password", form({{"current_password", "not the password"}, {"new_password", "another long password 1"}})); }, S{401, 403, 403, 403, 403}, kNone},
    {"POST", "/api/v1/me/password", [](auto&, bool) { return js("/api/v1/me/password", J{{"current_password", "not the password"}, {"new_password", "another long password 1"}}); }, S{401, 403, 403, 403, 403}, kNone},
    // ---- users (admin)
    {"GET", "/api/v1/users", [](auto&, bool) { return get("/api/v1/users"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/users", [](auto&, bool) { return js("/api/v1/users", J{{"username", "new.user"}, {"password", "correct horse battery"}, {"role", "student"}, {"full_name", "New"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"GET", "/api/v1/users/{id}", [](auto& i, bool in) { return get("/api/v1/users/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"PATCH", "/api/v1/users/{id}", [](auto& i, bool in) { return js("/api/v1/users/" + n(in ? i.s1 : i.s2), J{{"active", true}}); }, S{401, 403, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"DELETE", "/api/v1/users/{id}", [](auto& i, bool in) { return Call{"/api/v1/users/" + n(in ? i.e1 : i.e2), "", ""}; }, S{401, 403, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/users/{id}/password", [](auto& i, bool in) { return js("/api/v1/users/" + n(in ? i.s1 : i.s2) + "/password", J{{"password", "correct horse battery"}}); }, S{401, 403, 403, 403, 200}, S{401, 403, 403, 403, 200}, true},
    {"GET", "/api/v1/audit", [](auto&, bool) { return get("/api/v1/audit"); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/admin/users", [](auto&, bool) { return get("/admin/users"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/admin/users", [](auto&, bool) { return fm("/admin/users", form({{"username", "form.user"}, {"full_name", "Form"}, {"role", "student"}})); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/admin/users/{id}/activate", [](auto& i, bool) { return fm("/admin/users/" + n(i.victim) + "/activate", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/admin/users/{id}/deactivate", [](auto& i, bool) { return fm("/admin/users/" + n(i.victim) + "/deactivate", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/admin/users/{id}/reset-password", [](auto& i, bool) { return fm("/admin/users/" + n(i.victim) + "/reset-password", ""); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/admin/audit", [](auto&, bool) { return get("/admin/audit"); }, S{401, 403, 403, 403, 200}, kNone},
    // ---- jobs (admin)
    {"GET", "/api/v1/admin/jobs", [](auto&, bool) { return get("/api/v1/admin/jobs"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/admin/jobs/{id}/retry", [](auto& i, bool) { return Call{"/api/v1/admin/jobs/" + n(i.job) + "/retry", "", ""}; }, S{401, 403, 403, 403, 409}, kNone},
    {"GET", "/admin/jobs", [](auto&, bool) { return get("/admin/jobs"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/admin/jobs/{id}/retry", [](auto& i, bool) { return fm("/admin/jobs/" + n(i.job) + "/retry", ""); }, S{401, 403, 403, 403, 409}, kNone},
    // ---- email outbox (admin)
    {"GET", "/api/v1/admin/mail", [](auto&, bool) { return get("/api/v1/admin/mail?status=dead"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/admin/mail/{id}/retry", [](auto& i, bool) { return Call{"/api/v1/admin/mail/" + n(i.mail) + "/retry", "", ""}; }, S{401, 403, 403, 403, 409}, kNone},
    {"GET", "/admin/mail", [](auto&, bool) { return get("/admin/mail"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/admin/mail/{id}/retry", [](auto& i, bool) { return fm("/admin/mail/" + n(i.mail) + "/retry", ""); }, S{401, 403, 403, 403, 409}, kNone},
    // ---- password reset: open to everyone, one answer whether or not the account exists
    {"GET", "/password-reset", [](auto&, bool) { return get("/password-reset"); }, S{200, 200, 200, 200, 200}, kNone},
    {"POST", "/password-reset", [](auto&, bool) { return fm("/password-reset", form({{"login", "nobody.here"}})); }, S{200, 200, 200, 200, 200}, kNone},
    {"GET", "/password-reset/confirm", [](auto&, bool) { return get("/password-reset/confirm?token=not-a-token"); }, S{200, 200, 200, 200, 200}, kNone},
    {"POST", "/password-reset/confirm", [](auto&, bool) { return fm("/password-reset/confirm", form({{"token", "not-a-token"}, {"new_password", "another long password 1"}})); }, S{422, 422, 422, 422, 422}, kNone},
    {"POST", "/api/v1/password-reset", [](auto&, bool) { return js("/api/v1/password-reset", J{{"login", "nobody.here"}}); }, S{202, 202, 202, 202, 202}, kNone},
    {"POST", "/api/v1/password-reset/confirm", [](auto&, bool) { return js("/api/v1/password-reset/confirm", J{{"token", "not-a-token"}, {"new_password", "another long password 1"}}); }, S{422, 422, 422, 422, 422}, kNone},
    // ---- notices: n1 is teacher1's to 7A (inside), n2 teacher2's to 7B (outside)
    {"GET", "/api/v1/notices", [](auto&, bool) { return get("/api/v1/notices"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/notices", [](auto& i, bool in) { return js("/api/v1/notices", J{{"title", "Sports day"}, {"body", "Friday."}, {"targets", J::array({J{{"class_id", in ? i.c1 : i.c2}}})}}); }, S{401, 403, 403, 201, 201}, S{401, 403, 403, 403, 201}},
    {"GET", "/api/v1/notices/{id}", [](auto& i, bool in) { return get("/api/v1/notices/" + n(in ? i.n1 : i.n2)); }, S{401, 200, 200, 200, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/api/v1/notices/{id}/read", [](auto& i, bool in) { return Call{"/api/v1/notices/" + n(in ? i.n1 : i.n2) + "/read", "", ""}; }, S{401, 204, 204, 204, 404}, S{401, 404, 404, 404, 404}},
    {"GET", "/api/v1/notices/{id}/receipts", [](auto& i, bool in) { return get("/api/v1/notices/" + n(in ? i.n1 : i.n2) + "/receipts"); }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"GET", "/notices", [](auto&, bool) { return get("/notices"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/notices/new", [](auto&, bool) { return get("/notices/new"); }, S{401, 403, 403, 200, 200}, kNone},
    {"POST", "/notices", [](auto& i, bool in) { return fm("/notices", form({{"title", "Sports day"}, {"body", "Friday."}, {"class_id", n(in ? i.c1 : i.c2)}})); }, S{401, 403, 403, 303, 303}, S{401, 403, 403, 403, 303}},
    {"GET", "/notices/{id}", [](auto& i, bool in) { return get("/notices/" + n(in ? i.n1 : i.n2)); }, S{401, 200, 200, 200, 200}, S{401, 404, 404, 404, 200}},
    // ---- messages: student1's thread (7A: teacher1, guardian1) inside, student2's outside
    {"GET", "/api/v1/messages", [](auto&, bool) { return get("/api/v1/messages"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/api/v1/students/{id}/messages", [](auto& i, bool in) { return get("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/messages"); }, S{401, 403, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/students/{id}/messages", [](auto& i, bool in) { return js("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/messages", J{{"body", "Hello"}}); }, S{401, 403, 201, 201, 403}, S{401, 403, 403, 403, 403}},
    {"GET", "/messages", [](auto&, bool) { return get("/messages"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/messages/{student_id}", [](auto& i, bool in) { return get("/messages/" + n(in ? i.s1 : i.s2)); }, S{401, 403, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/messages/{student_id}", [](auto& i, bool in) { return fm("/messages/" + n(in ? i.s1 : i.s2), form({{"body", "Hello"}})); }, S{401, 403, 303, 303, 403}, S{401, 403, 403, 403, 403}},
    // ---- classes
    {"GET", "/api/v1/classes", [](auto&, bool) { return get("/api/v1/classes"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/classes", [](auto&, bool) { return js("/api/v1/classes", J{{"name", "9Z"}, {"year", 2026}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"GET", "/api/v1/classes/{id}", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/classes/{id}/roster.csv", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/roster.csv"); }, S{401, 403, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/classes/{id}/students", [](auto& i, bool in) { return js("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/students", J{{"student_id", i.s3}}); }, S{401, 403, 403, 403, 201}, S{401, 403, 403, 403, 201}},
    {"DELETE", "/api/v1/classes/{id}/students/{student_id}", [](auto& i, bool in) { return get("/api/v1/classes/" + (in ? n(i.c1) + "/students/" + n(i.s1) : n(i.c2) + "/students/" + n(i.s2))); }, S{401, 403, 403, 403, 204}, S{401, 403, 403, 403, 204}},
    {"POST", "/api/v1/classes/{id}/teachers", [](auto& i, bool in) { return js("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/teachers", J{{"teacher_id", in ? i.t2 : i.t1}, {"subject", "Art"}}); }, S{401, 403, 403, 403, 201}, S{401, 403, 403, 403, 201}},
    {"DELETE", "/api/v1/classes/{id}/teachers/{teacher_id}", [](auto& i, bool in) { return get("/api/v1/classes/" + (in ? n(i.c1) + "/teachers/" + n(i.t1) : n(i.c2) + "/teachers/" + n(i.t2))); }, S{401, 403, 403, 403, 204}, S{401, 403, 403, 403, 204}},
    {"GET", "/api/v1/export/students.csv", [](auto&, bool) { return get("/api/v1/export/students.csv"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/import/{kind}", [](auto&, bool) { return Call{"/api/v1/import/students", "username,full_name,class_name,year,guardian_username\nnew.kid,New Kid,7A,2025,\n", "text/csv"}; }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/api/v1/import", [](auto&, bool) { return get("/api/v1/import"); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/import", [](auto&, bool) { return get("/import?kind=staff"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/import/{kind}", [](auto&, bool) { return Call{"/import/classes", "--B0\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\ndry_run\r\n--B0\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\nclass_name,year\n9Q,2025\n\r\n--B0--\r\n", "multipart/form-data; boundary=B0"}; }, S{401, 403, 403, 403, 200}, kNone},
    // ---- school core: years and terms (a school-wide calendar: read by all, changed by admins)
    {"GET", "/api/v1/years", [](auto&, bool) { return get("/api/v1/years"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/years", [](auto&, bool) { return js("/api/v1/years", J{{"year", 2040}, {"start_date", "2040-09-01"}, {"end_date", "2041-07-01"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"GET", "/api/v1/calendar", [](auto&, bool) { return get("/api/v1/calendar"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/api/v1/years/{id}", [](auto& i, bool) { return get("/api/v1/years/" + n(i.y1)); }, S{401, 200, 200, 200, 200}, kNone},
    {"PUT", "/api/v1/years/{id}", [](auto& i, bool) { return js("/api/v1/years/" + n(i.y2), J{{"name", "2026/27"}, {"start_date", "2026-09-01"}, {"end_date", "2027-07-15"}}); }, S{401, 403, 403, 403, 200}, kNone},
    {"DELETE", "/api/v1/years/{id}", [](auto& i, bool) { return get("/api/v1/years/" + n(i.y1)); }, S{401, 403, 403, 403, 409}, kNone},
    {"POST", "/api/v1/years/{id}/current", [](auto& i, bool) { return Call{"/api/v1/years/" + n(i.y1) + "/current", "", ""}; }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/years/{id}/terms", [](auto& i, bool) { return js("/api/v1/years/" + n(i.y2) + "/terms", J{{"name", "Matrix"}, {"start_date", "2026-09-01"}, {"end_date", "2026-10-01"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"GET", "/api/v1/terms/{id}", [](auto& i, bool) { return get("/api/v1/terms/" + n(i.term)); }, S{401, 200, 200, 200, 200}, kNone},
    {"PUT", "/api/v1/terms/{id}", [](auto& i, bool) { return js("/api/v1/terms/" + n(i.term), J{{"name", "Autumn"}, {"start_date", "2025-01-01"}, {"end_date", "2025-06-30"}}); }, S{401, 403, 403, 403, 200}, kNone},
    {"DELETE", "/api/v1/terms/{id}", [](auto& i, bool) { return get("/api/v1/terms/" + n(i.term)); }, S{401, 403, 403, 403, 204}, kNone},
    {"GET", "/years", [](auto&, bool) { return get("/years"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/years", [](auto&, bool) { return fm("/years", form({{"year", "2041"}, {"start_date", "2041-09-01"}, {"end_date", "2042-07-01"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"GET", "/years/{id}", [](auto& i, bool) { return get("/years/" + n(i.y1)); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/years/{id}", [](auto& i, bool) { return fm("/years/" + n(i.y2), form({{"name", "2026/27"}, {"start_date", "2026-09-01"}, {"end_date", "2027-07-15"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/years/{id}/current", [](auto& i, bool) { return fm("/years/" + n(i.y1) + "/current", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/years/{id}/delete", [](auto& i, bool) { return fm("/years/" + n(i.y1) + "/delete", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/years/{id}/terms", [](auto& i, bool) { return fm("/years/" + n(i.y2) + "/terms", form({{"name", "Form term"}, {"start_date", "2026-11-01"}, {"end_date", "2026-11-30"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/terms/{id}", [](auto& i, bool) { return fm("/terms/" + n(i.term), form({{"name", "Autumn"}, {"start_date", "2025-01-01"}, {"end_date", "2025-06-30"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/terms/{id}/delete", [](auto& i, bool) { return fm("/terms/" + n(i.term) + "/delete", ""); }, S{401, 403, 403, 403, 303}, kNone},
    // rollover: admins only, even for the class's own teacher (each class into a class of its own:
    // students of 7A and 7B in one class would see each other's photos in the rows below)
    {"POST", "/api/v1/classes/{id}/rollover", [](auto& i, bool in) { return js("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/rollover", J::object()); }, S{401, 403, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/classes/{id}/rollover", [](auto& i, bool in) { return fm("/classes/" + n(in ? i.c1 : i.c2) + "/rollover", form({{"to_name", in ? "8X" : "8Y"}})); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    // ---- subjects and teaching assignments
    {"GET", "/api/v1/subjects", [](auto&, bool) { return get("/api/v1/subjects?q=ma"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/subjects", [](auto&, bool) { return js("/api/v1/subjects", J{{"name", "Matrix studies"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"GET", "/api/v1/subjects/{id}", [](auto& i, bool) { return get("/api/v1/subjects/" + n(i.maths)); }, S{401, 200, 200, 200, 200}, kNone},
    {"PUT", "/api/v1/subjects/{id}", [](auto& i, bool) { return js("/api/v1/subjects/" + n(i.maths), J{{"name", "Maths"}}); }, S{401, 403, 403, 403, 200}, kNone},
    {"DELETE", "/api/v1/subjects/{id}", [](auto& i, bool) { return get("/api/v1/subjects/" + n(i.maths)); }, S{401, 403, 403, 403, 409}, kNone},
    {"GET", "/subjects", [](auto&, bool) { return get("/subjects?q=a"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/subjects", [](auto&, bool) { return fm("/subjects", form({{"name", "Form studies"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"GET", "/subjects/{id}", [](auto& i, bool) { return get("/subjects/" + n(i.maths)); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/subjects/{id}", [](auto& i, bool) { return fm("/subjects/" + n(i.maths), form({{"name", "Maths"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/subjects/{id}/delete", [](auto& i, bool) { return fm("/subjects/" + n(i.maths) + "/delete", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"GET", "/api/v1/classes/{id}/assignments", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/assignments"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/classes/{id}/assignments", [](auto& i, bool in) { return js("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/assignments", J{{"subject_id", i.maths}, {"teacher_id", in ? i.t2 : i.t1}}); }, S{401, 403, 403, 403, 201}, S{401, 403, 403, 403, 201}},
    // the assignment id must belong to the class in the path (IDOR: 7A's id through 7B's path is 404)
    {"DELETE", "/api/v1/classes/{id}/assignments/{assignment_id}", [](auto& i, bool in) { return get("/api/v1/classes/" + (in ? n(i.c1) + "/assignments/" + n(i.a1) : n(i.c2) + "/assignments/" + n(i.a1))); }, S{401, 403, 403, 403, 204}, S{401, 403, 403, 403, 404}},
    {"POST", "/classes/{id}/assignments", [](auto& i, bool in) { return fm("/classes/" + n(in ? i.c1 : i.c2) + "/assignments", form({{"username", in ? "teacher2" : "teacher1"}, {"subject_id", n(i.maths)}})); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    {"POST", "/classes/{id}/assignments/{assignment_id}/remove", [](auto& i, bool in) { return fm("/classes/" + (in ? n(i.c1) + "/assignments/" + n(i.a1) : n(i.c2) + "/assignments/" + n(i.a2)) + "/remove", ""); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    // ---- people: the record of student1 (inside every role's scope) or student2 (outside)
    {"GET", "/api/v1/classes/{id}/students", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/students?q=stu"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/people", [](auto&, bool) { return get("/api/v1/people?role=student&q=stu"); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/api/v1/people/{id}", [](auto& i, bool in) { return get("/api/v1/people/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    // contact fields: the person themself or an admin
    {"PATCH", "/api/v1/people/{id}", [](auto& i, bool in) { return js("/api/v1/people/" + n(in ? i.s1 : i.s2), J{{"phone", "+44 20 7946 0000"}}); }, S{401, 200, 403, 403, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/me/profile", [](auto&, bool) { return get("/api/v1/me/profile"); }, S{401, 200, 200, 200, 200}, kNone},
    {"PATCH", "/api/v1/me/profile", [](auto&, bool) { return js("/api/v1/me/profile", J{{"preferred_language", "en"}}); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/people/{id}", [](auto& i, bool in) { return get("/people/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/people/{id}", [](auto& i, bool in) { return fm("/people/" + n(in ? i.s1 : i.s2), form({{"phone", "+44 20 7946 0001"}})); }, S{401, 303, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    {"GET", "/me/profile", [](auto&, bool) { return get("/me/profile"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/api/v1/setup/checklist", [](auto&, bool) { return get("/api/v1/setup/checklist"); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/classes", [](auto&, bool) { return get("/classes"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/classes", [](auto&, bool) { return fm("/classes", form({{"name", "9Y"}, {"year", "2026"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"GET", "/classes/import", [](auto&, bool) { return get("/classes/import"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/classes/import", [](auto&, bool) { return fm("/classes/import", form({{"csv", "username,full_name,class_name,year,guardian_username\nform.kid,Form Kid,7A,2025,\n"}})); }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/classes/{id}", [](auto& i, bool in) { return get("/classes/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/classes/{id}/students", [](auto& i, bool in) { return fm("/classes/" + n(in ? i.c1 : i.c2) + "/students", form({{"username", "student3"}})); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    {"POST", "/classes/{id}/students/{student_id}/remove", [](auto& i, bool in) { return fm("/classes/" + (in ? n(i.c1) + "/students/" + n(i.s1) : n(i.c2) + "/students/" + n(i.s2)) + "/remove", ""); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    {"POST", "/classes/{id}/teachers", [](auto& i, bool in) { return fm("/classes/" + n(in ? i.c1 : i.c2) + "/teachers", form({{"username", in ? "teacher2" : "teacher1"}, {"subject", "Art"}})); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    {"POST", "/classes/{id}/teachers/{teacher_id}/remove", [](auto& i, bool in) { return fm("/classes/" + (in ? n(i.c1) + "/teachers/" + n(i.t1) : n(i.c2) + "/teachers/" + n(i.t2)) + "/remove", ""); }, S{401, 403, 403, 403, 303}, S{401, 403, 403, 403, 303}},
    // ---- guardians and consent
    {"POST", "/api/v1/guardians", [](auto& i, bool) { return js("/api/v1/guardians", J{{"guardian_id", i.g1}, {"student_id", i.s3}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"DELETE", "/api/v1/guardians/{guardian_id}/students/{student_id}", [](auto& i, bool in) { return get("/api/v1/guardians/" + (in ? n(i.g1) + "/students/" + n(i.s1) : n(i.g2) + "/students/" + n(i.s2))); }, S{401, 403, 403, 403, 204}, S{401, 403, 403, 403, 204}},
    {"GET", "/api/v1/students/{id}/consent", [](auto& i, bool in) { return get("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/consent"); }, S{401, 403, 200, 403, 200}, S{401, 403, 403, 403, 200}},
    {"PUT", "/api/v1/students/{id}/consent", [](auto& i, bool in) { return js("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/consent", J{{"consent", "print"}}); }, S{401, 403, 200, 403, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/consent", [](auto&, bool) { return get("/consent"); }, S{401, 403, 200, 403, 200}, kNone},
    {"POST", "/consent/{student_id}", [](auto& i, bool in) { return fm("/consent/" + n(in ? i.s1 : i.s2), form({{"consent", "print"}})); }, S{401, 403, 303, 403, 303}, S{401, 403, 403, 403, 303}},
    // ---- photos and moderation
    {"GET", "/api/v1/photos/{id}", [](auto& i, bool in) { return get("/api/v1/photos/" + n(in ? i.p1 : i.p2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/photos/{id}/{variant}", [](auto& i, bool in) { return get("/api/v1/photos/" + n(in ? i.p1 : i.p2) + "/thumb"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/photos/{id}/approve", [](auto& i, bool in) { return Call{"/api/v1/photos/" + n(in ? i.p1 : i.p2) + "/approve", "", ""}; }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"DELETE", "/api/v1/photos/{id}", [](auto& i, bool in) { return Call{"/api/v1/photos/" + n(in ? i.p1 : i.p2), "", ""}; }, S{401, 200, 200, 403, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/api/v1/photos/{id}/reject", [](auto& i, bool in) { return js("/api/v1/photos/" + n(in ? i.p1 : i.p2) + "/reject", J{{"reason", "blurry"}}); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/moderation", [](auto&, bool) { return get("/moderation"); }, S{401, 403, 403, 200, 200}, kNone},
    {"GET", "/moderation/classes/{class_id}", [](auto& i, bool in) { return get("/moderation/classes/" + n(in ? i.c1 : i.c2)); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/moderation/approve", [](auto& i, bool in) { return fm("/moderation/approve", form({{"photo", n(in ? i.p1 : i.p2)}})); }, S{401, 403, 403, 303, 303}, S{401, 403, 403, 403, 303}},
    // ---- live status (event streams answer 200 and open; the polling twins return the same state)
    {"GET", "/api/v1/me/photo/status", [](auto&, bool) { return get("/api/v1/me/photo/status"); }, S{401, 200, 403, 403, 403}, kNone},
    {"GET", "/api/v1/events/photo", [](auto&, bool) { return get("/api/v1/events/photo"); }, S{401, 200, 403, 403, 403}, kNone},
    {"GET", "/api/v1/yearbook/{class_id}/state", [](auto& i, bool in) { return get("/api/v1/yearbook/" + n(in ? i.c1 : i.c2) + "/state"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/events/yearbook/{class_id}", [](auto& i, bool in) { return get("/api/v1/events/yearbook/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/moderation/{id}/approve", [](auto& i, bool in) { return fm("/moderation/" + n(in ? i.p1 : i.p2) + "/approve", ""); }, S{401, 403, 403, 303, 303}, S{401, 403, 403, 403, 303}},
    {"POST", "/moderation/{id}/reject", [](auto& i, bool in) { return fm("/moderation/" + n(in ? i.p1 : i.p2) + "/reject", form({{"reason", "blurry"}})); }, S{401, 403, 403, 303, 303}, S{401, 403, 403, 403, 303}},
    // ---- yearbook
    {"GET", "/api/v1/yearbook/{class_id}", [](auto& i, bool in) { return get("/api/v1/yearbook/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/yearbook/{class_id}", [](auto& i, bool in) { return get("/yearbook/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/yearbook/{class_id}/print", [](auto& i, bool in) { return get("/yearbook/" + n(in ? i.c1 : i.c2) + "/print"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    // ---- attendance: registers for the class's teachers and the office; reports also for the
    // student and their guardians; codes configured by the office
    {"GET", "/api/v1/attendance/codes", [](auto&, bool) { return get("/api/v1/attendance/codes"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/attendance/codes", [](auto&, bool) { return js("/api/v1/attendance/codes", J{{"code", "M"}, {"label", "Medical"}, {"kind", "excused"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"PUT", "/api/v1/attendance/codes/{code}", [](auto&, bool) { return Call{"/api/v1/attendance/codes/L", J{{"label", "Late"}, {"kind", "late"}}.dump(), "application/json"}; }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/api/v1/attendance/today", [](auto&, bool) { return get("/api/v1/attendance/today"); }, S{401, 403, 403, 200, 200}, kNone},
    {"GET", "/api/v1/classes/{id}/attendance", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/attendance"); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"PUT", "/api/v1/classes/{id}/attendance", [](auto& i, bool in) { return Call{"/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/attendance", J{{"marks", J::array({J{{"student_id", in ? i.s1 : i.s2}, {"code", "L"}}})}}.dump(), "application/json"}; }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/classes/{id}/attendance/report", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/attendance/report"); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/classes/{id}/attendance/report.csv", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/attendance/report.csv"); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/students/{id}/attendance", [](auto& i, bool in) { return get("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/attendance"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/students/{id}/attendance.csv", [](auto& i, bool in) { return get("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/attendance.csv"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/attendance", [](auto&, bool) { return get("/attendance"); }, S{401, 303, 200, 200, 200}, kNone},
    {"GET", "/attendance/classes/{id}", [](auto& i, bool in) { return get("/attendance/classes/" + n(in ? i.c1 : i.c2)); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/attendance/classes/{id}", [](auto& i, bool in) { return fm("/attendance/classes/" + n(in ? i.c1 : i.c2), form({{"s_" + n(in ? i.s1 : i.s2), "L"}, {"n_" + n(in ? i.s1 : i.s2), "bus"}})); }, S{401, 403, 403, 303, 303}, S{401, 403, 403, 403, 303}},
    {"GET", "/attendance/classes/{id}/report", [](auto& i, bool in) { return get("/attendance/classes/" + n(in ? i.c1 : i.c2) + "/report"); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/attendance/students/{id}", [](auto& i, bool in) { return get("/attendance/students/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/attendance/codes", [](auto&, bool) { return get("/attendance/codes"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/attendance/codes", [](auto&, bool) { return fm("/attendance/codes", form({{"code", "N"}, {"label", "New"}, {"kind", "late"}, {"active", "1"}})); }, S{401, 403, 403, 403, 303}, kNone},
    // ---- timetable: set up by the office; a class's or student's week for those who see the
    // class or the student; a teacher's own week for that teacher
    {"GET", "/api/v1/timetable/periods", [](auto&, bool) { return get("/api/v1/timetable/periods"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/timetable/periods", [](auto&, bool) { return js("/api/v1/timetable/periods", J{{"name", "late"}, {"starts_at", "18:00"}, {"ends_at", "18:30"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"DELETE", "/api/v1/timetable/periods/{id}", [](auto& i, bool) { return get("/api/v1/timetable/periods/" + n(i.period)); }, S{401, 403, 403, 403, 204}, kNone},
    {"GET", "/api/v1/timetable/rooms", [](auto&, bool) { return get("/api/v1/timetable/rooms"); }, S{401, 200, 200, 200, 200}, kNone},
    {"POST", "/api/v1/timetable/rooms", [](auto&, bool) { return js("/api/v1/timetable/rooms", J{{"name", "Hall"}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"DELETE", "/api/v1/timetable/rooms/{id}", [](auto& i, bool) { return get("/api/v1/timetable/rooms/" + n(i.room)); }, S{401, 403, 403, 403, 204}, kNone},
    {"POST", "/api/v1/timetable/slots", [](auto& i, bool) { return js("/api/v1/timetable/slots", J{{"class_id", i.c1}, {"weekday", 6}, {"period_id", i.period2}, {"teacher_id", i.t1}, {"subject_id", i.maths}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"DELETE", "/api/v1/timetable/slots/{id}", [](auto& i, bool) { return get("/api/v1/timetable/slots/" + n(i.slot)); }, S{401, 403, 403, 403, 204}, kNone},
    {"GET", "/api/v1/classes/{id}/timetable", [](auto& i, bool in) { return get("/api/v1/classes/" + n(in ? i.c1 : i.c2) + "/timetable"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/students/{id}/timetable", [](auto& i, bool in) { return get("/api/v1/students/" + n(in ? i.s1 : i.s2) + "/timetable"); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/api/v1/teachers/{id}/timetable", [](auto& i, bool in) { return get("/api/v1/teachers/" + n(in ? i.t1 : i.t2) + "/timetable"); }, S{401, 403, 403, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/timetable", [](auto&, bool) { return get("/timetable"); }, S{401, 200, 200, 200, 200}, kNone},
    {"GET", "/timetable/classes/{id}", [](auto& i, bool in) { return get("/timetable/classes/" + n(in ? i.c1 : i.c2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"GET", "/timetable/students/{id}", [](auto& i, bool in) { return get("/timetable/students/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 200, 200}, S{401, 403, 403, 403, 200}},
    {"POST", "/timetable/periods", [](auto&, bool) { return fm("/timetable/periods", form({{"name", "evening"}, {"starts_at", "19:00"}, {"ends_at", "19:30"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/timetable/rooms", [](auto&, bool) { return fm("/timetable/rooms", form({{"name", "Gym"}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/timetable/slots", [](auto& i, bool) { return fm("/timetable/slots", form({{"class_id", n(i.c1)}, {"weekday", "7"}, {"period_id", n(i.period2)}, {"teacher", "teacher1"}, {"subject_id", n(i.maths)}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/timetable/slots/{id}/delete", [](auto& i, bool) { return fm("/timetable/slots/" + n(i.slot2) + "/delete", ""); }, S{401, 403, 403, 403, 303}, kNone},
    // ---- marks: assessments of a class × subject for its teacher and the office; students and
    // guardians never see them here (404, as for another teacher's)
    {"GET", "/api/v1/grade-scales", [](auto&, bool) { return get("/api/v1/grade-scales"); }, S{401, 404, 404, 200, 200}, kNone},
    {"POST", "/api/v1/grade-scales", [](auto&, bool) { return js("/api/v1/grade-scales", J{{"name", "Pass/fail"}, {"bands", J::array({J{{"min_percent", 50}, {"label", "P"}}, J{{"min_percent", 0}, {"label", "F"}}})}}); }, S{401, 403, 403, 403, 201}, kNone},
    {"PUT", "/api/v1/grade-scales/{id}", [](auto& i, bool) { return Call{"/api/v1/grade-scales/" + n(i.scale), J{{"name", "Letters A–U"}, {"default", true}, {"bands", J::array({J{{"min_percent", "80"}, {"label", "A"}}, J{{"min_percent", "0"}, {"label", "U"}}})}}.dump(), "application/json"}; }, S{401, 403, 403, 403, 200}, kNone},
    {"GET", "/api/v1/assessments", [](auto&, bool) { return get("/api/v1/assessments"); }, S{401, 404, 404, 200, 200}, kNone},
    {"POST", "/api/v1/assessments", [](auto& i, bool in) { static int k = 0; return js("/api/v1/assessments", J{{"term_id", i.term}, {"class_id", in ? i.c1 : i.c2}, {"subject_id", in ? i.maths : i.art}, {"name", "Quiz " + n(++k)}, {"max", 10}}); }, S{401, 404, 404, 201, 201}, S{401, 404, 404, 404, 201}},
    {"GET", "/api/v1/assessments/{id}", [](auto& i, bool in) { return get("/api/v1/assessments/" + n(in ? i.as1 : i.as2)); }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"PUT", "/api/v1/assessments/{id}", [](auto& i, bool in) { return Call{"/api/v1/assessments/" + n(in ? i.as1 : i.as2), J{{"name", "Test 1"}, {"max", "20"}}.dump(), "application/json"}; }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/api/v1/assessments/{id}/finalise", [](auto& i, bool in) { return Call{"/api/v1/assessments/" + n(in ? i.as1 : i.as2) + "/finalise", "", ""}; }, S{401, 404, 404, 403, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/api/v1/assessments/{id}/reopen", [](auto& i, bool in) { return Call{"/api/v1/assessments/" + n(in ? i.as1 : i.as2) + "/reopen", "", ""}; }, S{401, 404, 404, 403, 200}, S{401, 404, 404, 404, 200}},
    {"PUT", "/api/v1/assessments/{id}/marks", [](auto& i, bool in) { return Call{"/api/v1/assessments/" + n(in ? i.as1 : i.as2) + "/marks", J{{"marks", J::array({J{{"student_id", in ? i.s1 : i.s2}, {"mark", "7.5"}}})}}.dump(), "application/json"}; }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/api/v1/assessments/{id}/marks/import", [](auto& i, bool in) { return Call{"/api/v1/assessments/" + n(in ? i.as1 : i.as2) + "/marks/import", std::string("username,mark\n") + (in ? "student1" : "student2") + ",8\n", "text/csv"}; }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"GET", "/api/v1/report-comments", [](auto& i, bool in) { return get("/api/v1/report-comments?term_id=" + n(i.term) + "&class_id=" + n(in ? i.c1 : i.c2) + "&subject_id=" + n(in ? i.maths : i.art)); }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"PUT", "/api/v1/report-comments", [](auto& i, bool in) { return Call{"/api/v1/report-comments", J{{"term_id", i.term}, {"student_id", in ? i.s1 : i.s2}, {"subject_id", in ? i.maths : i.art}, {"comment", "Good work."}}.dump(), "application/json"}; }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"GET", "/marks", [](auto&, bool) { return get("/marks"); }, S{401, 404, 404, 200, 200}, kNone},
    {"POST", "/marks", [](auto& i, bool in) { static int k = 0; return fm("/marks", form({{"class_subject", n(in ? i.c1 : i.c2) + ":" + n(in ? i.maths : i.art)}, {"term_id", n(i.term)}, {"name", "Form quiz " + n(++k)}, {"max", "10"}})); }, S{401, 404, 404, 303, 303}, S{401, 404, 404, 404, 303}},
    // general comments: teacher1 is not 7A's form tutor (tests/api/marks_api_test.cpp has one who is)
    {"GET", "/marks/comments", [](auto& i, bool in) { return get("/marks/comments?class_id=" + n(in ? i.c1 : i.c2) + "&term_id=" + n(i.term)); }, S{401, 404, 404, 404, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/marks/comments", [](auto& i, bool in) { return fm("/marks/comments", form({{"class_id", n(in ? i.c1 : i.c2)}, {"term_id", n(i.term)}, {"c_" + n(in ? i.s1 : i.s2), "A good term."}})); }, S{401, 404, 404, 404, 303}, S{401, 404, 404, 404, 303}},
    {"GET", "/marks/{id}", [](auto& i, bool in) { return get("/marks/" + n(in ? i.as1 : i.as2)); }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    {"POST", "/marks/{id}/finalise", [](auto& i, bool in) { return fm("/marks/" + n(in ? i.as1 : i.as2) + "/finalise", ""); }, S{401, 404, 404, 403, 303}, S{401, 404, 404, 404, 303}},
    {"POST", "/marks/{id}/reopen", [](auto& i, bool in) { return fm("/marks/" + n(in ? i.as1 : i.as2) + "/reopen", ""); }, S{401, 404, 404, 403, 303}, S{401, 404, 404, 404, 303}},
    {"POST", "/marks/{id}/import", [](auto& i, bool in) { return fm("/marks/" + n(in ? i.as1 : i.as2) + "/import", form({{"csv", std::string("username,mark\n") + (in ? "student1" : "student2") + ",8\n"}, {"dry_run", "1"}})); }, S{401, 404, 404, 200, 200}, S{401, 404, 404, 404, 200}},
    // ---- results: the card of student1 (inside) or student2 (outside); out of scope is 404 like
    // a card that does not exist; staff do not read cards; only the admin publishes.
    {"GET", "/results", [](auto&, bool) { return get("/results"); }, S{401, 200, 200, 403, 403}, kNone},
    {"GET", "/results/{publication_id}/students/{student_id}", [](auto& i, bool in) { return get("/results/" + n(i.pub) + "/students/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 403, 403}, S{401, 404, 404, 403, 403}},
    {"GET", "/results/{publication_id}/students/{student_id}/report.pdf", [](auto& i, bool in) { return get("/results/" + n(i.pub) + "/students/" + n(in ? i.s1 : i.s2) + "/report.pdf"); }, S{401, 200, 200, 403, 403}, S{401, 404, 404, 403, 403}},
    {"GET", "/api/v1/results", [](auto&, bool) { return get("/api/v1/results"); }, S{401, 200, 200, 403, 403}, kNone},
    {"GET", "/api/v1/results/{publication_id}/students/{student_id}", [](auto& i, bool in) { return get("/api/v1/results/" + n(i.pub) + "/students/" + n(in ? i.s1 : i.s2)); }, S{401, 200, 200, 403, 403}, S{401, 404, 404, 403, 403}},
    {"GET", "/admin/results", [](auto&, bool) { return get("/admin/results"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/admin/results", [](auto& i, bool) { return fm("/admin/results", form({{"title", "Form"}, {"term_id", n(i.term)}})); }, S{401, 403, 403, 403, 303}, kNone},
    {"POST", "/admin/results/{id}/withdraw", [](auto& i, bool) { return fm("/admin/results/" + n(i.pubw) + "/withdraw", ""); }, S{401, 403, 403, 403, 303}, kNone},
    {"GET", "/api/v1/publications", [](auto&, bool) { return get("/api/v1/publications"); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/publications", [](auto& i, bool) { return js("/api/v1/publications", J{{"term_id", i.term}, {"title", "API"}}); }, S{401, 403, 403, 403, 202}, kNone},
    {"GET", "/api/v1/publications/{id}", [](auto& i, bool) { return get("/api/v1/publications/" + n(i.pub)); }, S{401, 403, 403, 403, 200}, kNone},
    {"POST", "/api/v1/publications/{id}/withdraw", [](auto& i, bool) { return js("/api/v1/publications/" + n(i.pubw) + "/withdraw", J::object()); }, S{401, 403, 403, 403, 200}, kNone},
    // ---- uploads last: a new upload replaces student1's current photo, which the rows above read
    {"POST", "/api/v1/me/photo", [](auto&, bool) { return Call{"/api/v1/me/photo", multipart_photo(test::make_png(64, 48)), "multipart/form-data; boundary=B0"}; }, S{401, 202, 403, 403, 403}, kNone},
    {"POST", "/me/photo", [](auto&, bool) { return Call{"/me/photo", multipart_photo(test::make_png(64, 48)), "multipart/form-data; boundary=B0"}; }, S{401, 303, 403, 403, 403}, kNone},
  };
}
// clang-format on

TEST_F(AuthzMatrix, EveryRouteEveryRoleEveryScope) {
  auto rows = matrix();
  std::set<std::pair<std::string, std::string>> have, registered;
  for (auto& r : rows)
    EXPECT_TRUE(have.insert({r.method, r.pattern}).second) << "duplicate row " << r.method << " " << r.pattern;
  for (auto& rt : router.routes()) {
    registered.insert(rt);
    EXPECT_TRUE(have.count(rt)) << "route without an authorisation-matrix row: " << rt.first << " " << rt.second;
  }
  for (auto& h : have)
    EXPECT_TRUE(registered.count(h)) << "matrix row for a route that does not exist: " << h.first << " " << h.second;

  std::map<Role, test::Client> clients;
  for (int r = 0; r < kRoles; ++r) clients.emplace(Role(r), client_for(Role(r)));
  bool print = std::getenv("SY_AUTHZ_PRINT") != nullptr;
  std::ostringstream table;
  for (auto& row : rows) {
    for (bool inside : {true, false}) {
      const S& want = inside ? row.in : row.out;
      if (!inside && want == kNone) continue;
      S got{};
      for (int r = 0; r < kRoles; ++r) {
        reset();
        auto call = row.make(ids, inside);
        test::Client fresh = row.fresh_session ? client_for(Role(r)) : test::Client{router};
        test::Client& c = row.fresh_session ? fresh : clients.at(Role(r));
        auto resp = c.call(row.method, call.target, call.body, call.type);
        got[r] = resp.status;
        if (!print)
          EXPECT_EQ(resp.status, want[r]) << row.method << " " << call.target << " as " << kRoleNames[r] << " ("
                                          << (inside ? "inside" : "outside") << " scope): " << resp.body.substr(0, 300);
      }
      // The call may have ended the shared sessions too (a password change ends the user's others).
      if (row.fresh_session)
        for (int r = 0; r < kRoles; ++r) {
          clients.erase(Role(r));
          clients.emplace(Role(r), client_for(Role(r)));
        }
      table << row.method << " " << row.pattern << (inside ? " in " : " out") << " S{" << got[0] << ", " << got[1]
            << ", " << got[2] << ", " << got[3] << ", " << got[4] << "}\n";
    }
  }
  if (print) std::cout << table.str();
}

}  // namespace
