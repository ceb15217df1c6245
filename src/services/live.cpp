#include "services/live.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/log.h"
#include "db/school_repo.h"
#include "services/content_version.h"
#include "services/permissions.h"
#include "services/photos.h"
#include "services/yearbook.h"

namespace sy::services {

namespace {

using J = nlohmann::json;

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

std::string megapixels(std::int64_t px) { return std::to_string((px + 500'000) / 1'000'000) + " megapixels"; }

}  // namespace

std::string friendly_photo_error(const App& app, const std::string& code, const std::string& detail) {
  const auto mb = std::to_string(app.config.max_upload_bytes / (1024 * 1024)) + " MB";
  const auto px = megapixels(app.config.max_pixels);
  const std::string try_another = " Please choose another photo.";
  if (code == "too_large") return "This photo is too large: the limit is " + mb + "." + try_another;
  if (code == "unsupported_type" || starts_with(detail, "unsupported_type"))
    return "This file is not a photo we can use: send a JPEG, PNG, HEIC, WebP, AVIF or GIF image.";
  if (code == "too_many_uploads")
    return "You have uploaded " + std::to_string(kMaxUploadsPerHour) +
           " photos in the last hour, which is the limit. Please wait a while and try again.";
  // Pixel bombs: refused from the header at upload, or while decoding, or they ran out of time or
  // memory in the decoder.
  if (code == "too_many_pixels" || starts_with(detail, "too_many_pixels") ||
      (detail.find("more than") != std::string::npos && detail.find("pixels") != std::string::npos) ||
      code == "decoder_out_of_memory" || starts_with(detail, "timeout"))
    return "This photo has too many pixels: the limit is " + px + "." + try_another;
  if (code == "invalid_image" || code == "decoder_crashed" || starts_with(detail, "corrupt_image"))
    return "This photo seems to be damaged: we could not open it." + try_another;
  if (code == "superseded") return "Replaced by a newer upload.";
  if (code == "processing_failed") return "Something went wrong on our side; an administrator can retry it.";
  return "We could not use this photo." + try_another;
}

J photo_status(App& app, const Actor& actor) {
  if (actor.role != sy::Role::student) deny(actor, "photos.upload", "own photo status");
  PhotoView v;
  try {
    v = my_photo(app, actor);
  } catch (const AppError& e) {
    if (e.kind != ErrorKind::not_found) throw;
    return {{"state", "none"}, {"photo_id", nullptr}, {"message", "You have not uploaded a photo yet."}};
  }
  const auto& p = v.photo;
  J j = {{"photo_id", p.id}, {"reason", nullptr}, {"error_code", nullptr}};
  if (p.status == PhotoStatus::processing) {
    j["state"] = "processing";
    j["message"] = "Processing your photo…";
  } else if (p.status == PhotoStatus::failed) {
    j["state"] = "failed";
    j["error_code"] = p.error_code;
    j["message"] = friendly_photo_error(app, p.error_code, p.error);
  } else if (p.moderation == Moderation::approved) {
    j["state"] = "published";
    j["message"] = "Published: it appears in your class yearbook (if your guardian has agreed).";
  } else if (p.moderation == Moderation::rejected) {
    j["state"] = "rejected";
    j["reason"] = p.moderation_reason;
    j["message"] = "Not accepted by your teacher: " + p.moderation_reason + " Please upload another one.";
  } else {
    j["state"] = "pending";
    j["message"] = "Waiting for a teacher to approve it.";
  }
  if (p.status == PhotoStatus::ready) j["thumb"] = photo_url(p.id, "thumb");
  return j;
}

J yearbook_state(App& app, const Actor& actor, std::int64_t class_id) {
  app.db->read([&](db::Tx& t) {
    if (!can_on_class(t, actor, "yearbook.view", class_id))
      deny(actor, "yearbook.view", "class " + std::to_string(class_id));
    if (!db::classes::by_id(t, class_id)) not_found("no such class");
  });
  return {{"class_id", class_id}, {"version", content_version(app, content_key::class_yearbook(class_id))}};
}

LiveHub::LiveHub(App& app, std::chrono::milliseconds tick) : app_(app), tick_(tick) {}

LiveHub::~LiveHub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveHub::watch_photo(const Actor& actor, Send send, Alive alive) {
  photo_status(app_, actor);  // the permission check, before anything is kept
  add("photo:" + std::to_string(actor.id), Topic{actor, 0, {}}, std::move(send), std::move(alive));
}

void LiveHub::watch_yearbook(const Actor& actor, std::int64_t class_id, Send send, Alive alive) {
  yearbook_state(app_, actor, class_id);
  add("yearbook:" + std::to_string(class_id), Topic{actor, class_id, {}}, std::move(send), std::move(alive));
}

void LiveHub::add(const std::string& key, Topic topic, Send send, Alive alive) {
  {
    std::lock_guard lock(mu_);
    auto [it, fresh] = topics_.try_emplace(key, std::move(topic));
    (void)fresh;
    it->second.watchers.push_back(Watcher{std::move(send), std::move(alive), ""});  // "" = nothing sent yet
    nudged_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });  // the first watcher starts it
  }
  cv_.notify_all();
}

void LiveHub::nudge() {
  {
    std::lock_guard lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

std::size_t LiveHub::watchers() {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (auto& [_, t] : topics_) n += t.watchers.size();
  return n;
}

// A yearbook costs one primary-key read per tick, however many watch it: the version is bumped in
// the same transaction as every change the page shows (services/content_version.h). Access was
// checked when the stream opened; someone who loses it meanwhile learns only that the version
// moved, and the page they then fetch is refused.
std::string LiveHub::state_of(const Topic& topic) {
  if (!topic.class_id) return photo_status(app_, topic.actor).dump();
  J j = {{"class_id", topic.class_id}, {"version", content_version(app_, content_key::class_yearbook(topic.class_id))}};
  return j.dump();
}

void LiveHub::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, tick_, [&] { return stop_ || nudged_; });
    if (stop_) break;
    nudged_ = false;
    // The states are read without the lock (database round trips); watchers added meanwhile get
    // theirs on the next pass (add() nudges).
    std::vector<std::pair<std::string, Topic>> todo;
    for (auto& [key, t] : topics_) todo.emplace_back(key, Topic{t.actor, t.class_id, {}});
    lock.unlock();
    std::map<std::string, std::string> states;
    for (auto& [key, t] : todo) {
      try {
        states[key] = state_of(t);
      } catch (const AppError& e) {
        // Access taken away (or the class deleted): the streams of this topic end.
        if (e.kind == ErrorKind::forbidden || e.kind == ErrorKind::not_found) states[key] = "";
      } catch (const std::exception& e) {
        spdlog::warn("live: checking {} failed: {}", key, log_safe(e.what()));  // next tick retries
      }
    }
    lock.lock();
    for (auto it = topics_.begin(); it != topics_.end();) {
      auto s = states.find(it->first);
      auto& ws = it->second.watchers;
      std::erase_if(ws, [](Watcher& w) { return !w.alive(); });
      if (s != states.end()) {
        const char* event = it->second.class_id ? "yearbook" : "photo";
        std::erase_if(ws, [&](Watcher& w) {
          if (s->second.empty()) return (void)w.send("end", "{}"), true;
          if (w.last == s->second) return false;
          w.last = s->second;
          return !w.send(event, s->second);
        });
      }
      it = ws.empty() ? topics_.erase(it) : std::next(it);
    }
  }
}

}  // namespace sy::services
