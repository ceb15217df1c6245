#pragma once
// `schoolyard lambda`: an AWS Lambda custom runtime (provided.al2023, the binary as `bootstrap`).
// It long-polls the Runtime API for S3 event notifications, handles every record with the same
// idempotent Processor as the workers, and answers on the response or error endpoint.
// API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html (version 2018-06-01).
#include <cstdint>
#include <string>

#include "jobs/processor.h"

namespace sy::jobs {

struct Invocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms (epoch ms)
  std::string trace_id;          // Lambda-Runtime-Trace-Id
  std::string body;              // the event JSON
};

// Thrown when the Runtime API cannot be reached or answers unexpectedly.
struct RuntimeApiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RuntimeClient {
 public:
  explicit RuntimeClient(std::string api);  // AWS_LAMBDA_RUNTIME_API: "host:port"
  ~RuntimeClient();
  RuntimeClient(const RuntimeClient&) = delete;
  RuntimeClient& operator=(const RuntimeClient&) = delete;

  Invocation next();  // blocks until an event arrives
  void respond(const std::string& request_id, const std::string& json);
  void error(const std::string& request_id, const std::string& type, const std::string& message);
  void init_error(const std::string& type, const std::string& message);

 private:
  struct Reply {
    long status = 0;
    std::string body;
    std::string request_id, deadline, trace_id;
  };
  Reply call(const std::string& method, const std::string& path, const std::string& body, const std::string& error_type,
             long timeout_ms);
  std::string base_;
  void* curl_ = nullptr;
};

// Handles one invocation: returns the response JSON; throws when any record must be retried
// (the whole batch is delivered again; records already done are recognised as duplicates).
std::string handle_invocation(Processor& p, const Invocation& inv);

// The runtime loop; returns after max_invocations (0 = run until the process is stopped).
void run_lambda(Processor& p, RuntimeClient& client, int max_invocations = 0);

}  // namespace sy::jobs
