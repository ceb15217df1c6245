#pragma once
// Server-sent events (text/event-stream) without RESTinio in sight. A handler answers
// Response::event_stream(on_open); once the server has sent the headers it calls on_open with an
// EventSink that any thread may write to later. No thread is held per client: the sink only
// queues bytes on the connection, and the server's heartbeat timer keeps idle streams alive (and
// notices clients that went away). Limits per user and in total are ServerOptions::streams.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sy::http {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues one event ("event: <name>\ndata: <line>\n…\n\n"); false once the stream is closed (the
  // client left, a write failed or timed out, or the server is shutting down). Never blocks on the
  // client.
  virtual bool send(std::string_view event, std::string_view data) = 0;
  virtual bool closed() const = 0;
  virtual void close() = 0;  // ends the response cleanly; idempotent
};

using StreamOpen = std::function<void(std::shared_ptr<EventSink>)>;

// The wire form of one event. Names are reduced to [A-Za-z0-9_.-]; a data payload with newlines
// becomes several data: lines (a CR or CRLF counts as a newline), so no payload can forge a field.
std::string format_event(std::string_view event, std::string_view data);
// A comment line: ignored by EventSource, keeps proxies and the connection from timing out.
inline std::string heartbeat_text() { return ": ping\n\n"; }

}  // namespace sy::http
