// Notices and messages through the router (JSON API and pages): who sees what, never fanning out
// to another class, roles, publish dates, read receipts; the one-thread-per-student messages.
#include <gtest/gtest.h>

#include "api/notices_api.h"
#include "core/clock.h"
#include "services/school_fixture.h"
#include "web/account_pages.h"
#include "web/notice_pages.h"
#include "web/render.h"

using namespace sy;
using J = nlohmann::json;

namespace {

class NoticesApi : public test::SchoolFixture {
 protected:
  http::Router router;

  void SetUp() override {
    SchoolFixture::SetUp();
    router.error_page = web::error_page;
    api::mount_notices_api(router, *app);
    web::mount_notice_pages(router, *app);
    web::mount_account_pages(router, *app);
    seed_two_classes();
  }
  void TearDown() override { set_clock_offset_for_tests(0); }

  http::Response call(std::int64_t who, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& type = "application/json") {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = http::parse_urlencoded(target.substr(q + 1));
    req.body = body;
    if (!body.empty()) req.headers.push_back({"content-type", type});
    req.remote_ip = "127.0.0.1";
    if (who) {
      auto a = actor(who);
      req.user = http::Principal{a.id, a.username, a.role, "Full " + a.username, "1", "csrf"};
    }
    return router.dispatch(req);
  }
  http::Response post(std::int64_t who, const std::string& path, const J& body) {
    return call(who, "POST", path, body.dump());
  }
  static J body(const http::Response& r) { return J::parse(r.body); }

