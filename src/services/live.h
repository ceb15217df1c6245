#pragma once
// Live updates: a student's photo status and a class yearbook's version, as JSON that the polling
// endpoints return and the event streams push when it changes.
//
// The Hub checks the database itself (one query per watched student or class per tick, however
// many tabs watch it), so a change made through any instance reaches every instance's streams
// within a tick; no thread is held per watcher. Watchers are callbacks that return false once
// their stream has gone, and are dropped then.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "services/actor.h"
#include "services/app.h"

namespace sy::services {

// What the student reads for an error code from the upload (too_large, unsupported_type,
// invalid_image, too_many_uploads) or from processing (photo.error_code / photo.error): names the
// limit that was hit — size, type, damage or pixels.
std::string friendly_photo_error(const App& app, const std::string& code, const std::string& detail);

// The actor's (a student's) current photo: {"state": none | processing | pending | published |
// failed | rejected, "photo_id", "message" (a sentence for the student), "reason" (the teacher's,
// when rejected), "error_code", "thumb" (when processed)}. 403 for anyone but a student.
nlohmann::json photo_status(App& app, const Actor& actor);

// yearbook.view on the class (403 before 404): {"class_id", "version"}, the class yearbook's
// content version (services/content_version.h): it grows with anything the page shows (names,
// approvals, quotes, consent, enrolment, processing results).
nlohmann::json yearbook_state(App& app, const Actor& actor, std::int64_t class_id);

class LiveHub {
 public:
  // Returns false when the receiver has gone.
  using Send = std::function<bool(const std::string& event, const std::string& data)>;
  using Alive = std::function<bool()>;  // false once the receiver has gone (checked every tick)

  explicit LiveHub(App& app, std::chrono::milliseconds tick = std::chrono::milliseconds(1000));
  ~LiveHub();
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // Permission is checked here (the same as the polling endpoints; throws AppError), then `send`
  // gets the current state at once ("photo" / "yearbook" event) and again whenever it changes.
  void watch_photo(const Actor& actor, Send send, Alive alive);
  void watch_yearbook(const Actor& actor, std::int64_t class_id, Send send, Alive alive);
  void nudge();            // check now (a change made by this instance)
  std::size_t watchers();  // for tests and metrics

 private:
  struct Watcher {
    Send send;
    Alive alive;
    std::string last;  // the data last sent
  };
  struct Topic {
    Actor actor;  // whose view the state is computed with
    std::int64_t class_id = 0;
    std::vector<Watcher> watchers;
  };
  void run();
  void check(const std::string& key, Topic& topic);
  std::string state_of(const Topic& topic);
  void add(const std::string& key, Topic topic, Send send, Alive alive);

  App& app_;
  std::chrono::milliseconds tick_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Topic> topics_;  // "photo:<student>" | "yearbook:<class>"
  bool stop_ = false;
  bool nudged_ = false;
  std::thread thread_;
};

}  // namespace sy::services
