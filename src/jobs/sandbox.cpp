#include "jobs/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "jobs/sandbox_wire.h"

extern char** environ;

namespace sy::jobs::sandbox {
namespace {

// The child's answer is a few derivatives of at most max_edge pixels: far below this.
constexpr std::size_t kMaxResponse = 256u << 20;
constexpr std::size_t kMaxStderr = 4096;

// Function-local: set_executable may run from another file's static initialiser.
struct ExeSetting {
  std::mutex mu;
  std::string path;
};
ExeSetting& exe_setting() {
  static ExeSetting s;
  return s;
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& r, Fd& w) {
  int p[2];
  // Close-on-exec: children spawned at the same time by other workers must not inherit our ends
  // (a stray write end would keep our read from ever seeing EOF).
  if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("decoder sandbox: pipe: ") + std::strerror(errno));
  r.fd = p[0];
  w.fd = p[1];
}

// Writing to a pipe whose reader died raises SIGPIPE, which would end the server. Blocked for
// this thread while we write; a pending one is consumed afterwards.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s, &old_);
  }
  ~SigpipeBlock() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    timespec zero{0, 0};
    while (sigtimedwait(&s, nullptr, &zero) > 0) {}
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
};

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGKILL:
      return "SIGKILL";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGSYS:
      return "SIGSYS";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGTRAP:
      return "SIGTRAP";
  }
  return "signal " + std::to_string(sig);
}

imaging::Result failed(const char* reason, const std::string& detail) {
  imaging::Result r;
  r.reason = reason;
  r.detail = detail;
  return r;
}

// glib aborts on a failed g_malloc; the C++ runtime terminates on an uncaught bad_alloc.
bool says_out_of_memory(const std::string& err) {
  return err.find("failed to allocate") != std::string::npos || err.find("bad_alloc") != std::string::npos ||
         err.find("Cannot allocate memory") != std::string::npos;
}

// The child's environment: what the loader, libvips and glib read, nothing else. The server's
// holds the database URL with its password and the S3 credentials; a decoder an upload took
// over could paint them into the derivative its uploader then downloads.
std::vector<std::string> child_environment() {
  static const char* keep[] = {"LD_LIBRARY_PATH=",
                               "VIPS",
                               "G_SLICE=",
                               "G_DEBUG=",
                               "GLIBC_TUNABLES=",
                               "MALLOC_",
                               "LANG=",
                               "LC_",
                               "TZ=",
                               "ASAN_OPTIONS=",
                               "UBSAN_OPTIONS=",
                               "LSAN_OPTIONS=",
                               "SY_TEST_CRASH_CHILD="};
  // No ORC: its JIT writes code to a temp file (RLIMIT_FSIZE = 0 kills that) and maps it
  // executable; libvips' plain C paths do the same work without writable+executable memory.
  std::vector<std::string> env = {"VIPS_NOVECTOR=1"};
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "VIPS_NOVECTOR=", 14) == 0) continue;
    for (const char* k : keep)
      if (std::strncmp(*e, k, std::strlen(k)) == 0) {
        env.emplace_back(*e);
        break;
      }
  }
  return env;
}

// How this process was started, up to the program: normally just /proc/self/exe, but the
// Lambda bundle starts the binary through its own dynamic loader
// (`ld-linux-x86-64.so.2 --library-path /var/task/lib /var/task/schoolyard lambda`), and the
// child must be started the same way. Read once from /proc/self/cmdline.
std::vector<std::string> self_command() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string exe = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  std::string base = exe.substr(exe.rfind('/') + 1);
  if (base.rfind("ld-linux", 0) != 0 && base.rfind("ld-", 0) != 0) return {"/proc/self/exe"};
  std::vector<std::string> args;
  if (FILE* f = std::fopen("/proc/self/cmdline", "rb")) {
    std::string cur;
    for (int c; (c = std::fgetc(f)) != EOF;) {
      if (c == 0) {
        args.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(static_cast<char>(c));
      }
    }
    std::fclose(f);
  }
  std::vector<std::string> cmd = {exe};
  static const char* with_value[] = {
      "--library-path",         "--preload",          "--audit", "--argv0", "--inhibit-rpath",
      "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    cmd.push_back(args[i]);
    if (args[i].rfind("--", 0) != 0) return cmd;  // the program
    for (const char* o : with_value)
      if (args[i] == o && i + 1 < args.size()) cmd.push_back(args[++i]);
  }
  return {"/proc/self/exe"};  // no program found: let the spawn fail loudly
}

std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