  std::int64_t notice(std::int64_t who, const J& targets, const std::string& title = "Trip",
                      const std::string& publish_at = "") {
    J b = {{"title", title}, {"body", "Bring a coat."}, {"targets", targets}};
    if (!publish_at.empty()) b["publish_at"] = publish_at;
    auto r = post(who, "/api/v1/notices", b);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? body(r)["id"].get<std::int64_t>() : 0;
  }
  std::vector<std::string> titles_for(std::int64_t who) {
    auto r = call(who, "GET", "/api/v1/notices");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    auto j = body(r);  // kept: a range over a member of a temporary would dangle
    for (auto& n : j["notices"]) out.push_back(n["title"]);
    return out;
  }
  bool sees(std::int64_t who, const std::string& title) {
    auto t = titles_for(who);
    return std::find(t.begin(), t.end(), title) != t.end();
  }
};

using V = std::vector<std::string>;

TEST_F(NoticesApi, ClassNoticeReachesExactlyThatClass) {
  notice(t1, J::array({J{{"class_id", c1}}}), "7A trip");
  // 7A: its student, the student's guardian, its teacher.
  EXPECT_TRUE(sees(s1, "7A trip"));
  EXPECT_TRUE(sees(g1, "7A trip"));
  EXPECT_TRUE(sees(t1, "7A trip"));
  // Never another class's people, nor a student in no class, nor the admin.
  EXPECT_FALSE(sees(s2, "7A trip"));
  EXPECT_FALSE(sees(g2, "7A trip"));
  EXPECT_FALSE(sees(t2, "7A trip"));
  EXPECT_FALSE(sees(s3, "7A trip"));
  EXPECT_FALSE(sees(admin, "7A trip"));
  // The same on the home page.
  auto home2 = call(s2, "GET", "/");
  ASSERT_EQ(home2.status, 200);
  EXPECT_EQ(home2.body.find("7A trip"), std::string::npos);
  auto home1 = call(s1, "GET", "/");
  EXPECT_NE(home1.body.find("7A trip"), std::string::npos);
}

TEST_F(NoticesApi, RoleTargetsNarrowTheAudience) {
  notice(t1, J::array({J{{"class_id", c1}, {"role", "guardian"}}}), "Parents evening");
  EXPECT_TRUE(sees(g1, "Parents evening"));
  EXPECT_FALSE(sees(s1, "Parents evening"));
  EXPECT_FALSE(sees(t1, "Parents evening"));
  EXPECT_FALSE(sees(g2, "Parents evening"));
  // Admin, school-wide to one role.
  notice(admin, J::array({J{{"role", "teacher"}}}), "Staff meeting");
  EXPECT_TRUE(sees(t1, "Staff meeting"));
  EXPECT_TRUE(sees(t2, "Staff meeting"));
  EXPECT_FALSE(sees(s1, "Staff meeting"));
  EXPECT_FALSE(sees(g1, "Staff meeting"));
  // School-wide to everyone.
  notice(admin, J::array({J::object()}), "Snow day");
  for (auto who : {s1, s2, s3, g1, g2, t1, t2, admin}) EXPECT_TRUE(sees(who, "Snow day")) << who;
  // Two targets: the union, still nobody else.
  notice(admin, J::array({J{{"class_id", c1}, {"role", "student"}}, J{{"class_id", c2}, {"role", "guardian"}}}),
         "Mixed");
  EXPECT_TRUE(sees(s1, "Mixed"));
  EXPECT_TRUE(sees(g2, "Mixed"));
  EXPECT_FALSE(sees(g1, "Mixed"));
  EXPECT_FALSE(sees(s2, "Mixed"));
}

TEST_F(NoticesApi, TeachersWriteOnlyToTheirClasses) {
  EXPECT_EQ(post(t1, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c2}}})}})
                .status,
            403);
  EXPECT_EQ(post(t1, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J::object()})}}).status,
            403);
  EXPECT_EQ(post(t1, "/api/v1/notices",
                 J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}, J{{"class_id", c2}}})}})
                .status,
            403)
      << "one foreign class refuses the whole notice";
  EXPECT_EQ(post(s1, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}})}})
                .status,
            403);
  EXPECT_EQ(post(g1, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}})}})
                .status,
            403);
  EXPECT_EQ(
      post(0, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}})}}).status,
      401);
  // Validation.
  EXPECT_EQ(
      post(t1, "/api/v1/notices", J{{"title", ""}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}})}}).status,
      422);
  EXPECT_EQ(post(t1, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array()}}).status, 422);
  EXPECT_EQ(post(t1, "/api/v1/notices",
                 J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}, {"role", "king"}}})}})
                .status,
            422);
  EXPECT_EQ(
      post(admin, "/api/v1/notices", J{{"title", "x"}, {"body", "y"}, {"targets", J::array({J{{"class_id", 99999}}})}})
          .status,
      404);
  EXPECT_EQ(
      post(t1, "/api/v1/notices",
           J{{"title", "x"}, {"body", "y"}, {"publish_at", "2026-02-30"}, {"targets", J::array({J{{"class_id", c1}}})}})
          .status,
      422);
  EXPECT_EQ(post(t1, "/api/v1/notices",
                 J{{"title", std::string(201, 'x')}, {"body", "y"}, {"targets", J::array({J{{"class_id", c1}}})}})
                .status,
            422);
  EXPECT_EQ(call(t1, "POST", "/api/v1/notices", "{not json").status, 400);
  // Nothing half-written by the refusals.
  EXPECT_TRUE(titles_for(t1).empty());
}

TEST_F(NoticesApi, PublishDateHidesUntilThen) {
  std::string tomorrow = utc_format(now_unix() + 86400, "%Y-%m-%d");
  auto id = notice(t1, J::array({J{{"class_id", c1}}}), "Later", tomorrow);
  EXPECT_FALSE(sees(s1, "Later"));
  EXPECT_EQ(call(s1, "GET", "/api/v1/notices/" + std::to_string(id)).status, 404);
  EXPECT_EQ(call(s1, "POST", "/api/v1/notices/" + std::to_string(id) + "/read").status, 404);
  // The author sees it (scheduled) among what they wrote.
  auto sent = call(t1, "GET", "/api/v1/notices?sent=1");
  ASSERT_EQ(sent.status, 200);
  EXPECT_EQ(body(sent)["notices"].size(), 1u);
  set_clock_offset_for_tests(2 * 86400);
  EXPECT_TRUE(sees(s1, "Later"));
}

