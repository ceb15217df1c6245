// The mail.send job kind against a real SMTP server (aiosmtpd on loopback): delivery, STARTTLS,
// dedupe keys, retries with backoff while the server is down, dead letters, dispatch by kind.
#include <gtest/gtest.h>

#include <thread>

#include "db/jobs_repo.h"
#include "db/mail_repo.h"
#include "jobs/admin.h"
#include "jobs/pipeline_fixture.h"
#include "jobs/processor.h"
#include "jobs/worker_pool.h"
#include "services/mail.h"
#include "support/smtp_sink.h"
#include "support/testapp.h"
#include "support/testenv.h"

using namespace sy;

namespace {

struct MailFixture : ::testing::Test {
  std::unique_ptr<services::App> app = test::make_app();
  test::SmtpSink sink;

  jobs::Options options() {
    jobs::Options o;
    o.mail.smtp_url = app->config.smtp_url;
    o.mail.from = app->config.mail_from;
    o.mail.ca_file = app->config.smtp_ca_file;
    o.mail.connect_timeout_ms = 2000;
    o.mail.total_timeout_ms = 10000;
    o.mail_backoff_base_ms = 20;
    o.mail_backoff_max_ms = 40;
    o.mail_max_attempts = 3;
    return o;
  }
  bool start(test::SinkOptions so = {}) {
    if (!sink.start(so)) return false;
    app->config.smtp_url = sink.url();
    app->config.mail_from = "office@school.test";
    app->config.public_url = "https://school.test";
    return true;
  }
  services::EnqueueResult enqueue(const std::string& to, const std::string& key, const std::string& text = "hello",
                                  bool essential = true) {
    return app->db->tx_result<services::EnqueueResult>([&](db::Tx& t) {
      return services::enqueue_email(t, app->config, services::MailTo::to_address(to), "test", {{"text", text}}, key,
                                     essential);
    });
  }
  // Claims and runs one job (waiting out a short backoff); nullopt when none becomes visible.
  std::optional<jobs::Outcome> run_one(jobs::Processor& p, int wait_ms = 2000) {
    for (int waited = 0; waited <= wait_ms; waited += 10) {
      if (auto j = p.claim_next()) return p.run(*j);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }
  db::OutboxRow outbox(std::int64_t id) {
    return *app->db->read_result<std::optional<db::OutboxRow>>([&](db::Tx& t) { return db::mail::by_id(t, id); });
  }
};

}  // namespace

TEST_F(MailFixture, DeliversThroughSmtpFromTheQueueNotWhenEnqueued) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  auto r = enqueue("parent@example.test", "t:deliver", "Zoë's line\n.a line starting with a dot");
  ASSERT_EQ(r.what, services::Enqueued::queued);
  // Enqueueing wrote rows only: nothing reached the server yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(sink.messages().empty());

  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  ASSERT_EQ(run_one(p), jobs::Outcome::sent);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, "office@school.test");
  ASSERT_EQ(got[0].to.size(), 1u);
  EXPECT_EQ(got[0].to[0], "parent@example.test");
  EXPECT_EQ(got[0].subject, "Schoolyard test email");
  EXPECT_NE(got[0].body.find("Zoë's line\n.a line starting with a dot"), std::string::npos) << got[0].body;
  EXPECT_NE(got[0].body.find("https://school.test"), std::string::npos);
  EXPECT_NE(got[0].raw.find("Message-ID: <outbox-"), std::string::npos);

  auto o = outbox(r.outbox_id);
  EXPECT_TRUE(o.sent_at.has_value());
  EXPECT_EQ(o.job_status, "done");
  EXPECT_FALSE(p.claim_next()) << "a sent email is not sent again";
}

TEST_F(MailFixture, SameDedupeKeyIsEnqueuedOnce) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  auto a = enqueue("parent@example.test", "absence:7:2026-12-01");
  auto b = enqueue("parent@example.test", "absence:7:2026-12-01");
  EXPECT_EQ(a.what, services::Enqueued::queued);
  EXPECT_EQ(b.what, services::Enqueued::duplicate);
  // Twice in one transaction, too.
  app->db->tx([&](db::Tx& t) {
    auto x = services::enqueue_email(t, app->config, services::MailTo::to_address("x@example.test"), "test",
                                     {{"text", "x"}}, "same-tx", true);
    auto y = services::enqueue_email(t, app->config, services::MailTo::to_address("x@example.test"), "test",
                                     {{"text", "x"}}, "same-tx", true);
    EXPECT_EQ(x.what, services::Enqueued::queued);
    EXPECT_EQ(y.what, services::Enqueued::duplicate);
  });
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  int sent = 0;
  while (auto o = run_one(p, 100)) sent += *o == jobs::Outcome::sent;
  EXPECT_EQ(sent, 2);
  EXPECT_EQ(sink.wait_for(2).size(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sink.messages().size(), 2u);
}

