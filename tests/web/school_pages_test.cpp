// The HTML pages for classes, consent and yearbooks (rendered through the real templates).
#include "web/school_pages.h"

#include <gtest/gtest.h>

#include "http/types.h"
#include "services/school.h"
#include "services/school_fixture.h"

using namespace sy;

namespace {

class SchoolPages : public test::SchoolFixture {
 protected:
  http::Router router;
  std::int64_t admin = 0, teacher = 0, ann = 0, ben = 0, dan = 0, mum = 0, other = 0, c1 = 0, c2 = 0;

  void SetUp() override {
    SchoolFixture::SetUp();
    web::mount_school_pages(router, *app);
    admin = add_user("admin", Role::admin);
    teacher = add_user("teacher", Role::teacher);
    ann = add_user("ann", Role::student);
    ben = add_user("ben", Role::student);
    dan = add_user("dan", Role::student);
    mum = add_user("mum", Role::guardian);
    other = add_user("other", Role::guardian);
    c1 = add_class("7A", 2025);
    c2 = add_class("7B", 2025);
    teach(c1, teacher);
    enrol(c1, ann);
    enrol(c1, ben);
    enrol(c2, dan);
    link(mum, ann);
    link(other, dan);
  }

  http::Response call(std::int64_t who, const std::string& method, const std::string& target,
                      const std::string& form = "") {
    return test::call_as(router, *app->db, who, method, target, form, "application/x-www-form-urlencoded");
  }
  static bool has(const http::Response& r, const std::string& s) { return r.body.find(s) != std::string::npos; }
  std::string location(const http::Response& r) { return r.header("location").value_or(""); }
};

TEST_F(SchoolPages, ClassListAndClassPage) {
  auto r = call(admin, "GET", "/classes");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "href=\"/classes/" + std::to_string(c1) + "\">7A</a>"));
  EXPECT_TRUE(has(r, "action=\"/classes\""));  // admin create form
  EXPECT_TRUE(has(r, "name=\"_csrf\" value=\"csrf\""));
  r = call(teacher, "GET", "/classes");
  EXPECT_TRUE(has(r, ">7A</a>"));
  EXPECT_FALSE(has(r, ">7B</a>"));
  EXPECT_FALSE(has(r, "action=\"/classes\""));

  r = call(teacher, "GET", "/classes/" + std::to_string(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "Full ann"));
  EXPECT_TRUE(has(r, "<td>ann</td>"));    // staff see usernames
  EXPECT_FALSE(has(r, "Enrol student"));  // only admins get the forms
  EXPECT_EQ(call(teacher, "GET", "/classes/" + std::to_string(c2)).status, 403);
  EXPECT_EQ(call(ann, "GET", "/classes/" + std::to_string(c2)).status, 403);
  r = call(ann, "GET", "/classes/" + std::to_string(c1));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(has(r, "<td>ben</td>"));  // classmates see names only

  r = call(admin, "GET", "/classes/" + std::to_string(c1));
  EXPECT_TRUE(has(r, "Enrol student"));
  EXPECT_TRUE(has(r, "Assign teacher"));
  EXPECT_TRUE(has(r, "<option value=\"dan\">"));
}

TEST_F(SchoolPages, AdminFormsCreateEnrolAssignRemove) {
  auto r = call(admin, "POST", "/classes", "name=8A&year=2026&_csrf=csrf");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(location(r).rfind("/classes/", 0), 0u);
  r = call(admin, "POST", "/classes", "name=8A&year=2026");
  EXPECT_EQ(location(r).rfind("/classes?flash=", 0), 0u);  // duplicate: message, not an error page
  r = call(admin, "POST", "/classes", "name=8B&year=next");
  EXPECT_EQ(location(r).rfind("/classes?flash=", 0), 0u);

  std::string cls = "/classes/" + std::to_string(c2);
  r = call(admin, "POST", cls + "/students", "username=ben");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(location(r), cls + "?flash=Student%20enrolled.");
  r = call(admin, "POST", cls + "/students", "username=nobody");
  EXPECT_NE(location(r).find("flash=There%20is%20no%20user"), std::string::npos) << location(r);
  EXPECT_EQ(call(admin, "POST", cls + "/teachers", "username=teacher&subject=Art").status, 303);
  EXPECT_EQ(call(teacher, "GET", cls).status, 200);
  EXPECT_EQ(call(admin, "POST", cls + "/teachers/" + std::to_string(teacher) + "/remove", "x=1").status, 303);
  EXPECT_EQ(call(teacher, "GET", cls).status, 403);
  EXPECT_EQ(call(admin, "POST", cls + "/students/" + std::to_string(ben) + "/remove", "x=1").status, 303);
  EXPECT_EQ(services::get_class(*app, actor(admin), c2).students.size(), 1u);

  // Not admins: refused outright.
  EXPECT_EQ(call(teacher, "POST", "/classes/" + std::to_string(c1) + "/students", "username=dan").status, 403);
  EXPECT_EQ(call(teacher, "POST", "/classes", "name=X&year=2025").status, 403);
}