TEST_F(NoticesApi, ReadReceiptsForTheAuthorOnly) {
  auto id = notice(t1, J::array({J{{"class_id", c1}}}), "Trip");
  std::string base = "/api/v1/notices/" + std::to_string(id);
  auto r = call(t1, "GET", base + "/receipts");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["total"], 3);  // student1, guardian1, teacher1
  EXPECT_EQ(body(r)["read"], 0);
  EXPECT_EQ(call(s1, "POST", base + "/read").status, 204);
  EXPECT_EQ(call(s1, "POST", base + "/read").status, 204) << "idempotent";
  // Opening the page reads it, too.
  EXPECT_EQ(call(g1, "GET", "/notices/" + std::to_string(id)).status, 200);
  r = call(t1, "GET", base + "/receipts");
  EXPECT_EQ(body(r)["read"], 2);
  auto receipts = body(r);
  for (auto& p : receipts["recipients"]) {
    bool read = !p["read_at"].is_null();
    EXPECT_EQ(read, p["user_id"] == s1 || p["user_id"] == g1) << p.dump();
  }
  auto list = call(s1, "GET", "/api/v1/notices");
  EXPECT_TRUE(body(list)["notices"][0]["read"].get<bool>());
  // Receipts: the author and admins; recipients and strangers get 404.
  EXPECT_EQ(call(admin, "GET", base + "/receipts").status, 200);
  EXPECT_EQ(call(s1, "GET", base + "/receipts").status, 404);
  EXPECT_EQ(call(t2, "GET", base + "/receipts").status, 404);
  EXPECT_EQ(call(g2, "GET", base + "/read").status, 405) << "GET on a POST route";
  EXPECT_EQ(call(g2, "POST", base + "/read").status, 404);
  EXPECT_EQ(call(s2, "GET", base).status, 404);
  EXPECT_EQ(call(s2, "GET", "/notices/" + std::to_string(id)).status, 404);
  // The page shows the author who read it.
  auto page = call(t1, "GET", "/notices/" + std::to_string(id));
  EXPECT_NE(page.body.find("Read by 2 of 3"), std::string::npos);
}

