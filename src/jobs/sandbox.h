#pragma once
// Decoding untrusted uploads in a sandboxed child process. Third-party codecs (libheif, libde265,
// dav1d, libwebp, libpng, giflib) and our own JPEG decoder read bytes chosen by students; a crash
// or an out-of-memory kill there must cost one child process, not the web server.
//
// The parent spawns the same binary once as a zygote (`schoolyard compress-child --zygote`,
// hidden) that clones a fresh child per upload; it writes the settings and the input over a
// pipe, reads the result back over another (a small framed protocol, sandbox_wire.h), and kills
// the child when the wall-clock deadline passes. The child limits itself before it
// reads a byte of the input: address space (RLIMIT_AS), CPU time, open files, no core dumps, no
// new privileges, no network (its own network namespace when the kernel allows it, and a seccomp
// filter that refuses sockets either way), and a seccomp deny-list of syscalls a decoder never
// needs (exec, ptrace, signals to other processes, mounts, namespaces, keyrings, bpf, io_uring …).
//
//   sandbox::Limits lim = sandbox::limits_from(config);
//   imaging::Result r = sandbox::compress(bytes, settings, lim);
//   if (r.reason == sandbox::kCrashed) …  // dead-letter at once: retrying crashes again
#include <cstdint>
#include <string>

#include "core/config.h"
#include "imaging/compressor.h"

namespace sy::jobs::sandbox {

// Result.reason values beyond the compressor's own.
inline constexpr const char* kCrashed = "decoder_crashed";            // killed by a signal
inline constexpr const char* kOutOfMemory = "decoder_out_of_memory";  // over its memory limit
inline bool is_decoder_failure(const std::string& reason) { return reason == kCrashed || reason == kOutOfMemory; }

struct Limits {
  bool enabled = true;
  std::int64_t memory_bytes = 1024ll << 20;  // RLIMIT_AS of the child
  int cpu_seconds = 0;                       // RLIMIT_CPU; 0 = the job timeout + 10 s
  int max_files = 32;                        // RLIMIT_NOFILE
  std::int64_t grace_ms = 5000;              // wall clock past the job timeout before SIGKILL
  bool network_namespace = true;             // try unshare(CLONE_NEWNET); seccomp denies sockets anyway
  bool zygote = true;  // fork each child from a started zygote (cheap) instead of exec'ing the binary
};
Limits limits_from(const Config& c);

// The binary to run as the child: this process's own (through the dynamic loader it was started
// with, if any) unless set. The test binaries set the schoolyard binary built beside them.
void set_executable(const std::string& path);

// Compresses in a sandboxed child. Returns the child's result, or a Result with reason kCrashed /
// kOutOfMemory / "timeout" when the child died; throws std::runtime_error when no child could be
// started (a condition of this machine, not of the file: the job is retried).
imaging::Result compress(const std::string& bytes, const imaging::Settings& s, const Limits& lim);

// The child's side (`schoolyard compress-child`): reads fd 0, writes fd 1, returns the exit code.
struct ChildArgs {
  std::int64_t memory_bytes = 0;
  int cpu_seconds = 0;
  int max_files = 32;
  bool network_namespace = true;
  bool zygote = false;  // --zygote: serve children for the parent over the socket on fd 0
};
int child_main(const ChildArgs& a);

// Exit codes of the child other than 0.
inline constexpr int kExitOutOfMemory = 86;  // an allocation failed outside the compressor's reach
inline constexpr int kExitSetup = 87;        // could not limit itself: refuse to decode
inline constexpr int kExitProtocol = 88;     // the parent sent something unreadable

}  // namespace sy::jobs::sandbox
