// `schoolyard compress-child`: the sandboxed side. Everything that limits the process happens
// before the first byte of the upload is read; what the kernel refuses to do (a namespace in a
// container, seccomp on an old kernel) is reported on stderr and the rest still applies. The
// resource limits and no_new_privs are not optional: without them the child refuses to decode.
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "jobs/sandbox.h"
#include "jobs/sandbox_internal.h"
#include "jobs/sandbox_wire.h"

extern char** environ;

namespace sy::jobs::sandbox {
namespace {

// Largest request accepted on stdin: the largest upload limit the configuration allows plus the
// header (the address-space limit is what really bounds it).
constexpr std::size_t kMaxRequest = (4096ull << 20) + 4096;

std::atomic<bool> g_allocation_failed{false};

void on_allocation_failure() {
  // Recorded so the parent can tell "over the memory limit" from "corrupt", then the usual
  // bad_alloc: the compressor unwinds and frees what it held.
  g_allocation_failed = true;
  std::set_new_handler(nullptr);
  throw std::bad_alloc();
}

void note(const std::string& s) {
  std::string line = "compress-child: " + s + "\n";
  [[maybe_unused]] auto n = write(2, line.data(), line.size());
}

bool limit(int resource, rlim_t soft, rlim_t hard, const char* name) {
  rlimit r{soft, hard};
  if (setrlimit(resource, &r) == 0) return true;
  note(std::string("setrlimit ") + name + ": " + std::strerror(errno));
  return false;
}

// Root in a container still holds capabilities; a decoder needs none of them.
void drop_capabilities() {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2] = {};
  if (syscall(SYS_capget, &h, d) != 0) return;
  if (d[0].effective == 0 && d[1].effective == 0 && d[0].permitted == 0 && d[1].permitted == 0) return;
  __user_cap_data_struct none[2] = {};
  if (syscall(SYS_capset, &h, none) != 0) note(std::string("capset: ") + std::strerror(errno));
}

bool read_all(int fd, std::string& out) {
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (out.size() + static_cast<std::size_t>(n) > kMaxRequest) return false;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// Test hook, compiled in always and honoured only when the test sets SY_TEST_CRASH_CHILD=1 (an
// uploader cannot set the server's environment): a marker in the upload makes the decoder crash
// the way a codec bug would, so the tests exercise real signals through the real pipeline.
void test_crash_hook(const std::string& input) {
  const char* on = std::getenv("SY_TEST_CRASH_CHILD");
  if (!on || std::string(on) != "1") return;
  if (input.find("SY_TEST_CRASH:segv") != std::string::npos) {
    volatile int* p = nullptr;
    *p = 1;  // a real invalid access, not raise(): the kernel delivers SIGSEGV
  }
  if (input.find("SY_TEST_CRASH:abort") != std::string::npos) std::abort();
  if (input.find("SY_TEST_CRASH:spin") != std::string::npos) {
    volatile unsigned long spins = 0;
    while (true) spins = spins + 1;
  }
  if (input.find("SY_TEST_CRASH:exec") != std::string::npos) {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    execve("/bin/true", argv, environ);
  }
}

// Test hook (same switch): what the sandbox looks like from inside, as the result's detail.
bool test_probe(const std::string& input, imaging::Result& r) {
  const char* on = std::getenv("SY_TEST_CRASH_CHILD");
  if (!on || std::string(on) != "1" || input.find("SY_TEST_PROBE") == std::string::npos) return false;
  auto err = [](int rc) { return rc >= 0 ? std::string("ok") : std::string(strerrorname_np(errno)); };
  auto lim = [](int res) {
    rlimit l{};
    getrlimit(res, &l);
    return l.rlim_cur == RLIM_INFINITY ? std::string("inf") : std::to_string(l.rlim_cur);
  };
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  std::string d = "socket=" + err(sock);
  if (sock >= 0) close(sock);
  d += " kill_parent=" + err(kill(getppid(), 0));
  d += " fork=" + err(static_cast<int>(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)));
  d += " as=" + lim(RLIMIT_AS) + " nofile=" + lim(RLIMIT_NOFILE) + " core=" + lim(RLIMIT_CORE) +
       " cpu=" + lim(RLIMIT_CPU) + " fsize=" + lim(RLIMIT_FSIZE);
  d += " no_new_privs=" + std::to_string(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  d += " seccomp=" + std::to_string(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
  int secrets = 0;
  for (char** e = environ; *e; ++e)
    secrets += std::strncmp(*e, "SCHOOLYARD_", 11) == 0 || std::strncmp(*e, "AWS_", 4) == 0;
  d += " env_secrets=" + std::to_string(secrets);
  std::string vm = "0";
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::strncmp(line, "VmSize:", 7) == 0) vm = std::to_string(std::strtoll(line + 7, nullptr, 10));
    std::fclose(f);
  }
  d += " vm_kb=" + vm;
  r.reason = "probe";
  r.detail = d;
  return true;
}

}  // namespace