Limits limits_from(const Config& c) {
  Limits l;
  l.enabled = c.decode_sandbox;
  l.memory_bytes = static_cast<std::int64_t>(c.decode_memory_mb) << 20;
  // One exec per upload: the zygote is measured faster, but was only tested before the ORC
  // finding (its children died of SIGXFSZ the same way) — turn on after a full test run.
  l.zygote = false;
  return l;
}

void set_executable(const std::string& path) {
  auto& e = exe_setting();
  std::lock_guard lk(e.mu);
  e.path = path;
}

namespace {
std::vector<std::string> command() {
  {
    auto& e = exe_setting();
    std::lock_guard lk(e.mu);
    if (!e.path.empty()) return {e.path};
  }
  static const std::vector<std::string> self = self_command();
  return self;
}
}  // namespace

namespace {

// posix_spawn of `command() + extra` with fds 0-2 as given and a clean signal state.
pid_t spawn(const std::vector<std::string>& extra, int fd0, int fd1, int fd2) {
  std::vector<std::string> args = command();
  const std::string exe = args.front();
  for (const auto& a : extra) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd0, 0);
  posix_spawn_file_actions_adddup2(&fa, fd1, 1);
  if (fd2 >= 0) posix_spawn_file_actions_adddup2(&fa, fd2, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // sockets, database files: not the child's
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  // The workers' threads block SIGTERM/SIGINT (`schoolyard worker` takes them with sigwait);
  // the child starts with a clean mask and default handlers.
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  // posix_spawn is vfork-like in glibc: cheap however large the server's memory is.
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("decoder sandbox: cannot start " + exe + ": " + std::strerror(rc));
  return pid;
}

// The zygote (see sandbox_child.cpp): one per process, started on first use and again after it
// died; workers take turns on its socket (a request is a send and a one-word answer).
class Zygote {
 public:
  // The new child's pid, or 0 when the zygote cannot be used (the caller spawns directly).
  pid_t fork_child(const Limits& lim, int cpu, int in_r, int out_w, int err_w) {
    std::lock_guard lk(mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (sock_ < 0 && !start()) return 0;
      wire::ZygoteRequest req;
      req.memory_bytes = lim.memory_bytes;
      req.cpu_seconds = cpu;
      req.max_files = lim.max_files;
      req.network_namespace = lim.network_namespace ? 1 : 0;
      int fds[3] = {in_r, out_w, err_w};
      iovec iov{&req, sizeof req};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof fds);
      std::memcpy(CMSG_DATA(c), fds, sizeof fds);
      std::int64_t answer = 0;
      if (sendmsg(sock_, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof req) && read_answer(answer) && answer > 0)
        return static_cast<pid_t>(answer);
      spdlog::warn("decoder sandbox: the zygote did not answer ({}); starting a new one",
                   answer < 0 ? std::strerror(static_cast<int>(-answer)) : "gone");
      stop();
    }
    return 0;
  }

 private:
  bool read_answer(std::int64_t& v) {
    pollfd p{sock_, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return false;
    return read(sock_, &v, sizeof v) == static_cast<ssize_t>(sizeof v);
  }
  bool start() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    try {
      pid_ = spawn({"compress-child", "--zygote"}, sv[1], devnull, -1);
    } catch (const std::exception& e) {
      spdlog::warn("{}; children will be started one by one", e.what());
      close(sv[0]);
      close(sv[1]);
      if (devnull >= 0) close(devnull);
      return false;
    }
    close(sv[1]);
    if (devnull >= 0) close(devnull);
    sock_ = sv[0];
    return true;
  }
  void stop() {
    if (sock_ >= 0) close(sock_);
    sock_ = -1;
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

  std::mutex mu_;
  int sock_ = -1;
  pid_t pid_ = -1;
};

Zygote& zygote() {
  static Zygote* z = new Zygote;  // never destroyed: its socket closing is what ends the zygote
  return *z;
}

}  // namespace