TEST_F(NoticesApi, NoticeFormPages) {
  EXPECT_EQ(call(t1, "GET", "/notices/new").status, 200);
  EXPECT_EQ(call(s1, "GET", "/notices/new").status, 403);
  auto r =
      call(t1, "POST", "/notices", "title=Form+notice&body=Hello&role=&class_id=" + std::to_string(c1) + "&_csrf=csrf",
           "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_TRUE(sees(s1, "Form notice"));
  EXPECT_FALSE(sees(s2, "Form notice"));
  r = call(t1, "POST", "/notices", "title=&body=Hello&class_id=" + std::to_string(c1),
           "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 422);
  r = call(t1, "POST", "/notices", "title=x&body=Hello&class_id=abc", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 422);
  r = call(t1, "POST", "/notices", "title=x&body=Hello&school=1", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(call(s1, "GET", "/notices").status, 200);
  EXPECT_EQ(call(0, "GET", "/notices").status, 401);
}

// ---- messages

TEST_F(NoticesApi, MessagesStayInOneStudentsThread) {
  std::string th1 = "/api/v1/students/" + std::to_string(s1) + "/messages";
  std::string th2 = "/api/v1/students/" + std::to_string(s2) + "/messages";
  auto r = post(g1, th1, J{{"body", "Ann is ill today."}});
  ASSERT_EQ(r.status, 201) << r.body;
  r = post(t1, th1, J{{"body", "Thanks, get well soon."}});
  ASSERT_EQ(r.status, 201) << r.body;
  r = call(g1, "GET", th1);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body(r)["messages"].size(), 2u);
  EXPECT_EQ(body(r)["messages"][0]["body"], "Ann is ill today.");
  EXPECT_EQ(body(r)["messages"][1]["author_role"], "teacher");
  // Nobody outside student1's teachers and guardians.
  EXPECT_EQ(call(g2, "GET", th1).status, 403);
  EXPECT_EQ(call(t2, "GET", th1).status, 403);
  EXPECT_EQ(call(s1, "GET", th1).status, 403);
  EXPECT_EQ(call(s2, "GET", th1).status, 403);
  EXPECT_EQ(post(g2, th1, J{{"body", "x"}}).status, 403);
  EXPECT_EQ(post(t2, th1, J{{"body", "x"}}).status, 403);
  EXPECT_EQ(post(admin, th1, J{{"body", "x"}}).status, 403);
  EXPECT_EQ(call(admin, "GET", th1).status, 200);
  // Student2's thread is another, empty one.
  r = call(t2, "GET", th2);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(body(r)["messages"].empty());
  // Not a student / no such user: 404.
  EXPECT_EQ(call(t1, "GET", "/api/v1/students/" + std::to_string(t2) + "/messages").status, 404);
  EXPECT_EQ(call(t1, "GET", "/api/v1/students/999999/messages").status, 404);
  EXPECT_EQ(call(t1, "GET", "/api/v1/students/abc/messages").status, 404);
  // Validation.
  EXPECT_EQ(post(t1, th1, J{{"body", ""}}).status, 422);
  EXPECT_EQ(post(t1, th1, J{{"body", std::string(5001, 'x')}}).status, 422);
  EXPECT_EQ(post(t1, th1, J{{"nobody", "x"}}).status, 422);
}

TEST_F(NoticesApi, ThreadListsAndUnreadCounts) {
  std::string th1 = "/api/v1/students/" + std::to_string(s1) + "/messages";
  post(g1, th1, J{{"body", "One"}});
  post(g1, th1, J{{"body", "Two"}});
  auto r = call(t1, "GET", "/api/v1/messages");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body(r)["threads"].size(), 1u) << r.body;  // teacher1 teaches only student1
  EXPECT_EQ(body(r)["threads"][0]["student_id"], s1);
  EXPECT_EQ(body(r)["threads"][0]["unread"], 2);
  call(t1, "GET", th1);  // reading marks read
  r = call(t1, "GET", "/api/v1/messages");
  EXPECT_EQ(body(r)["threads"][0]["unread"], 0);
  // The guardian's own messages are not unread for them.
  r = call(g1, "GET", "/api/v1/messages");
  ASSERT_EQ(body(r)["threads"].size(), 1u);
  EXPECT_EQ(body(r)["threads"][0]["unread"], 0);
  // guardian2 sees only their child.
  r = call(g2, "GET", "/api/v1/messages");
  ASSERT_EQ(body(r)["threads"].size(), 1u);
  EXPECT_EQ(body(r)["threads"][0]["student_id"], s2);
  EXPECT_EQ(body(r)["threads"][0]["messages"], 0);
}

TEST_F(NoticesApi, MessagePages) {
  auto r = call(g1, "POST", "/messages/" + std::to_string(s1), "body=Hello+there&_csrf=csrf",
                "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 303) << r.body;
  r = call(t1, "GET", "/messages/" + std::to_string(s1));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Hello there"), std::string::npos);
  EXPECT_NE(r.body.find("width=device-width"), std::string::npos);
  EXPECT_EQ(call(t2, "GET", "/messages/" + std::to_string(s1)).status, 403);
  r = call(g1, "POST", "/messages/" + std::to_string(s1), "body=", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 422);
  r = call(t1, "GET", "/messages");
  EXPECT_NE(r.body.find("Full student1"), std::string::npos);
  EXPECT_EQ(r.body.find("Full student2"), std::string::npos);
}

}  // namespace