namespace {

// Everything that limits the process, in the order the kernel allows: resource limits and
// no_new_privs, a network namespace (needs a single thread), capabilities dropped, then the
// syscall filter. false when a mandatory limit could not be set.
bool limit_self(const ChildArgs& a, bool after_init) {
  bool ok = true;
  ok &= limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  ok &= limit(RLIMIT_FSIZE, 0, 0, "RLIMIT_FSIZE");  // writes to files: none (pipes are not files)
  if (a.cpu_seconds > 0)                            // SIGXCPU at the soft limit, SIGKILL a second later
    ok &= limit(RLIMIT_CPU, static_cast<rlim_t>(a.cpu_seconds), static_cast<rlim_t>(a.cpu_seconds) + 1, "RLIMIT_CPU");
#if !defined(__SANITIZE_ADDRESS__)
  // (AddressSanitizer reserves terabytes of shadow memory: its builds cannot limit address space.)
  if (a.memory_bytes > 0)
    ok &= limit(RLIMIT_AS, static_cast<rlim_t>(a.memory_bytes), static_cast<rlim_t>(a.memory_bytes), "RLIMIT_AS");
#endif
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    note(std::string("no_new_privs: ") + std::strerror(errno));
    ok = false;
  }
  prctl(PR_SET_DUMPABLE, 0);  // no ptrace or /proc/<pid>/mem into the child by its siblings
  if (!ok) return false;
  if (a.network_namespace) {
    // An empty network namespace: only a loopback that is down. Root (or CAP_SYS_ADMIN) can make
    // one directly; an unprivileged user through a user namespace of its own.
    if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
      note(std::string("no network namespace (") + std::strerror(errno) + "); sockets are refused by seccomp");
  }
  drop_capabilities();
  // libvips' start-up opens its modules: the descriptor limit comes after it.
  if (!after_init) imaging::init();
  if (!limit(RLIMIT_NOFILE, static_cast<rlim_t>(a.max_files), static_cast<rlim_t>(a.max_files), "RLIMIT_NOFILE"))
    return false;
  std::string why;
  if (!detail::install_seccomp(why)) note(why + "; running without a syscall filter");
  return true;
}

// One upload: the request on fd 0, the answer on fd 1. Never returns.
[[noreturn]] void serve_one() {
  std::string request;
  if (!read_all(0, request)) std::_Exit(kExitProtocol);
  imaging::Settings s;
  std::string input;
  if (!wire::decode_request(request, s, input)) std::_Exit(kExitProtocol);
  std::string().swap(request);

  test_crash_hook(input);
  imaging::Result r;
  if (test_probe(input, r)) std::_Exit(write_all(1, wire::encode_response(r)) ? 0 : kExitProtocol);
  std::set_new_handler(on_allocation_failure);
  r = imaging::compress(input, s);
  if (!r.ok && g_allocation_failed) {
    r.reason = kOutOfMemory;
    r.detail = "the image needs more memory to decode than allowed";
    r.derivatives.clear();
  }
  // No destructors or libvips shutdown: the process is done, the kernel frees everything.
  std::_Exit(write_all(1, wire::encode_response(r)) ? 0 : kExitProtocol);
}

// The zygote: libvips started once, then for each request from the parent (limits + the three
// pipe ends, over the unix socket on fd 0) a fresh process made with clone(CLONE_PARENT), so it
// is the parent's own child — the parent waits for it and kills it directly — and starts with
// nothing of any earlier upload. Exec and dynamic loading (most of a child's start-up cost) are
// paid once. The zygote itself never reads an upload and stays single-threaded, so forking it
// is safe.
int zygote_main() {
  imaging::init();
  while (true) {
    wire::ZygoteRequest req{};
    int fds[3] = {-1, -1, -1};
    iovec iov{&req, sizeof req};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(0, &msg, MSG_CMSG_CLOEXEC);
    if (n == 0) return 0;  // the parent is gone
    if (n < 0 && errno == EINTR) continue;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (n != static_cast<ssize_t>(sizeof req) || !c || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof fds))
      return kExitProtocol;
    std::memcpy(fds, CMSG_DATA(c), sizeof fds);
    pid_t pid = static_cast<pid_t>(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0));
    if (pid == 0) {
      for (int i = 0; i < 3; ++i) dup2(fds[i], i);  // dup2 clears close-on-exec: these stay
      close_range(3, ~0u, 0);
      ChildArgs a;
      a.memory_bytes = req.memory_bytes;
      a.cpu_seconds = req.cpu_seconds;
      a.max_files = req.max_files;
      a.network_namespace = req.network_namespace != 0;
      if (!limit_self(a, true)) std::_Exit(kExitSetup);
      serve_one();
    }
    for (int fd : fds) close(fd);
    std::int64_t answer = pid > 0 ? pid : -errno;
    if (write(0, &answer, sizeof answer) != sizeof answer) return kExitProtocol;
  }
}

}  // namespace

int child_main(const ChildArgs& a) {
  // Only fds 0-2 from here on; the parent's spawn closed the rest, this is for any other caller.
  close_range(3, ~0u, 0);
  if (a.zygote) return zygote_main();
  // Dies with the parent instead of decoding for nobody.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return kExitSetup;
  if (!limit_self(a, false)) return kExitSetup;
  serve_one();
}

}  // namespace sy::jobs::sandbox
