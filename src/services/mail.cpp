#include "services/mail.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.h"
#include "jobs/mail.h"
#include "jobs/processor.h"
#include "services/audit.h"
#include "services/permissions.h"

namespace sy::services {

namespace {

struct Template {
  const char* subject;
  const char* body;
};

// Plain-text emails. {{name}} is replaced by params[name]; {{site}} is the public URL and
// {{account}} the account page (where non-essential email can be turned off).
const std::map<std::string, Template>& templates() {
  static const std::map<std::string, Template> t = {
      {"password_reset",
       {"Reset your Schoolyard password",
        "Hello {{name}},\n\n"
        "someone (hopefully you) asked to reset the password of the Schoolyard account {{username}}.\n"
        "Open this link within {{minutes}} minutes to choose a new password. It works once:\n\n"
        "{{link}}\n\n"
        "If you did not ask for this, ignore this email: your password stays as it is.\n"}},
      {"message_notification",
       {"New message about {{student}}",
        "Hello {{name}},\n\n"
        "{{author}} wrote about {{student}}:\n\n"
        "{{excerpt}}\n\n"
        "Read and answer: {{link}}\n"}},
      {"absence_alert",
       {"{{student}} was absent on {{date}}",
        "Hello {{name}},\n\n"
        "{{student}} was marked absent ({{code}}) in {{class}} on {{date}}.\n"
        "{{note}}\n\n"
        "If this is expected, you can reply to the class teacher in Schoolyard: {{link}}\n"}},
      {"test", {"Schoolyard test email", "This is a test email from Schoolyard ({{site}}).\n{{text}}\n"}},
  };
  return t;
}

std::string fill(const std::string& text, const MailParams& params, const std::string& template_name) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto open = text.find("{{", i);
    if (open == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    auto close = text.find("}}", open);
    if (close == std::string::npos) throw std::logic_error("mail template " + template_name + ": unclosed {{");
    out.append(text, i, open - i);
    std::string key = text.substr(open + 2, close - open - 2);
    auto it = params.find(key);
    if (it == params.end())
      throw std::logic_error("mail template " + template_name + ": parameter '" + key + "' missing");
    out += it->second;
    i = close + 2;
  }
  return out;
}

bool valid_dedupe_key(const std::string& k) {
  if (k.empty() || k.size() > 191) return false;
  for (unsigned char c : k)
    if (c < 33 || c > 126) return false;
  return true;
}

}  // namespace

const char* enqueued_name(Enqueued e) {
  switch (e) {
    case Enqueued::queued:
      return "queued";
    case Enqueued::duplicate:
      return "duplicate";
    case Enqueued::opted_out:
      return "opted_out";
    case Enqueued::no_address:
      return "no_address";
    case Enqueued::mail_off:
      return "mail_off";
  }
  return "unknown";
}

RenderedMail render_mail(const Config& config, const std::string& template_name, const MailParams& params) {
  auto it = templates().find(template_name);
  if (it == templates().end()) throw std::logic_error("no mail template " + template_name);
  MailParams p = params;
  p.emplace("site", config.public_url);
  p.emplace("account", config.public_url + "/me/profile");
  RenderedMail m;
  m.subject = fill(it->second.subject, p, template_name);
  m.body = fill(it->second.body, p, template_name);
  // The subject is a header: one line, bounded.
  for (auto& c : m.subject)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  if (m.subject.size() > 200) {
    std::size_t n = 200;
    while (n > 0 && (static_cast<unsigned char>(m.subject[n]) & 0xC0) == 0x80) --n;
    m.subject = m.subject.substr(0, n) + "…";
  }
  return m;
}

EnqueueResult enqueue_email(db::Tx& t, const Config& config, const MailTo& to, const std::string& template_name,
                            const MailParams& params, const std::string& dedupe_key, bool essential) {
  if (!valid_dedupe_key(dedupe_key)) fail(ErrorKind::invalid, "invalid_dedupe_key", "bad email dedupe key");
  db::OutboxRow row;
  row.dedupe_key = dedupe_key;
  row.template_name = template_name;
  row.essential = essential;
  row.to_user_id = to.user_id;
  row.created_at = jobs::now_ms() / 1000;
  MailParams p = params;
  if (to.user_id) {
    auto c = db::mail::contact(t, *to.user_id);
    if (!c || !c->active || c->email.empty())
      row.skipped = "no_address";
    else if (!essential && c->opt_out)
      row.skipped = "opt_out";
    if (!c) row.to_user_id.reset();  // no such user: nothing to point at
    if (c) {
      row.to_address = c->email;
      p.emplace("name", c->full_name.empty() ? std::string("there") : c->full_name);
    }
  } else {
    row.to_address = to.address;
    p.emplace("name", "there");
  }
  if (row.skipped.empty() && !jobs::plausible_address(row.to_address)) row.skipped = "no_address";
  if (row.to_address.size() > 254) row.to_address.resize(0);  // not an address; never truncated into one
  if (row.skipped.empty() && config.smtp_url.empty()) row.skipped = "mail_off";
  auto m = render_mail(config, template_name, p);
  row.subject = m.subject;
  row.body = m.body;
  if (!essential)
    row.body += "\n--\nYou can turn off these emails on your profile page: " + config.public_url + "/me/profile\n";

  auto id = db::mail::insert(t, row);
  if (!id) return {Enqueued::duplicate, 0};
  if (!row.skipped.empty()) {
    spdlog::info("mail: {} for {} not sent: {}", template_name,
                 to.user_id ? "user " + std::to_string(*to.user_id) : "an address", row.skipped);
    return {row.skipped == "opt_out"    ? Enqueued::opted_out
            : row.skipped == "mail_off" ? Enqueued::mail_off
                                        : Enqueued::no_address,
            *id};
  }
  auto job = jobs::enqueue_mail(t, *id, jobs::now_ms());
  db::mail::set_job(t, *id, job);
  return {Enqueued::queued, *id};
}

std::vector<db::OutboxRow> list_mail(App& app, const Actor& actor, const std::string& status, int limit) {
  require(actor, "mail.view");
  if (!status.empty() && status != "queued" && status != "running" && status != "done" && status != "dead" &&
      status != "skipped")
    fail(ErrorKind::bad_request, "bad_status", "status must be queued, running, done, dead or skipped");
  return app.db->read_result<std::vector<db::OutboxRow>>(
      [&](db::Tx& t) { return db::mail::list(t, status, std::clamp(limit, 1, 500)); });
}

db::OutboxRow retry_mail(App& app, const Actor& actor, std::int64_t outbox_id) {
  require(actor, "mail.view");
  auto row = app.db->tx_result<db::OutboxRow>([&](db::Tx& t) {
    auto m = db::mail::by_id(t, outbox_id);
    if (!m) not_found("no such email");
    if (!m->job_id || !db::jobs::retry(t, *m->job_id, jobs::now_ms()))
      conflict("only dead-lettered emails can be retried");
    audit(t, actor, "mail.retry", "mail", std::to_string(outbox_id), m->template_name);
    return *db::mail::by_id(t, outbox_id);
  });
  app.wake_workers();
  return row;
}

}  // namespace sy::services
