// The decoder child's seccomp filter: a deny-list in plain BPF (no libseccomp dependency). A
// deny-list, not an allow-list, because the codecs reach glibc, glib and libvips paths we do not
// control (mmap, futex, clone for threads, madvise, getrandom …) and an allow-list that misses one
// turns a valid photo into a "crash". What is denied is what a decoder never needs and an exploit
// wants: the network, new programs, other processes, the kernel's bigger attack surfaces.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "jobs/sandbox_internal.h"

namespace sy::jobs::sandbox::detail {
namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kArch = 0;
#endif

constexpr std::uint32_t kArgLow(int n) { return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * n); }

struct Program {
  std::vector<sock_filter> f;
  void stmt(std::uint16_t code, std::uint32_t k) { f.push_back(BPF_STMT(code, k)); }
  void jump(std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    f.push_back(BPF_JUMP(code, k, jt, jf));
  }
  void load_nr() { stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)); }
  // if nr == n: return `action`
  void deny(long n, std::uint32_t action) {
    jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(n), 0, 1);
    stmt(BPF_RET | BPF_K, action);
  }
};

constexpr std::uint32_t errno_of(int e) {
  return SECCOMP_RET_ERRNO | (static_cast<std::uint32_t>(e) & SECCOMP_RET_DATA);
}

}  // namespace

bool install_seccomp(std::string& why) {
  if (kArch == 0) {
    why = "seccomp: no filter for this architecture";
    return false;
  }
  Program p;
  p.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0);
  p.stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);  // a foreign ABI (i386 via int 0x80): no
  p.load_nr();
#if defined(__x86_64__)
  p.jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);  // x32 numbers alias the deny-list
  p.stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif

  // An exploit's first moves: a shell, a debugger, reading the server's memory. Killing the
  // child makes the attempt a crash (dead-lettered) rather than a quiet EPERM.
  for (long n : {SYS_execve, SYS_execveat, SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev})
    p.deny(n, SECCOMP_RET_KILL_PROCESS);

  // No network, whether or not the network namespace could be made.
  for (long n : {SYS_socket, SYS_socketpair, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4})
    p.deny(n, errno_of(EACCES));

  // Signals only to itself: kill(ppid, SIGKILL) would take the web server down.
  for (long n : {SYS_kill, SYS_tkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_pidfd_open, SYS_pidfd_send_signal,
                 SYS_pidfd_getfd})
    p.deny(n, errno_of(EPERM));
  {  // tgkill(tgid, tid, sig) — raise() and abort() use it — only with tgid == our pid.
    p.jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 4);
    p.stmt(BPF_LD | BPF_W | BPF_ABS, kArgLow(0));
    p.jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(getpid()), 1, 0);
    p.stmt(BPF_RET | BPF_K, errno_of(EPERM));
    p.stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    p.load_nr();
  }
  {  // clone only for threads: no new processes (fork() is clone without CLONE_THREAD).
    p.jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
    p.stmt(BPF_LD | BPF_W | BPF_ABS, kArgLow(0));
    p.jump(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0);
    p.stmt(BPF_RET | BPF_K, errno_of(EPERM));
    p.stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  // clone3 keeps its flags in memory a filter cannot read; ENOSYS makes glibc fall back to clone.
  p.deny(SYS_clone3, errno_of(ENOSYS));
#ifdef SYS_fork
  p.deny(SYS_fork, errno_of(EPERM));
  p.deny(SYS_vfork, errno_of(EPERM));
#endif

  // Kernel surfaces a decoder has no use for.
  for (long n : {SYS_mount,
                 SYS_umount2,
                 SYS_pivot_root,
                 SYS_chroot,
                 SYS_unshare,
                 SYS_setns,
                 SYS_bpf,
                 SYS_perf_event_open,
                 SYS_userfaultfd,
                 SYS_keyctl,
                 SYS_add_key,
                 SYS_request_key,
                 SYS_open_by_handle_at,
                 SYS_name_to_handle_at,
                 SYS_io_uring_setup,
                 SYS_io_uring_enter,
                 SYS_io_uring_register,
                 SYS_init_module,
                 SYS_finit_module,
                 SYS_delete_module,
                 SYS_kexec_load,
                 SYS_reboot,
                 SYS_swapon,
                 SYS_swapoff,
                 SYS_setuid,
                 SYS_setgid,
                 SYS_setreuid,
                 SYS_setregid,
                 SYS_setresuid,
                 SYS_setresgid,
                 SYS_setgroups,
                 SYS_mknodat,
                 SYS_fanotify_init,
                 SYS_acct,
                 SYS_settimeofday,
                 SYS_clock_settime,
                 SYS_sethostname,
                 SYS_setdomainname,
                 SYS_quotactl,
                 SYS_move_pages,
                 SYS_migrate_pages,
                 SYS_mbind,
                 SYS_lookup_dcookie})
    p.deny(n, errno_of(EPERM));
  p.stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

  sock_fprog prog{static_cast<unsigned short>(p.f.size()), p.f.data()};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    why = std::string("seccomp: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace sy::jobs::sandbox::detail