TEST_F(MailFixture, RetriesWhileTheServerIsDownThenDelivers) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  int port = sink.port();
  sink.stop();  // the server goes away; its port stays ours to reuse
  auto r = enqueue("parent@example.test", "t:retry");
  ASSERT_EQ(r.what, services::Enqueued::queued);
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  ASSERT_EQ(run_one(p), jobs::Outcome::retry);
  auto o = outbox(r.outbox_id);
  EXPECT_EQ(o.job_status, "queued");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_FALSE(o.last_error.empty());
  auto job = app->db->read_result<std::optional<db::JobRow>>([&](db::Tx& t) { return db::jobs::by_id(t, *o.job_id); });
  EXPECT_GT(job->visible_at_ms, jobs::now_ms() - 1000) << "backs off before the next attempt";

  test::SinkOptions so;
  so.port = port;
  ASSERT_TRUE(sink.start(so));  // the server is back
  ASSERT_EQ(run_one(p), jobs::Outcome::sent);
  ASSERT_EQ(sink.wait_for(1).size(), 1u);
  o = outbox(r.outbox_id);
  EXPECT_EQ(o.job_status, "done");
  EXPECT_EQ(o.attempts, 2);
}

TEST_F(MailFixture, RefusedRecipientIsDeadLetteredAtOnceAndAdminCanSeeAndRetryIt) {
  test::SinkOptions so;
  so.reject_domain = "nowhere.test";
  SY_REQUIRE_COMPONENT(start(so), "no aiosmtpd SMTP sink");
  auto r = enqueue("nobody@nowhere.test", "t:refused");
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  ASSERT_EQ(run_one(p), jobs::Outcome::dead);
  auto o = outbox(r.outbox_id);
  EXPECT_EQ(o.job_status, "dead");
  EXPECT_EQ(o.attempts, 1) << "a 5xx refusal is final: no retries";
  EXPECT_NE(o.last_error.find("550"), std::string::npos) << o.last_error;

  // The dead-letter view: admins only.
  auto dead = services::list_mail(*app, services::Actor{1, "a", Role::admin, "", ""}, "dead", 50);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].to_address, "nobody@nowhere.test");
  EXPECT_THROW(services::list_mail(*app, services::Actor{2, "t", Role::teacher, "", ""}, "dead", 50), AppError);
  // The admin's retry puts it back in the queue (and a refusal dead-letters it again).
  app->db->tx([&](db::Tx& t) { jobs::retry_job(t, *o.job_id); });
  EXPECT_EQ(outbox(r.outbox_id).job_status, "queued");
  EXPECT_EQ(run_one(p), jobs::Outcome::dead);
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailFixture, GivesUpAfterTheLastAttemptWhileTheServerStaysDown) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  sink.stop();
  auto r = enqueue("parent@example.test", "t:giveup");
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  EXPECT_EQ(run_one(p), jobs::Outcome::retry);
  EXPECT_EQ(run_one(p), jobs::Outcome::retry);
  EXPECT_EQ(run_one(p), jobs::Outcome::dead);
  auto o = outbox(r.outbox_id);
  EXPECT_EQ(o.job_status, "dead");
  EXPECT_EQ(o.attempts, 3);
  auto dead = services::list_mail(*app, services::Actor::system(), "dead", 50);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_FALSE(run_one(p, 100));
}

TEST_F(MailFixture, UsesStartTlsWhenTheServerOffersIt) {
  test::SinkOptions so;
  so.tls = true;
  so.require_starttls = true;
  SY_REQUIRE_COMPONENT(start(so), "no aiosmtpd SMTP sink");
  app->config.smtp_ca_file = sink.ca_file();
  enqueue("parent@example.test", "t:tls");
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  ASSERT_EQ(run_one(p), jobs::Outcome::sent);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].tls) << "the message travelled over STARTTLS";
}

TEST_F(MailFixture, TlsRequiredRefusesAServerWithoutStartTls) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  app->config.smtp_url = sink.url() + "?tls=required";
  auto r = enqueue("parent@example.test", "t:notls");
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  EXPECT_EQ(run_one(p), jobs::Outcome::retry);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(sink.messages().empty()) << "nothing may travel in clear text";
  EXPECT_FALSE(outbox(r.outbox_id).last_error.empty());
}