TEST_F(SchoolPages, GuardianConsentPage) {
  auto r = call(mum, "GET", "/consent");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "<legend>Full ann</legend>"));
  EXPECT_FALSE(has(r, "Full dan"));
  EXPECT_TRUE(has(r, "type=\"radio\" id=\"c-" + std::to_string(ann) + "-print\" name=\"consent\" value=\"print\""));

  r = call(mum, "POST", "/consent/" + std::to_string(ann), "consent=print&_csrf=csrf");
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(location(r), "/consent?flash=Consent%20saved.");
  EXPECT_EQ(services::get_consent(*app, actor(admin), ann), "print");
  EXPECT_TRUE(has(call(mum, "GET", "/consent"), "value=\"print\" required checked"));

  // Someone else's child: 403 and nothing changes.
  EXPECT_EQ(call(mum, "POST", "/consent/" + std::to_string(dan), "consent=print").status, 403);
  EXPECT_EQ(services::get_consent(*app, actor(admin), dan), "");
  EXPECT_EQ(call(teacher, "GET", "/consent").status, 403);
  r = call(mum, "POST", "/consent/" + std::to_string(ann), "consent=bogus");
  EXPECT_NE(location(r).find("flash=consent%20must%20be"), std::string::npos);
}

TEST_F(SchoolPages, AdminConsentByClass) {
  auto r = call(admin, "GET", "/consent");
  EXPECT_TRUE(has(r, "/consent?class_id=" + std::to_string(c1)));
  r = call(admin, "GET", "/consent?class_id=" + std::to_string(c1));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r, "<legend>Full ben</legend>"));
  EXPECT_TRUE(has(r, "name=\"class_id\" value=\"" + std::to_string(c1) + "\""));
  r = call(admin, "POST", "/consent/" + std::to_string(ben), "consent=yearbook&class_id=" + std::to_string(c1));
  EXPECT_EQ(location(r), "/consent?class_id=" + std::to_string(c1) + "&flash=Consent%20saved.");
  r = call(admin, "POST", "/consent/" + std::to_string(ben), "consent=yearbook&class_id=https://evil.example");
  EXPECT_EQ(location(r), "/consent?flash=Consent%20saved.");  // never redirected elsewhere
  EXPECT_EQ(call(admin, "GET", "/consent?class_id=abc").status, 404);
}

TEST_F(SchoolPages, YearbookGridShowsOnlyConsentedApprovedPhotos) {
  auto pa = photo(ann, "ready", "approved", true, "Hello <world>");
  photo(ben, "ready", "approved", true);
  consent(ann, "yearbook");  // ben: no consent
  auto r = call(ben, "GET", "/yearbook/" + std::to_string(c1));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string thumb = "/api/v1/photos/" + std::to_string(pa) + "/thumb";
  std::string base = "/api/v1/photos/" + std::to_string(pa) + "/";
  // Responsive: WebP for browsers that take it, JPEG otherwise, the thumbnail for small slots.
  EXPECT_TRUE(has(r, "<source type=\"image/webp\" srcset=\"" + thumb + " 320w, " + base + "webp 1600w\""));
  EXPECT_TRUE(has(r, "<img src=\"" + thumb + "\" srcset=\"" + thumb + " 320w, " + base + "jpeg 1600w\""));
  EXPECT_TRUE(has(r, "alt=\"Full ann\""));
  EXPECT_TRUE(has(r, "Hello &lt;world&gt;"));
  EXPECT_TRUE(has(r, "aria-label=\"No photo of Full ben\""));
  EXPECT_EQ(r.body.find("<img", r.body.find("<img") + 1), std::string::npos);  // exactly one photo

  consent(ann, "none");
  r = call(ben, "GET", "/yearbook/" + std::to_string(c1));
  EXPECT_EQ(r.body.find("<img"), std::string::npos);
  EXPECT_EQ(call(dan, "GET", "/yearbook/" + std::to_string(c1)).status, 403);
  EXPECT_EQ(call(other, "GET", "/yearbook/" + std::to_string(c1)).status, 403);
  EXPECT_EQ(call(admin, "GET", "/yearbook/x1").status, 404);
}

TEST_F(SchoolPages, PrintViewListsPrintConsentOnly) {
  auto pa = photo(ann);
  photo(ben);
  consent(ann, "print");
  consent(ben, "yearbook");
  auto r = call(teacher, "GET", "/yearbook/" + std::to_string(c1) + "/print");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind("<!doctype html>", 0), 0u);
  EXPECT_TRUE(has(r, "/static/school.css"));
  EXPECT_TRUE(has(r, "src=\"/api/v1/photos/" + std::to_string(pa) + "/jpeg\" alt=\"Full ann\""));
  EXPECT_FALSE(has(r, "Full ben"));
  EXPECT_EQ(r.header("cache-control"), "no-store");
  EXPECT_EQ(call(dan, "GET", "/yearbook/" + std::to_string(c1) + "/print").status, 403);
}

TEST_F(SchoolPages, ImportForm) {
  EXPECT_EQ(call(admin, "GET", "/classes/import").status, 200);
  EXPECT_EQ(call(teacher, "GET", "/classes/import").status, 403);
  std::string csv = "username,full_name,class_name,year,guardian_username\nzoe,Zoe Z,7A,2025,\n";
  auto r = call(admin, "POST", "/classes/import", "csv=" + http::url_encode(csv));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r, "<td>zoe</td><td>student</td><td><code class=\"secret\">"));
  r = call(admin, "POST", "/classes/import", "csv=" + http::url_encode(csv + "bad name,X,,,\n"));
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r, "Nothing was imported. line 3: username must have"));
}

}  // namespace