imaging::Result compress(const std::string& bytes, const imaging::Settings& s, const Limits& lim) {
  std::int64_t timeout_ms = s.timeout_ms > 0 ? s.timeout_ms : 600000;
  std::int64_t deadline = steady_ms() + timeout_ms + lim.grace_ms;
  int cpu = lim.cpu_seconds > 0 ? lim.cpu_seconds : static_cast<int>(timeout_ms / 1000) + 10;

  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  pid_t pid = lim.zygote ? zygote().fork_child(lim, cpu, in_r.fd, out_w.fd, err_w.fd) : 0;
  if (pid == 0)
    pid = spawn(
        {"compress-child", "--memory-bytes", std::to_string(lim.memory_bytes), "--cpu-seconds", std::to_string(cpu),
         "--max-files", std::to_string(lim.max_files), "--netns", lim.network_namespace ? "1" : "0"},
        in_r.fd, out_w.fd, err_w.fd);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  for (int fd : {in_w.fd, out_r.fd, err_r.fd}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  std::string header = wire::request_header(s, bytes.size());
  std::size_t sent = 0, total = header.size() + bytes.size();
  std::string out, err;
  bool killed_by_us = false, too_much = false;
  {
    SigpipeBlock guard;
    while (out_r.fd >= 0 || err_r.fd >= 0) {
      pollfd p[3];
      int n = 0;
      int i_in = -1, i_out = -1, i_err = -1;
      if (in_w.fd >= 0) p[i_in = n++] = {in_w.fd, POLLOUT, 0};
      if (out_r.fd >= 0) p[i_out = n++] = {out_r.fd, POLLIN, 0};
      if (err_r.fd >= 0) p[i_err = n++] = {err_r.fd, POLLIN, 0};
      std::int64_t wait = deadline - steady_ms();
      if (wait <= 0) {
        killed_by_us = true;
        break;
      }
      int pr = poll(p, static_cast<nfds_t>(n), static_cast<int>(std::min<std::int64_t>(wait, 1000)));
      if (pr < 0 && errno != EINTR) break;
      if (pr <= 0) continue;
      if (i_in >= 0 && p[i_in].revents) {
        while (sent < total) {
          const char* src = sent < header.size() ? header.data() + sent : bytes.data() + (sent - header.size());
          std::size_t len = sent < header.size() ? header.size() - sent : total - sent;
          ssize_t w = write(in_w.fd, src, len);
          if (w > 0) {
            sent += static_cast<std::size_t>(w);
            continue;
          }
          if (w < 0 && (errno == EAGAIN || errno == EINTR)) break;
          sent = total;  // EPIPE: the child is gone; its exit status tells why
        }
        if (sent == total) in_w.reset();  // EOF: the request is complete
      }
      auto drain = [&](int idx, Fd& fd, std::string& buf, std::size_t cap) {
        if (idx < 0 || !p[idx].revents) return;
        char chunk[1 << 16];
        while (true) {
          ssize_t r = read(fd.fd, chunk, sizeof chunk);
          if (r > 0) {
            if (buf.size() < cap) buf.append(chunk, std::min(static_cast<std::size_t>(r), cap - buf.size()));
            if (&buf == &out && out.size() >= cap) too_much = true;
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
          fd.reset();  // EOF or error
          return;
        }
      };
      drain(i_out, out_r, out, kMaxResponse);
      drain(i_err, err_r, err, kMaxStderr);
      if (too_much) break;
    }
  }
  in_w.reset();
  out_r.reset();
  err_r.reset();

  // Past the deadline or flooding us: kill. Otherwise both pipes are closed and the child has
  // exited or is about to — wait for it, but never past the deadline.
  if (killed_by_us || too_much) kill(pid, SIGKILL);
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, killed_by_us || too_much ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR)
      throw std::runtime_error(std::string("decoder sandbox: waitpid: ") + std::strerror(errno));
    if (w == 0 && steady_ms() >= deadline) {
      killed_by_us = true;
      kill(pid, SIGKILL);
    } else if (w == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::string err_line = one_line(err);
  if (!err_line.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    spdlog::warn("decoder sandbox: child {} said: {}", pid, err_line);

  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (killed_by_us && sig == SIGKILL)
      return failed("timeout", "processing took longer than " + std::to_string(timeout_ms) + " ms");
    if (too_much) return failed(kCrashed, "the decoder wrote more output than any photo needs");
    // A SIGKILL we did not send is the kernel's out-of-memory killer (a cgroup's MemoryMax).
    if (sig == SIGKILL || says_out_of_memory(err))
      return failed(kOutOfMemory, "the decoder ran out of memory (" + signal_name(sig) + ")");
    return failed(kCrashed, "the decoder crashed (" + signal_name(sig) + ")");
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == kExitOutOfMemory || (code != 0 && says_out_of_memory(err)))
    return failed(kOutOfMemory, "the decoder ran out of memory");
  if (code == kExitSetup || code == 127 || code == 126)
    throw std::runtime_error("decoder sandbox: the child could not start or limit itself (exit " +
                             std::to_string(code) + "): " + err_line);
  if (code != 0) return failed(kCrashed, "the decoder exited with status " + std::to_string(code));
  auto r = wire::decode_response(out);
  if (!r) return failed(kCrashed, "the decoder's answer was cut short or malformed");
  return *r;
}

}  // namespace sy::jobs::sandbox