TEST_F(MailFixture, UntrustedCertificateIsNotAccepted) {
  test::SinkOptions so;
  so.tls = true;
  SY_REQUIRE_COMPONENT(start(so), "no aiosmtpd SMTP sink");
  // No smtp_ca_file: the self-signed certificate must not be trusted.
  enqueue("parent@example.test", "t:untrusted");
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  EXPECT_EQ(run_one(p), jobs::Outcome::retry);
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailFixture, HeaderInjectionInTheSubjectIsFlattened) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  app->db->tx([&](db::Tx& t) {
    services::enqueue_email(
        t, app->config, services::MailTo::to_address("parent@example.test"), "message_notification",
        {{"student", "Ann\r\nBcc: victim@example.test"}, {"author", "T"}, {"excerpt", "x"}, {"link", "l"}}, "t:inject",
        false);
  });
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  ASSERT_EQ(run_one(p), jobs::Outcome::sent);
  auto got = sink.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].to.size(), 1u);
  std::string head = got[0].raw.substr(0, got[0].raw.find("\r\n\r\n"));
  EXPECT_EQ(head.find("\r\nBcc:"), std::string::npos) << head;
  EXPECT_NE(got[0].subject.find("Ann  Bcc"), std::string::npos) << got[0].subject;
}

TEST_F(MailFixture, EmailOffRecordsWithoutQueueing) {
  app->config.smtp_url = "";
  auto r = enqueue("parent@example.test", "t:off");
  EXPECT_EQ(r.what, services::Enqueued::mail_off);
  EXPECT_EQ(outbox(r.outbox_id).skipped, "mail_off");
  EXPECT_FALSE(outbox(r.outbox_id).job_id);
  auto open =
      app->db->read_result<std::map<JobStatus, std::int64_t>>([](db::Tx& t) { return db::jobs::open_counts(t); });
  EXPECT_EQ(open[JobStatus::queued], 0);
}

TEST_F(MailFixture, BadAddressIsNotQueued) {
  SY_REQUIRE_COMPONENT(start(), "no aiosmtpd SMTP sink");
  EXPECT_EQ(enqueue("not an address", "t:bad1").what, services::Enqueued::no_address);
  EXPECT_EQ(enqueue("a@b.test>\r\nRCPT TO:<x@y.test", "t:bad2").what, services::Enqueued::no_address);
  EXPECT_THROW(enqueue("a@b.test", "bad key with spaces"), AppError);
}

TEST_F(MailFixture, UnknownJobKindIsDeadLetteredAndPhotoJobsAreNotTakenForMail) {
  std::int64_t now = jobs::now_ms();
  app->db->tx([&](db::Tx& t) {
    db::JobRow j;
    j.kind = "report.render";
    j.bucket = "";
    j.object_key = "report/1";
    j.visible_at_ms = j.created_at_ms = j.updated_at_ms = now;
    db::jobs::insert(t, j);
  });
  jobs::Processor p(*app->db, *app->store, options(), "mail-test");
  EXPECT_EQ(run_one(p), jobs::Outcome::dead);
  auto dead = app->db->read_result<std::vector<db::JobRow>>(
      [](db::Tx& t) { return db::jobs::list(t, JobStatus::dead, 10, 0); });
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].result, "unknown_kind");
}

// Photos and emails share the queue: in-process workers (the pool `serve` runs) dispatch each
// job by kind, so a photo upload is still compressed and an email still sent.
class MailAndPhotos : public test::PipelineFixture {};

TEST_F(MailAndPhotos, WorkersDispatchByKind) {
  test::SmtpSink sink;
  SY_REQUIRE_COMPONENT(sink.start(), "no aiosmtpd SMTP sink");
  app->config.smtp_url = sink.url();
  app->config.mail_from = "office@school.test";
  auto student = add_user("ann", sy::Role::student);
  auto photo_id = upload(student, test::make_png(64, 48));
  app->db->tx([&](db::Tx& t) {
    services::enqueue_email(t, app->config, services::MailTo::to_address("parent@example.test"), "test",
                            {{"text", "hi"}}, "t:pool", true);
  });
  jobs::PoolOptions po;
  po.workers = 2;
  po.poll_ms = 50;
  po.job = fast_options();
  po.job.mail = jobs::options_from(app->config).mail;
  jobs::WorkerPool pool(*app->db, *app->store, app->wakeup, po);
  pool.start();
  EXPECT_TRUE(
      wait_for([&] { return photo(photo_id).status == PhotoStatus::ready && sink.messages().size() == 1; }, 30000));
  pool.stop();
  EXPECT_EQ(photo(photo_id).status, PhotoStatus::ready);
  EXPECT_EQ(job_of(photo_id).result, "ready");
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_EQ(sink.messages()[0].to[0], "parent@example.test");
}
